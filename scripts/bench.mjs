// `npm run bench`: builds what the CLI runs (state machine, templates, CLI bundle), bundles the
// benchmark and runs it. Options go to bench/main.ts (`npm run bench -- --help`); `--no-build`
// skips the build when dist/ is known to be current.
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';

const args = process.argv.slice(2);
const skipBuild = args.includes('--no-build');
const benchArgs = args.filter((a) => a !== '--no-build');
const env = {
  ...process.env,
  POWERTOOLS_LOG_LEVEL: process.env.POWERTOOLS_LOG_LEVEL || 'SILENT',
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  APPVEND_BENCH_ROOT: process.cwd(),
};

if (!skipBuild && !['--help', '-h', '--render'].some((a) => benchArgs.includes(a))) {
  const built = spawnSync(process.execPath, ['scripts/build.mjs'], { stdio: 'inherit', env });
  if (built.status !== 0) process.exit(built.status ?? 1);
}

// Not in .tmp/, a scratch directory other scripts share: node_modules/.cache is ignored by git,
// eslint and prettier, and the bundle resolves the project's packages from there. One per run, so
// that two runs at once do not replace each other's bundle.
const bundle = `node_modules/.cache/appvend-bench/main-${process.pid}.js`;

await build({
  entryPoints: ['bench/main.ts'],
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  packages: 'external',
  outfile: bundle,
  logLevel: 'warning',
});

const run = spawnSync(process.execPath, [bundle, ...benchArgs], { stdio: 'inherit', env });
rmSync(bundle, { force: true });
process.exit(run.status ?? 1);
