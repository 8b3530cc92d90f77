// Builds what `appvend` runs: the CLI bundle, the vended templates and the state machine's ASL.
// Usage: node scripts/build.mjs [all|templates|cli]
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';

const what = process.argv[2] ?? 'all';
const outDir = 'dist';
mkdirSync('.tmp', { recursive: true });

if (what === 'all' || what === 'templates') {
  // The CDK code runs once at build time; nothing at run time loads aws-cdk-lib.
  await build({
    entryPoints: ['infra/build/write-artifacts.ts'],
    bundle: true,
    platform: 'node',
    target: 'node20',
    packages: 'external',
    outfile: '.tmp/write-artifacts.js',
    logLevel: 'warning',
  });
  execFileSync(
    process.execPath,
    ['.tmp/write-artifacts.js', outDir, what === 'templates' ? 'templates' : 'all'],
    {
      stdio: 'inherit',
    },
  );
}

if (what === 'all' || what === 'cli') {
  // Bundled with its dependencies: one file that starts fast and needs nothing else at run time.
  await build({
    entryPoints: ['cli/main.ts'],
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    outfile: `${outDir}/cli.js`,
    sourcemap: true,
    external: ['aws-cdk-lib', 'constructs'],
    logLevel: 'warning',
  });
  process.stderr.write(`wrote ${outDir}/cli.js\n`);
  // V8's code cache of the bundle for this Node.js (bin/code-cache.js), made in a process of its
  // own: the bundle's top level runs to make it, and the build's process stays as it was.
  const cache = execFileSync(
    process.execPath,
    [
      '-e',
      `process.stdout.write(require('node:path').relative('.', require('./bin/code-cache.js').writeCodeCache(${JSON.stringify(`${outDir}/cli.js`)})))`,
    ],
    { encoding: 'utf8' },
  );
  process.stderr.write(`wrote ${cache} (V8's code cache of the CLI, for Node.js ${process.version})\n`);
}
