import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { colourEnabled, painter } from '../../cli/colour';
import { COMMANDS } from '../../cli/commands';
import { ganttChart, type VendReportData } from '../../cli/report';
import { PROJECT_ROOT, runAppvend } from '../support/cli';

const appvend = (...args: string[]) => runAppvend(args);
const scratch = () => mkdtempSync(join(tmpdir(), 'appvend-usage-'));

describe('CLI: how each command is called', () => {
  it('help <command> and <command> --help print that command only', () => {
    // Act
    const help = appvend('help', 'vend');
    const flag = appvend('vend', '--help');
    const all = appvend('help');

    // Assess
    expect(help.code).toBe(0);
    expect(flag.stdout).toBe(help.stdout);
    expect(help.stdout).toContain('appvend vend <request.json>');
    for (const other of ['appvend offboard', 'appvend reconcile', 'appvend validate', 'appvend status']) {
      expect(help.stdout).not.toContain(other);
      expect(all.stdout).toContain(other);
    }
  });

  it('help of an unknown command is a usage error', () => {
    // Act
    const { code, stderr } = appvend('help', 'vnd');

    // Assess
    expect(code).toBe(2);
    expect(stderr).toContain('unknown command "vnd"');
  });

  it('--version prints the version in package.json', () => {
    // Prepare
    const pkg = JSON.parse(readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8')) as { version: string };

    // Act
    const { code, stdout } = appvend('--version');

    // Assess
    expect(code).toBe(0);
    expect(stdout).toBe(`appvend ${pkg.version}\n`);
  });

  it('refuses an extra argument, naming it, for every command', () => {
    // Act
    const validate = appvend('validate', 'events/application-request.json', 'b.json');
    const status = appvend('status', 'orders', 'extra', '--state', join(scratch(), 's.json'));

    // Assess
    expect(validate.code).toBe(2);
    expect(validate.stderr).toContain('unexpected argument "b.json": validate takes <request.json> only');
    expect(validate.stdout).toBe('');
    expect(status.code).toBe(2);
    expect(status.stderr).toContain('unexpected argument "extra"');
  });

  it.each([
    [['vend', 'events/application-request.json', '--endpoint', 'http://127.0.0.1:1', '--fresh'], '--fresh'],
    [['vend', 'events/application-request.json', '--aws', '--state', 'x.json'], '--state'],
    [['status', '--aws', '--state', 'x.json'], '--state'],
    [['resume', 'orders', '--endpoint', 'http://127.0.0.1:1', '--latency', 'createAccount=1m'], '--latency'],
  ])('refuses a sandbox-only option with another backend: %j', (args, option) => {
    // Act: refused before any backend is reached (the endpoint does not exist)
    const { code, stderr } = runAppvend(args);

    // Assess
    expect(code).toBe(2);
    expect(stderr).toContain(`${option} applies to the sandbox only`);
  });

  it('every command in the table is in the whole help', () => {
    // Act
    const { stdout } = appvend('--help');

    // Assess
    for (const name of Object.keys(COMMANDS)) expect(stdout).toContain(`appvend ${name} `);
  });

  it('reads a request that starts with a UTF-8 byte order mark', () => {
    // Prepare
    const file = join(scratch(), 'bom.json');
    writeFileSync(
      file,
      `\ufeff${readFileSync(join(PROJECT_ROOT, 'events/application-request.json'), 'utf8')}`,
    );

    // Act
    const { code, stdout } = appvend('validate', file);

    // Assess
    expect(code).toBe(0);
    expect(stdout).toContain('valid — application orders');
  });
});

describe('CLI: progress lines', () => {
  it('marks a failed step ✗ and a done one ✔, with a waiting line for each account being created', () => {
    // Prepare: the new accounts' role does not answer for two hours, beyond the readiness probe
    const state = join(scratch(), 'sandbox.json');

    // Act
    const { code, stderr } = appvend(
      'vend',
      'events/application-request.json',
      '--state',
      state,
      '--latency',
      'accessRolePropagation=2h',
    );

    // Assess
    expect(code).toBe(1);
    expect(stderr).toMatch(/✔ EnsureOrganizationalUnit/);
    expect(stderr).toMatch(/✗ VendAccounts \(failed after /);
    expect(stderr).not.toMatch(/✔ VendAccounts/);
    for (const stage of ['tooling', 'test', 'prod']) {
      expect(stderr).toMatch(new RegExp(`… account ${stage}: waiting for AWS to create it`));
    }
    // Not a terminal: no escape codes.
    expect(stderr).not.toContain('\u001b[');
  });

  it('colours only a terminal, and never with NO_COLOR set', () => {
    // Act / Assess
    expect(colourEnabled({ isTTY: true }, {})).toBe(true);
    expect(colourEnabled({ isTTY: true }, { NO_COLOR: '1' })).toBe(false);
    expect(colourEnabled({ isTTY: true }, { NO_COLOR: '' })).toBe(true);
    expect(colourEnabled({ isTTY: false }, {})).toBe(false);
    expect(colourEnabled({}, {})).toBe(false);
    expect(painter(false)('red', '✗')).toBe('✗');
    expect(painter(true)('red', '✗')).toBe('\u001b[31m✗\u001b[0m');
  });
});

describe('CLI: --report', () => {
  it('is written for a request already vended, with the organization as it is', () => {
    // Prepare
    const dir = scratch();
    const state = join(dir, 'sandbox.json');
    const report = join(dir, 'report.md');
    expect(appvend('vend', 'events/application-request.json', '--state', state).code).toBe(0);

    // Act
    const again = appvend('vend', 'events/application-request.json', '--state', state, '--report', report);

    // Assess
    expect(again.code).toBe(0);
    expect(again.stderr).toContain('nothing to do');
    const text = readFileSync(report, 'utf8');
    expect(text).toContain('# Vend of orders: SUCCEEDED');
    expect(text).toContain('Already vended by request');
    expect(text).toMatch(/tooling CreateAccount \(AWS\) :active, t\d+, 00:00:00, 00:03:00/);
    expect(text).toContain('appvend-orders-pipeline');
  });

  it('draws a vend longer than a day without cutting its bars at 23:59:59', () => {
    // Prepare: a CreateAccount that took 30 hours
    const start = Date.UTC(2026, 0, 1);
    const data = {
      application: 'orders',
      status: 'SUCCEEDED',
      backend: 'the sandbox',
      startedAt: start,
      endedAt: start + 31 * 3_600_000,
      steps: [],
      tasks: [],
      transitions: 0,
      stages: { '200000000001': 'tooling' },
      createAccountRequests: [
        {
          accountName: 'orders-tooling',
          state: 'SUCCEEDED',
          requestedAt: start,
          completedAt: start + 30 * 3_600_000,
        },
      ],
      operations: [],
      ouPath: [],
      ouAccounts: [],
      ouPolicies: [],
      scpStatements: [],
      stackInstances: [],
      conformancePackRules: [],
      guardrails: [],
      unavailable: [],
    } as unknown as VendReportData;

    // Act
    const chart = ganttChart(data);

    // Assess
    expect(chart).toContain('dateFormat YYYY-MM-DD HH:mm:ss');
    expect(chart).toMatch(/CreateAccount \(AWS\) :active, t\d+, 2000-01-01 00:00:00, 2000-01-02 06:00:00/);
  });
});
