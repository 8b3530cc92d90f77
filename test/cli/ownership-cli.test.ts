import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ApplicationRecord } from '../../shared/ledger/record';
import { runAppvend as appvend } from '../support/cli';

describe('CLI: who owns an application', () => {
  const dir = mkdtempSync(join(tmpdir(), 'appvend-ownership-'));
  const state = join(dir, 'sandbox.json');
  const ledgerFile = join(dir, 'sandbox.ledger.json');
  const readLedger = () =>
    JSON.parse(readFileSync(ledgerFile, 'utf8')) as { applications: ApplicationRecord[] };

  beforeAll(() => {
    expect(appvend(['vend', 'events/application-request.json', '--state', state, '--json']).code).toBe(0);
  });

  it('records the caller STS names as the owner', () => {
    // Act
    const [record] = readLedger().applications;

    // Assess
    expect(record!.principals).toEqual([expect.stringMatching(/^arn:aws:iam::\d{12}:user\/.+$/)]);
  });

  it("neither shows nor changes nor offboards another principal's application, writing nothing", () => {
    // Prepare: the application belongs to another team's role
    const saved = readLedger();
    saved.applications[0]!.principals = ['arn:aws:iam::444444444444:role/payments-team'];
    writeFileSync(ledgerFile, JSON.stringify(saved));
    const before = readFileSync(ledgerFile, 'utf8');

    // Act
    const list = appvend(['status', '--state', state]);
    const one = appvend(['status', 'orders', '--state', state]);
    const again = appvend(['vend', 'events/application-request.json', '--state', state]);
    const offboard = appvend(
      ['offboard', 'orders', '--confirm', 'orders', '--close-accounts', '--state', state],
      {
        APPVEND_SUSPENDED_OU_ID: 'ou-abcd-12345678',
      },
    );

    const reconcile = appvend(['reconcile', 'orders', '--apply', '--state', state]);
    const reconcileAll = appvend(['reconcile', '--all', '--apply', '--state', state, '--json']);

    // Assess
    expect(reconcile.code).toBe(1);
    expect(reconcile.stderr).toContain('does not own application "orders"');
    expect(reconcileAll.stderr).toContain('reconciling 0 application(s)');
    expect(list.stdout).toBe('No applications yet.\n');
    expect(one.code).toBe(1);
    expect(one.stderr).toContain('no application named orders');
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/refused: arn:aws:iam::\d{12}:user\/.+ does not own application "orders"/);
    expect(offboard.code).toBe(1);
    expect(offboard.stderr).toContain('does not own application "orders"');
    expect(readFileSync(ledgerFile, 'utf8')).toBe(before);
  });

  it('refuses a platform administrators setting that is not role ARNs, naming it', () => {
    // Act
    const { code, stderr } = appvend(['status', '--state', state], {
      APPVEND_PLATFORM_ADMINS: 'admin@example.com',
    });

    // Assess
    expect(code).toBe(1);
    expect(stderr).toContain('"admin@example.com" must be IAM role ARNs');
  });
});
