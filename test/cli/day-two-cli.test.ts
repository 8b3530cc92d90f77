import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decideSubmission, removedStages, type ApplicationRecord } from '../../shared/ledger/record';
import { PROJECT_ROOT, runAppvend } from '../support/cli';

const sample = JSON.parse(
  readFileSync(join(PROJECT_ROOT, 'events/application-request.json'), 'utf8'),
) as Record<string, unknown>;

function requestFile(dir: string, file: string, request: Record<string, unknown>): string {
  const path = join(dir, file);
  writeFileSync(path, JSON.stringify({ ...sample, ...request }));
  return path;
}

describe('CLI: removing a stage from a request', () => {
  const dir = mkdtempSync(join(tmpdir(), 'appvend-stage-'));
  const state = join(dir, 'sandbox.json');
  const fewer = requestFile(dir, 'fewer.json', { stages: ['test'] });

  beforeAll(() => {
    expect(runAppvend(['vend', 'events/application-request.json', '--state', state]).code).toBe(0);
  });

  it('is planned as "remove stage prod: account …", which stops the vend', () => {
    // Act
    const { code, stdout } = runAppvend(['plan', fewer, '--state', state]);

    // Assess
    expect(code).toBe(1);
    expect(stdout).toMatch(/! VendAccounts: remove stage prod: account 2\d{11} \(orders-prod\) is in the OU/);
  });

  it('is refused by the vend, naming the stage and its account and what to do, changing nothing', () => {
    // Prepare
    const before = [readFileSync(state, 'utf8'), readFileSync(join(dir, 'sandbox.ledger.json'), 'utf8')];

    // Act
    const { code, stderr } = runAppvend(['vend', fewer, '--state', state]);

    // Assess
    expect(code).toBe(1);
    expect(stderr).toMatch(
      /refused: the request for "orders" no longer names stage prod \(account 2\d{11}\)/,
    );
    expect(stderr).toContain('offboard the application');
    expect([readFileSync(state, 'utf8'), readFileSync(join(dir, 'sandbox.ledger.json'), 'utf8')]).toEqual(
      before,
    );
  });

  it('adding a stage is no removal: the ledger lets it start', () => {
    // Prepare
    const record = {
      name: 'orders',
      status: 'SUCCEEDED',
      requestDigest: 'old',
      principals: ['arn:aws:iam::111111111111:role/team'],
      request: { ...sample },
      ids: { accounts: { tooling: '200000000001', test: '200000000002', prod: '200000000003' } },
    } as unknown as ApplicationRecord;
    const actor = { principal: 'arn:aws:iam::111111111111:role/team', admin: false };

    // Act
    const more = decideSubmission(record, { actor, digest: 'new', stages: ['test', 'prod', 'qa'] });
    const less = decideSubmission(record, { actor, digest: 'new', stages: ['prod'] });

    // Assess
    expect(more).toEqual({ kind: 'start', reason: 'changed' });
    expect(less).toMatchObject({ kind: 'conflict', reason: 'removes-stage' });
    expect(removedStages(record, ['prod'])).toEqual([{ stage: 'test', account: '200000000002' }]);
  });
});

describe('CLI: reconcile --all', () => {
  it('exits 1 when it skipped an application, naming it', () => {
    // Prepare: one application vended, one whose vend failed
    const dir = mkdtempSync(join(tmpdir(), 'appvend-skip-'));
    const state = join(dir, 'sandbox.json');
    expect(runAppvend(['vend', 'events/application-request.json', '--state', state]).code).toBe(0);
    const failing = requestFile(dir, 'billing.json', { name: 'billing', stages: ['test'] });
    expect(
      runAppvend(['vend', failing, '--state', state, '--latency', 'accessRolePropagation=2h']).code,
    ).toBe(1);

    // Act
    const { code, stdout, stderr } = runAppvend(['reconcile', '--all', '--state', state]);

    // Assess
    expect(code).toBe(1);
    expect(stdout).toContain('orders: in line with its request');
    expect(stdout).toContain('billing: skipped');
    expect(stderr).toContain('1 application(s) skipped, not reconciled: billing');
  });
});
