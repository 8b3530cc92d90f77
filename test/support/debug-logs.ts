/**
 * Imported first by a test that reads the functions' log lines and EMF output: the logger's
 * configured level (Powertools restores it at every invocation) is DEBUG, and EMF lines are on.
 */
process.env.POWERTOOLS_LOG_LEVEL = 'DEBUG';
process.env.POWERTOOLS_METRICS_DISABLED = 'false';
