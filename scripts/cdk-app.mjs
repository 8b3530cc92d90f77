// The CDK CLI's entry point (cdk.json "app"): bundles infra/app.ts with esbuild into .tmp/ and runs
// it, so `npx cdk synth|deploy` need neither ts-node nor Docker. Packages stay external, except
// @middy, which ships only as ES modules (the handlers are imported for their environment schemas).
import { build } from 'esbuild';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

const root = fileURLToPath(new URL('..', import.meta.url));
const outfile = join(root, '.tmp', 'service-app.js');

const externalPackages = {
  name: 'external-packages',
  setup(builder) {
    builder.onResolve({ filter: /^[^./]/ }, (args) =>
      args.path.startsWith('@middy/') ? undefined : { path: args.path, external: true },
    );
  },
};

await build({
  entryPoints: [join(root, 'infra', 'app.ts')],
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  outfile,
  sourcemap: 'inline',
  plugins: [externalPackages],
  logLevel: 'warning',
});
process.setSourceMapsEnabled(true);
createRequire(import.meta.url)(outfile);
