import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ledgerFileOf } from '../../cli/backends';
import { acquireStateLock, lockFileOf } from '../../cli/state-lock';
import type { ApplicationRecord } from '../../shared/ledger/record';
import type { SandboxStateJson } from '../../shared/sandbox';
import { PROJECT_ROOT, runAppvend } from '../support/cli';

const { mkdtempSync, readFileSync, readdirSync, writeFileSync, existsSync } = fs;

const sample = JSON.parse(
  readFileSync(join(PROJECT_ROOT, 'events/application-request.json'), 'utf8'),
) as Record<string, unknown>;

/** The CLI as a separate process, resolved when it exits (so several run at once). */
function appvendAsync(args: string[], env: Record<string, string> = {}) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, [join(PROJECT_ROOT, 'bin/appvend.js'), ...args], {
      cwd: PROJECT_ROOT,
      env: {
        ...Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('APPVEND_'))),
        ...env,
      },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** A request for application `name` with one stage, written to `dir`. */
function requestFile(dir: string, name: string): string {
  const file = join(dir, `${name}.json`);
  writeFileSync(file, JSON.stringify({ ...sample, name, stages: ['test'] }));
  return file;
}

const readState = (file: string) =>
  (JSON.parse(readFileSync(file, 'utf8')) as { sandbox: SandboxStateJson }).sandbox;
const readLedger = (file: string) =>
  (JSON.parse(readFileSync(ledgerFileOf(file), 'utf8')) as { applications: ApplicationRecord[] })
    .applications;
const ouNames = (state: SandboxStateJson) => Object.values(state.ous).map((ou) => ou.name);

describe('CLI: the local store', () => {
  it('keeps all eight applications of eight vends run at once on one state directory', async () => {
    // Prepare
    const dir = mkdtempSync(join(tmpdir(), 'appvend-eight-'));
    const state = join(dir, 'sandbox.json');
    const names = ['app-a', 'app-b', 'app-c', 'app-d', 'app-e', 'app-f', 'app-g', 'app-h'];
    const files = names.map((name) => requestFile(dir, name));

    // Act
    const runs = await Promise.all(
      files.map((file) => appvendAsync(['vend', file, '--state', state, '--json'])),
    );

    // Assess
    expect(runs.map((r) => r.code)).toEqual(names.map(() => 0));
    expect(ouNames(readState(state)).sort()).toEqual(['Suspended', ...names.map((n) => `appvend-${n}`)]);
    expect(
      readLedger(state)
        .map((r) => [r.name, r.status])
        .sort(),
    ).toEqual(names.map((n) => [n, 'SUCCEEDED']));
    // The ones that waited said so; the lock and every temporary file are gone.
    expect(runs.some((r) => r.stderr.includes('is using this state directory'))).toBe(true);
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp') || f.endsWith('.lock'))).toEqual([]);
    // Eight CLI processes one after another on a shared machine: a guard against a hang only.
  }, 600_000);

  it('keeps both a vend and an offboarding run at once', async () => {
    // Prepare
    const dir = mkdtempSync(join(tmpdir(), 'appvend-both-'));
    const state = join(dir, 'sandbox.json');
    expect(runAppvend(['vend', requestFile(dir, 'leaving'), '--state', state]).code).toBe(0);

    // Act
    const [vend, offboard] = await Promise.all([
      appvendAsync(['vend', requestFile(dir, 'arriving'), '--state', state]),
      appvendAsync(['offboard', 'leaving', '--confirm', 'leaving', '--state', state]),
    ]);

    // Assess
    expect(vend.code).toBe(0);
    expect(offboard.code).toBe(0);
    expect(ouNames(readState(state))).toEqual(expect.arrayContaining(['appvend-arriving']));
    expect(ouNames(readState(state))).not.toContain('appvend-leaving');
    const statuses = Object.fromEntries(readLedger(state).map((r) => [r.name, r.status]));
    expect(statuses).toEqual({ arriving: 'SUCCEEDED', leaving: 'OFFBOARDED' });
    // Three CLI processes on a shared machine: a guard against a hang only.
  }, 300_000);

  it('keeps each state file its own ledger: --fresh on one leaves the other alone', () => {
    // Prepare
    const dir = mkdtempSync(join(tmpdir(), 'appvend-two-'));
    const a = join(dir, 'a.json');
    const b = join(dir, 'b.json');
    expect(runAppvend(['vend', requestFile(dir, 'first'), '--state', a]).code).toBe(0);

    // Act
    const fresh = runAppvend(['vend', requestFile(dir, 'second'), '--state', b, '--fresh']);

    // Assess
    expect(fresh.code).toBe(0);
    expect(ledgerFileOf(a)).toBe(join(dir, 'a.ledger.json'));
    expect(readLedger(a).map((r) => r.name)).toEqual(['first']);
    expect(readLedger(b).map((r) => r.name)).toEqual(['second']);
    expect(JSON.parse(runAppvend(['status', '--state', a, '--json']).stdout)).toEqual([
      expect.objectContaining({ name: 'first', status: 'SUCCEEDED' }),
    ]);
  });

  it('takes over a lock left by a process that is gone, and waits for a live one', async () => {
    // Prepare: a lock whose process no longer runs (pid 2^22 + 1 is above Linux's pid_max default)
    const dir = mkdtempSync(join(tmpdir(), 'appvend-lock-'));
    writeFileSync(lockFileOf(dir), JSON.stringify({ pid: 4_194_305, command: 'vend', since: 'then' }));
    const waits: string[] = [];

    // Act
    const lock = await acquireStateLock(dir, 'test', (holder) => waits.push(String(holder?.pid)));
    const second = acquireStateLock(dir, 'second', (holder) => waits.push(`waiting for ${holder?.pid}`), 5);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const heldWhileWaiting = JSON.parse(readFileSync(lockFileOf(dir), 'utf8')) as { command: string };
    lock.release();
    const next = await second;

    // Assess
    expect(waits).toEqual([`waiting for ${process.pid}`]);
    expect(heldWhileWaiting.command).toBe('test');
    expect(JSON.parse(readFileSync(lockFileOf(dir), 'utf8'))).toMatchObject({ command: 'second' });
    next.release();
    expect(existsSync(lockFileOf(dir))).toBe(false);
  });

  it('has the organization saved before the ledger says SUCCEEDED: a kill right after it leaves no "done" without its OU', () => {
    // Prepare
    const dir = mkdtempSync(join(tmpdir(), 'appvend-kill-'));
    const state = join(dir, 'sandbox.json');
    const file = requestFile(dir, 'orders');

    // Act: killed the moment the ledger says SUCCEEDED
    const killed = spawnSync(
      process.execPath,
      [
        '--require',
        join(PROJECT_ROOT, 'test/support/kill-after-ledger.js'),
        join(PROJECT_ROOT, 'bin/appvend.js'),
      ].concat(['vend', file, '--state', state]),
      { cwd: PROJECT_ROOT, encoding: 'utf8' },
    );
    const again = runAppvend(['vend', file, '--state', state]);

    // Assess
    expect(killed.signal).toBe('SIGKILL');
    expect(readLedger(state).map((r) => r.status)).toEqual(['SUCCEEDED']);
    expect(ouNames(readState(state))).toContain('appvend-orders');
    expect(again.code).toBe(0);
    expect(again.stderr).toContain('already vended');
  });
});
