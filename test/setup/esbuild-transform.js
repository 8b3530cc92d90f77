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

module.exports = {
  process(source, path) {
    const { code, map } = transformSync(source, {
      loader: /\.tsx?$/.test(path) ? 'ts' : 'js',
      format: 'cjs',
      target: 'node20',
      platform: 'node',
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
      .update(path)
      .update('\0')
      .update(source)
      .digest('hex');
  },
};
