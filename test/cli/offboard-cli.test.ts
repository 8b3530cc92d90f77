import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SandboxStateJson } from '../../shared/sandbox';
import { SUSPENDED_OU_ID } from '../../shared/sandbox/seed';
import { runAppvend } from '../support/cli';

const appvend = runAppvend;

describe('CLI: appvend offboard', () => {
  const dir = mkdtempSync(join(tmpdir(), 'appvend-offboard-'));
  const state = join(dir, 'sandbox.json');
  const ledger = join(dir, 'sandbox.ledger.json');
  // The sandbox's new organization has the suspended OU, with its deny-all SCP.
  const suspendedOu = SUSPENDED_OU_ID;

  beforeAll(() => {
    expect(appvend(['vend', 'events/application-request.json', '--state', state, '--json']).code).toBe(0);
  });

  it('refuses without --confirm, as a usage error', () => {
    // Act
    const { code, stderr } = appvend(['offboard', 'orders', '--state', state]);

    // Assess
    expect(code).toBe(2);
    expect(stderr).toContain('missing --confirm orders');
  });

  it('refuses a --confirm that is not the name, changing nothing anywhere', () => {
    // Prepare
    const before = [readFileSync(state, 'utf8'), readFileSync(ledger, 'utf8')];

    // Act
    const { code, stderr } = appvend(['offboard', 'orders', '--confirm', 'order', '--state', state], {
      APPVEND_SUSPENDED_OU_ID: suspendedOu,
    });

    // Assess
    expect(code).toBe(1);
    expect(stderr).toContain('refused: --confirm "order" does not match the application\'s name "orders"');
    expect([readFileSync(state, 'utf8'), readFileSync(ledger, 'utf8')]).toEqual(before);
  });

  it('refuses a suspended OU that does not exist before marking anything, naming the variable', () => {
    // Prepare
    const before = [readFileSync(state, 'utf8'), readFileSync(ledger, 'utf8')];

    // Act
    const { code, stderr } = appvend(['offboard', 'orders', '--confirm', 'orders', '--state', state], {
      APPVEND_SUSPENDED_OU_ID: 'ou-sbx1-nosuchou1',
    });
    const vend = appvend(['vend', 'events/application-request.json', '--state', state]);

    // Assess: nothing changed, and the application is still vended (not OFFBOARDING)
    expect(code).toBe(1);
    expect(stderr).toContain(
      'refused: APPVEND_SUSPENDED_OU_ID is ou-sbx1-nosuchou1, but there is no such OU in this organization; nothing was changed',
    );
    expect([readFileSync(state, 'utf8'), readFileSync(ledger, 'utf8')]).toEqual(before);
    expect(vend.code).toBe(0);
    expect(vend.stderr).toContain('already vended');
  });

  it("puts the accounts under the deny-all SCP of the sandbox's Suspended OU", () => {
    // Act
    const saved = JSON.parse(readFileSync(state, 'utf8')) as { sandbox: SandboxStateJson };

    // Assess
    expect(saved.sandbox.ous[suspendedOu]).toMatchObject({ name: 'Suspended' });
    const attached = saved.sandbox.attachments
      .filter((a) => a.targetId === suspendedOu)
      .map((a) => a.policyId);
    const denyAll = attached
      .map((id) => saved.sandbox.policies[id]!)
      .find((p) => p.content.includes('"Deny"'));
    expect(JSON.parse(denyAll!.content)).toEqual({
      Version: '2012-10-17',
      Statement: [{ Sid: 'DenyAll', Effect: 'Deny', Action: '*', Resource: '*' }],
    });
  });

  it('offboards with progress, then finds nothing to do; status shows OFFBOARDED', () => {
    // Act
    const first = appvend(['offboard', 'orders', '--confirm', 'orders', '--state', state], {
      APPVEND_SUSPENDED_OU_ID: suspendedOu,
    });
    const second = appvend(['offboard', 'orders', '--confirm', 'orders', '--state', state], {
      APPVEND_SUSPENDED_OU_ID: suspendedOu,
    });
    const status = appvend(['status', 'orders', '--json', '--state', state]);

    // Assess
    expect(first.code).toBe(0);
    expect(first.stderr).toContain('▶ RemoveStackSets');
    expect(first.stderr).toContain('✔ RemoveOrganizationalUnit');
    expect(first.stdout).toContain('orders: OFFBOARDED');
    expect(first.stdout).toContain('stack set appvend-orders-pipeline: deleted');
    expect(first.stdout).toContain(`in the suspended OU ${suspendedOu}`);
    expect(first.stdout).toContain('accounts not closed (use --close-accounts to close them)');
    expect(second.code).toBe(0);
    expect(second.stderr).toContain('orders is already offboarded; nothing to do');
    expect(second.stdout).toContain(
      'stack sets deleted: appvend-orders-pipeline, appvend-orders-artifact-store',
    );
    expect(JSON.parse(status.stdout)).toMatchObject({
      status: 'OFFBOARDED',
      history: [{ closeAccounts: false }],
    });
    const text = appvend(['status', 'orders', '--state', state]).stdout;
    expect(text).toContain('orders: OFFBOARDED');
    expect(text).toMatch(
      /offboarded \S+: removed 4 stack set\(s\), SCP p-\w+, OU ou-[\w-]+; 3 account\(s\) suspended, 0 closed/,
    );
  });
});
