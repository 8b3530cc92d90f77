#!/usr/bin/env node
'use strict';
// Handlers log through Powertools; in the CLI their JSON logs would drown the progress lines.
process.env.POWERTOOLS_LOG_LEVEL = process.env.POWERTOOLS_LOG_LEVEL || 'SILENT';
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
// Their metrics (EMF lines) belong in a Lambda function's log, not on the CLI's stdout.
process.env.POWERTOOLS_METRICS_DISABLED = process.env.POWERTOOLS_METRICS_DISABLED || 'true';

const path = require('node:path');
const fs = require('node:fs');
const bundle = path.join(__dirname, '..', 'dist', 'cli.js');
if (!fs.existsSync(bundle)) {
  process.stderr.write('appvend: not built yet; run "npm run build" (npm ci runs it for you)\n');
  process.exit(1);
}
require('./code-cache.js')
  .requireBundle(bundle)
  .main(process.argv.slice(2))
  .then((code) => {
    process.exitCode = code;
  });
