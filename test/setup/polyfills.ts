// aws-local-stepfunctions 3 calls Promise.withResolvers, which Node 22 has and Node 20 lacks.
import '../../cli/polyfills';

// Handlers log JSON through Powertools; tests assert on behaviour, not on log lines.
process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
// Nor on metrics (EMF lines on stdout); the metrics tests turn them on.
process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
