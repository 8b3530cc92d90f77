// What `npm run bench` and `npm run faults` share: build dist/ (what the CLI runs: state machines,
// templates, CLI bundle) unless `--no-build` or a help-like option says otherwise, bundle a
// TypeScript entry point with esbuild and run it with the remaining arguments, exiting with its
// status.
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';

/**
 * @param {object} options
 * @param {string} options.entryPoint the TypeScript file to bundle and run
 * @param {string} options.name the bundle's directory under node_modules/.cache
 * @param {string} options.rootVariable the environment variable that tells the program the project root
 * @param {string[]} options.skipBuildFor options that need no build (help, rendering saved results)
 */
export async function runBundled({ entryPoint, name, rootVariable, skipBuildFor }) {
  const args = process.argv.slice(2);
  const skipBuild = args.includes('--no-build');
  const programArgs = args.filter((a) => a !== '--no-build');
  const env = {
    ...process.env,
    POWERTOOLS_LOG_LEVEL: process.env.POWERTOOLS_LOG_LEVEL || 'SILENT',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    POWERTOOLS_METRICS_DISABLED: process.env.POWERTOOLS_METRICS_DISABLED || 'true',
    [rootVariable]: process.cwd(),
  };

  if (!skipBuild && !skipBuildFor.some((a) => programArgs.includes(a))) {
    const built = spawnSync(process.execPath, ['scripts/build.mjs'], { stdio: 'inherit', env });
    if (built.status !== 0) process.exit(built.status ?? 1);
  }

  // Not in .tmp/, a scratch directory other scripts share: node_modules/.cache is ignored by git,
  // eslint and prettier, and the bundle resolves the project's packages from there. One per run, so
  // that two runs at once do not replace each other's bundle.
  const bundle = `node_modules/.cache/${name}/main-${process.pid}.js`;

  await build({
    entryPoints: [entryPoint],
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    packages: 'external',
    outfile: bundle,
    logLevel: 'warning',
  });

  const run = spawnSync(process.execPath, [bundle, ...programArgs], { stdio: 'inherit', env });
  rmSync(bundle, { force: true });
  process.exit(run.status ?? 1);
}
