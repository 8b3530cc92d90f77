// `npm run faults`: builds the templates and the state machine, bundles the fault-injection matrix
// (test/faults/main.ts) and runs it. Options go to the matrix (`npm run faults -- --help`);
// `--no-build` skips the build when dist/ is known to be current.
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';

const args = process.argv.slice(2);
const skipBuild = args.includes('--no-build');
const matrixArgs = args.filter((a) => a !== '--no-build');
const env = {
  ...process.env,
  POWERTOOLS_LOG_LEVEL: process.env.POWERTOOLS_LOG_LEVEL || 'SILENT',
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  APPVEND_FAULTS_ROOT: process.cwd(),
};

if (!skipBuild && !['--help', '-h'].some((a) => matrixArgs.includes(a))) {
  const built = spawnSync(process.execPath, ['scripts/build.mjs'], { stdio: 'inherit', env });
  if (built.status !== 0) process.exit(built.status ?? 1);
}

// In node_modules/.cache, like the benchmark's bundle: ignored by git, eslint and prettier, and
// resolving the project's packages. One per run, so that two runs at once keep their own.
const bundle = `node_modules/.cache/appvend-faults/main-${process.pid}.js`;

await build({
  entryPoints: ['test/faults/main.ts'],
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  packages: 'external',
  outfile: bundle,
  logLevel: 'warning',
});

const run = spawnSync(process.execPath, [bundle, ...matrixArgs], { stdio: 'inherit', env });
rmSync(bundle, { force: true });
process.exit(run.status ?? 1);
