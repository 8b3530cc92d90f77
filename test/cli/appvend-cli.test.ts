import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runAppvend } from '../support/cli';

const appvend = (...args: string[]) => runAppvend(args);

describe('CLI: appvend', () => {
  it('documents every command in --help', () => {
    // Act
    const { code, stdout } = appvend('--help');

    // Assess
    expect(code).toBe(0);
    for (const word of [
      'validate',
      'vend',
      'resume',
      'plan',
      'reconcile',
      '--sandbox',
      '--endpoint',
      '--aws',
      '--json',
      '--fresh',
      '--state',
    ]) {
      expect(stdout).toContain(word);
    }
  });

  it('validate: exit 0 for a valid request', () => {
    // Act
    const { code, stdout } = appvend('validate', 'events/application-request.json');

    // Assess
    expect(code).toBe(0);
    expect(stdout).toContain('valid — application orders, accounts: tooling, test, prod');
  });

  it('validate: exit 1 and one line per problem naming the field', () => {
    // Act
    const { code, stderr } = appvend('validate', 'events/invalid/bad-name-and-stages.json');

    // Assess
    expect(code).toBe(1);
    const lines = stderr.trim().split('\n');
    expect(lines).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^events\/invalid\/bad-name-and-stages.json: name: /),
        'events/invalid/bad-name-and-stages.json: owner: must be a valid email address',
        'events/invalid/bad-name-and-stages.json: stages: stage names must be unique',
      ]),
    );
  });

  it('vend: refuses an invalid request before touching any backend', () => {
    // Prepare
    const state = join(mkdtempSync(join(tmpdir(), 'appvend-')), 'sandbox.json');

    // Act
    const { code, stderr } = appvend('vend', 'events/invalid/unknown-field.json', '--state', state);

    // Assess
    expect(code).toBe(1);
    expect(stderr).toContain('nmae: unknown field');
    expect(existsSync(state)).toBe(false);
  });

  it('vend --json: prints the summary and converges on a second run with the same ids', () => {
    // Prepare
    const state = join(mkdtempSync(join(tmpdir(), 'appvend-')), 'sandbox.json');

    // Act
    const first = appvend('vend', 'events/application-request.json', '--json', '--state', state);
    const second = appvend('vend', 'events/application-request.json', '--json', '--state', state);

    // Assess
    expect(first.code).toBe(0);
    const summary = JSON.parse(first.stdout) as Record<string, unknown>;
    expect(summary).toMatchObject({ application: 'orders', status: 'SUCCEEDED' });
    expect(Object.keys(summary)).toEqual(
      expect.arrayContaining([
        'organizationalUnit',
        'serviceControlPolicy',
        'accounts',
        'stackSets',
        'guardrails',
      ]),
    );
    expect(first.stderr).toContain('▶ VendAccounts');
    expect(second.code).toBe(0);
    const again = JSON.parse(second.stdout) as Record<string, unknown>;
    expect(again.accounts).toEqual(summary.accounts);
    expect(again.organizationalUnit).toEqual(summary.organizationalUnit);
  });

  it('resume: continues a failed vend at the step that failed; a vended application is left alone', () => {
    // Prepare: the new accounts' role does not answer for two hours, beyond the readiness probe
    const state = join(mkdtempSync(join(tmpdir(), 'appvend-')), 'sandbox.json');
    const failed = appvend(
      'vend',
      'events/application-request.json',
      '--state',
      state,
      '--latency',
      'accessRolePropagation=2h',
    );

    // Act: the role answers now
    const resumed = appvend('resume', 'orders', '--json', '--state', state);
    const again = appvend('resume', 'orders', '--state', state);
    const unknown = appvend('resume', 'nosuchapp', '--state', state);

    // Assess
    expect(failed.code).toBe(1);
    expect(failed.stderr).toContain('FAILED');
    expect(resumed.stderr).toContain('attempt 2 continues at VendAccounts, where attempt 1 failed');
    expect(resumed.stderr).not.toContain('▶ EnsureOrganizationalUnit');
    expect(resumed.code).toBe(0);
    expect(JSON.parse(resumed.stdout)).toMatchObject({ application: 'orders', status: 'SUCCEEDED' });
    expect(again.code).toBe(0);
    expect(again.stderr).toContain('nothing to resume');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('no application named nosuchapp');
  });

  it('reconcile: an application as vended is in line; a name or --all is required', () => {
    // Prepare
    const state = join(mkdtempSync(join(tmpdir(), 'appvend-')), 'sandbox.json');
    appvend('vend', 'events/application-request.json', '--state', state);

    // Act
    const one = appvend('reconcile', 'orders', '--state', state);
    const all = appvend('reconcile', '--all', '--json', '--state', state);
    const neither = appvend('reconcile', '--state', state);
    const unknown = appvend('reconcile', 'nosuchapp', '--state', state);

    // Assess
    expect(one.code).toBe(0);
    expect(one.stdout).toBe('orders: in line with its request\n');
    expect(all.code).toBe(0);
    expect(JSON.parse(all.stdout)).toEqual([{ application: 'orders', outcome: 'in-line', drift: [] }]);
    expect(neither.code).toBe(2);
    expect(neither.stderr).toContain('name an application, or use --all');
    expect(unknown.code).toBe(1);
  });

  it('exits 2 on a usage error', () => {
    // Act
    const { code, stderr } = appvend('vend', 'events/application-request.json', '--sandbox', '--aws');

    // Assess
    expect(code).toBe(2);
    expect(stderr).toContain('choose one of --sandbox, --endpoint URL, --aws');
  });
});
