import { randomUUID } from 'node:crypto';
import {
  closeSync,
  linkSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';

/**
 * One writer at a time per sandbox state directory. The sandbox's organization lives in memory
 * for the whole command and is written back at its end, so two commands on one directory at once
 * would each write back their own copy and lose the other's changes. The lock is a file created
 * with O_EXCL (exactly one creator wins, on every local file system) that names its holder's pid;
 * a command that finds it waits for it, saying so once, and takes over a lock whose process is gone.
 */

/** The lock file of a state directory. */
export const lockFileOf = (directory: string): string => join(directory, 'appvend.lock');

interface Holder {
  pid: number;
  command: string;
  since: string;
}

function readHolder(file: string): Holder | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Holder;
  } catch {
    // Being written (between create and write) or already removed: treat as held, look again.
    return undefined;
  }
}

/** Whether a process with this id runs (signal 0 checks without sending anything). */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function tryCreate(file: string, holder: Holder): boolean {
  let fd: number;
  try {
    fd = openSync(file, 'wx');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
  try {
    writeSync(fd, JSON.stringify(holder));
  } finally {
    closeSync(fd);
  }
  return true;
}

/**
 * Moves a stale lock file aside. Another waiter may have replaced it with its own live lock in the
 * meantime: then what was moved is put back (link fails if yet another one took the name, and that
 * one holds the lock).
 */
function takeOverStale(file: string): void {
  const aside = `${file}.${process.pid}.${randomUUID()}.stale`;
  try {
    renameSync(file, aside);
  } catch {
    return; // already moved by another waiter
  }
  const moved = readHolder(aside);
  if (moved && isAlive(moved.pid)) {
    try {
      linkSync(aside, file);
    } catch {
      // the name is taken again: that holder has the lock
    }
  }
  rmSync(aside, { force: true });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A held lock: `release()` removes it (once; later calls do nothing). */
export interface StateLock {
  file: string;
  release(): void;
}

/**
 * Takes the lock of `directory`, waiting while another live process holds it. `onWait` is told
 * once who holds it. A lock file left by a process that no longer runs (killed, crashed) is
 * removed and taken. Released by `release()`, and at the latest when this process exits.
 */
export async function acquireStateLock(
  directory: string,
  command: string,
  onWait: (holder: Holder | undefined, file: string) => void,
  pollMs = 50,
): Promise<StateLock> {
  mkdirSync(directory, { recursive: true });
  const file = lockFileOf(directory);
  const me: Holder = { pid: process.pid, command, since: new Date().toISOString() };
  let told = false;
  let unreadable = 0;
  while (!tryCreate(file, me)) {
    const holder = readHolder(file);
    // A lock file that stays unreadable (empty: its writer died between create and write) is stale.
    unreadable = holder ? 0 : unreadable + 1;
    if ((holder && !isAlive(holder.pid)) || unreadable > 40) {
      unreadable = 0;
      takeOverStale(file);
      continue;
    }
    if (!told) {
      onWait(holder, file);
      told = true;
    }
    await sleep(pollMs);
  }
  let held = true;
  const release = () => {
    if (!held) return;
    held = false;
    process.removeListener('exit', release);
    // Only our own lock: never remove one a later holder took after a stale-lock takeover.
    if (readHolder(file)?.pid === process.pid) rmSync(file, { force: true });
  };
  process.on('exit', release);
  return { file, release };
}
