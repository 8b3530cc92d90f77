'use strict';
// Loads the CLI bundle with a V8 code cache made when it was built: Node then skips compiling the
// bundle's 5 MB of JavaScript at every start (about 0.2 s of `appvend --help`'s 0.55 s). Without a
// cache for this bundle and this Node.js the bundle is compiled as `require` would; when V8
// refuses a cache (other flags) it compiles the source itself. The cache only ever saves time.
const { createHash } = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const vm = require('node:vm');
const Module = require('node:module');

/**
 * The cache of a bundle's `source` for this Node.js. V8's cached data is valid for the V8 that
 * made it only, and V8 checks no more of the source than its length: the name carries the
 * source's hash, so that a rebuilt bundle never runs another build's code.
 */
function codeCachePath(bundle, source) {
  const hash = createHash('sha256').update(source).digest('hex').slice(0, 16);
  return `${bundle}.${hash}.node-${process.version}-${process.arch}.cache`;
}

/** Runs a CommonJS bundle as `require` does, compiled with V8's `cachedData` when given. */
function runBundle(filename, source, cachedData) {
  const script = new vm.Script(Module.wrap(source.toString('utf8')), {
    filename,
    cachedData,
    // The bundle imports two Node.js built-ins with import(), as Node's own loader resolves them.
    importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
  });
  const loaded = new Module(filename, module);
  loaded.filename = filename;
  const run = script.runInThisContext();
  run.call(
    loaded.exports,
    loaded.exports,
    Module.createRequire(filename),
    loaded,
    filename,
    path.dirname(filename),
  );
  loaded.loaded = true;
  return { exports: loaded.exports, script };
}

/**
 * Loads the bundle, through its code cache when the build left one for this Node.js: its exports,
 * and whether a cache was found and V8 took it (`used`), refused it (`rejected`), or there was none.
 */
function loadBundle(bundle) {
  const filename = path.resolve(bundle);
  const source = fs.readFileSync(filename);
  const cache = codeCachePath(filename, source);
  if (!fs.existsSync(cache)) return { exports: require(filename), cache: 'none' };
  const { exports, script } = runBundle(filename, source, fs.readFileSync(cache));
  return { exports, cache: script.cachedDataRejected ? 'rejected' : 'used' };
}

/** The bundle's exports, as `require(bundle)` returns them (see {@link loadBundle}). */
function requireBundle(bundle) {
  return loadBundle(bundle).exports;
}

/**
 * Writes the bundle's code cache for this Node.js, made after its top level ran, so that it holds
 * the functions a start compiles, not only the outermost one; removes the caches of earlier builds.
 * Returns the cache's path.
 */
function writeCodeCache(bundle) {
  const filename = path.resolve(bundle);
  const source = fs.readFileSync(filename);
  const cache = codeCachePath(filename, source);
  const prefix = `${path.basename(filename)}.`;
  for (const name of fs.readdirSync(path.dirname(filename))) {
    if (name.startsWith(prefix) && name.endsWith('.cache'))
      fs.rmSync(path.join(path.dirname(filename), name));
  }
  const { script } = runBundle(filename, source, undefined);
  // Written aside and renamed: a CLI starting meanwhile finds the whole cache or none.
  const partial = `${cache}.${process.pid}.partial`;
  fs.writeFileSync(partial, script.createCachedData());
  fs.renameSync(partial, cache);
  return cache;
}

module.exports = { codeCachePath, loadBundle, requireBundle, writeCodeCache };
