import { mkdtempSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnMotoServer } from './moto-command';

/**
 * A pool of moto servers shared by the moto suites of one jest run. Each suite used to start a
 * private `moto_server` and wait for it (seconds of Python start-up, during which its worker sat
 * idle); the pool's servers start once, before the suites, while the first suites run. A suite
 * takes a server for itself (`startMoto` in test/support/moto.ts), resets it (moto's
 * `POST /moto-api/reset`) and gives it back when it stops, so suites stay isolated from each
 * other: no two hold the same server at once.
 *
 * The pool is a directory of files named `free-<port>` (a server anyone may take) and
 * `busy-<port>` (taken): taking is an atomic rename, so two workers never take the same server.
 * `.ci/run`'s server (MOTO_ENDPOINT) joins the pool; the others are started here, one per jest
 * worker. A suite that finds the pool empty starts a private server, as before.
 */
export const MOTO_POOL_VARIABLE = 'APPVEND_MOTO_POOL';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/** Whether the run may include a moto suite: all suites, or a path pattern that names one. */
function runsMotoSuites(patterns: readonly string[]): boolean {
  return patterns.length === 0 || patterns.some((p) => /moto/i.test(p));
}

export default async function globalSetup(
  globalConfig: { maxWorkers: number; testPathPatterns?: { patterns?: string[] } },
  _projectConfig?: unknown,
): Promise<void> {
  if (!runsMotoSuites(globalConfig.testPathPatterns?.patterns ?? [])) return;
  const dir = mkdtempSync(join(tmpdir(), 'appvend-moto-pool-'));
  // Read by the workers, which jest starts after this, and by the teardown.
  process.env[MOTO_POOL_VARIABLE] = dir;
  const shared = process.env.MOTO_ENDPOINT;
  if (shared) writeFileSync(join(dir, `free-${new URL(shared).port}`), '');
  const wanted = Math.max(0, Math.max(1, globalConfig.maxWorkers) - (shared ? 1 : 0));
  for (let i = 0; i < wanted; i += 1) {
    const port = await freePort();
    // Not waited for: a suite that takes it waits until it answers (test/support/moto.ts).
    const child = spawnMotoServer(port);
    child.on('error', () => rmSync(join(dir, `free-${port}`), { force: true }));
    if (child.pid === undefined) continue;
    child.unref();
    writeFileSync(join(dir, `pid-${child.pid}`), '');
    writeFileSync(join(dir, `free-${port}`), '');
  }
}

/** Stops the servers the setup started (not `.ci/run`'s) and removes the pool. */
export function stopPool(): void {
  const dir = process.env[MOTO_POOL_VARIABLE];
  if (!dir) return;
  for (const name of readdirSync(dir).filter((n) => n.startsWith('pid-'))) {
    try {
      process.kill(Number(name.slice('pid-'.length)), 'SIGTERM');
    } catch {
      // already gone
    }
  }
  rmSync(dir, { recursive: true, force: true });
  delete process.env[MOTO_POOL_VARIABLE];
}

/** Takes a free server of the pool for this suite alone: its port, or undefined when none is free. */
export function takePooledServer(): number | undefined {
  const dir = process.env[MOTO_POOL_VARIABLE];
  if (!dir) return undefined;
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return undefined;
  }
  for (const name of names.filter((n) => n.startsWith('free-'))) {
    const port = Number(name.slice('free-'.length));
    try {
      renameSync(join(dir, name), join(dir, `busy-${port}`));
      return port;
    } catch {
      // another worker took it first
    }
  }
  return undefined;
}

/** Gives a server taken with `takePooledServer` back to the pool. */
export function returnPooledServer(port: number): void {
  const dir = process.env[MOTO_POOL_VARIABLE];
  if (!dir) return;
  try {
    renameSync(join(dir, `busy-${port}`), join(dir, `free-${port}`));
  } catch {
    // the pool is gone (the run is ending)
  }
}
