import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

interface CodeCache {
  codeCachePath(bundle: string, source: Buffer | string): string;
  loadBundle(bundle: string): { exports: Record<string, unknown>; cache: 'used' | 'rejected' | 'none' };
  writeCodeCache(bundle: string): string;
}

// bin/ is plain JavaScript that Node runs without a build step.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { loadBundle, writeCodeCache } = require('../../bin/code-cache.js') as CodeCache;

describe('CLI: the bundle loaded through its V8 code cache (bin/code-cache.js)', () => {
  let dir: string;
  let bundle: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'appvend-code-cache-'));
    bundle = join(dir, 'cli.js');
  });

  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  /** A bundle whose exports say which build it is; every build has the same length. */
  function build(version: number): void {
    writeFileSync(
      bundle,
      `'use strict';\nexports.version = ${version};\nexports.twice = (n) => 2 * n;\n` +
        `exports.importBuiltIn = () => import('node:path').then((m) => typeof m.join);\n` +
        `exports.file = __filename;\n`,
    );
  }

  it('runs the bundle from the cache the build wrote, with its exports, __filename and import()', async () => {
    // Arrange
    build(1);
    const cache = writeCodeCache(bundle);

    // Act
    const loaded = loadBundle(bundle);

    // Assess
    expect(existsSync(cache)).toBe(true);
    expect(loaded.cache).toBe('used');
    expect(loaded.exports.version).toBe(1);
    expect((loaded.exports.twice as (n: number) => number)(21)).toBe(42);
    expect(loaded.exports.file).toBe(bundle);
    await expect((loaded.exports.importBuiltIn as () => Promise<string>)()).resolves.toBe('function');
  });

  it("never runs an earlier build's code: a rebuilt bundle of the same length finds no cache", () => {
    // Arrange: V8 checks no more of the source than its length, so the cache's name must.
    build(1);
    writeCodeCache(bundle);
    build(2);

    // Act
    const loaded = loadBundle(bundle);

    // Assess
    expect(loaded.cache).toBe('none');
    expect(loaded.exports.version).toBe(2);
  });

  it('loads the bundle as require does when the build left no cache', () => {
    // Arrange
    build(3);

    // Act
    const loaded = loadBundle(bundle);

    // Assess
    expect(loaded.cache).toBe('none');
    expect(loaded.exports.version).toBe(3);
  });

  it("keeps one cache: writing it again removes the earlier builds' caches", () => {
    // Arrange
    build(1);
    writeCodeCache(bundle);
    build(2);

    // Act
    const cache = writeCodeCache(bundle);

    // Assess
    expect(readdirSync(dir).filter((name) => name.endsWith('.cache'))).toEqual([cache.slice(dir.length + 1)]);
  });
});
