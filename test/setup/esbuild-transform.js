// jest transform: TypeScript, and the ES modules of @middy, to CommonJS with esbuild (already the
// project's bundler). ts-jest compiled every file with the TypeScript compiler although it only
// transpiled (type-checking is `tsc --noEmit`, in `npm run lint`); esbuild does the same
// transpilation in a fraction of the time. Nothing to hoist: the tests use no jest.mock.
const { transformSync } = require('esbuild');
const { createHash } = require('node:crypto');
const { readFileSync } = require('node:fs');
const { join } = require('node:path');

const ESBUILD_VERSION = require('esbuild/package.json').version;
const TSCONFIG = readFileSync(join(__dirname, '../../tsconfig.json'), 'utf8');
// This file's own options are part of what a cached transform depends on.
const SELF = readFileSync(__filename, 'utf8');

module.exports = {
  process(source, path) {
    const { code, map } = transformSync(source, {
      loader: /\.tsx?$/.test(path) ? 'ts' : 'js',
      format: 'cjs',
      target: 'node20',
      platform: 'node',
      // import() becomes require(), as TypeScript's CommonJS output has it: jest's module registry
      // runs CommonJS, and a real dynamic import needs --experimental-vm-modules.
      supported: { 'dynamic-import': false },
      sourcefile: path,
      sourcemap: 'external',
      sourcesContent: false,
      // The project's compiler options (class fields as ES2022 defines them, and the like).
      tsconfigRaw: TSCONFIG,
    });
    return { code, map };
  },
  getCacheKey(source, path) {
    return createHash('sha256')
      .update(ESBUILD_VERSION)
      .update('\0')
      .update(TSCONFIG)
      .update('\0')
      .update(SELF)
      .update('\0')
      .update(path)
      .update('\0')
      .update(source)
      .digest('hex');
  },
};
