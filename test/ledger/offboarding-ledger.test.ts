import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ledger, LedgerConflictError, UnknownApplicationError } from '../../shared/ledger/ledger';
import { MemoryLedgerStore } from '../../shared/ledger/memory-store';
import { decideSubmission, requestDigest, type OffboardingRecord } from '../../shared/ledger/record';
import { parseRequest } from '../../shared/request/validate';
import type { VendSummary } from '../../shared/workflow/types';
import { OWNER, STRANGER } from '../support/actors';

const sample = JSON.parse(
  readFileSync(join(__dirname, '../../events/application-request.json'), 'utf8'),
) as Record<string, unknown>;

const vended: VendSummary = {
  application: 'orders',
  status: 'SUCCEEDED',
  organizationalUnit: { id: 'ou-root-abcd1234', name: 'appvend-orders' },
  accounts: { tooling: { id: '200000000001', email: 'a@example.com' } },
  stackSets: [],
};

const entry = (requestId: string, executionName: string, closeAccounts = false): OffboardingRecord => ({
  requestId,
  executionName,
  startedAt: '2026-11-25T12:00:00.000Z',
  endedAt: '2026-11-25T12:05:00.000Z',
  stackSets: ['appvend-orders-pipeline'],
  organizationalUnit: 'ou-root-abcd1234',
  suspendedAccounts: { tooling: '200000000001' },
  closeAccounts,
  closedAccounts: [],
  kept: [],
});

describe('Class: Ledger — offboarding', () => {
  let ledger: Ledger;

  beforeEach(() => {
    let clock = Date.UTC(2026, 10, 25, 12);
    ledger = new Ledger(new MemoryLedgerStore(), () => new Date((clock += 1000)));
  });

  async function vendedApplication() {
    const { record } = await ledger.submit(parseRequest(sample), OWNER);
    await ledger.markStarted('orders', record.requestId, 'arn:exec');
    await ledger.recordOutcome('orders', record.requestId, vended);
    return record;
  }

  it('starts an offboarding of a vended application: OFFBOARDING, with its execution', async () => {
    // Prepare
    const vend = await vendedApplication();

    // Act
    const start = await ledger.beginOffboarding('orders', { closeAccounts: true, actor: OWNER });

    // Assess
    expect(start.outcome).toBe('started');
    expect(start.record).toMatchObject({
      status: 'OFFBOARDING',
      ids: { organizationalUnit: 'ou-root-abcd1234' },
      offboarding: { attempt: 1, executionName: `${vend.requestId}-offboard-1`, closeAccounts: true },
    });
  });

  it('refuses while a vend may be running, and for a name it does not know', async () => {
    // Prepare
    await ledger.submit(parseRequest(sample), OWNER);

    // Act
    const running = ledger.beginOffboarding('orders', { closeAccounts: false, actor: OWNER });
    const unknown = ledger.beginOffboarding('nobody', { closeAccounts: false, actor: OWNER });

    // Assess
    await expect(running).rejects.toBeInstanceOf(LedgerConflictError);
    await expect(running).rejects.toThrow(/is being vended .* offboard it when the vend has ended/);
    await expect(unknown).rejects.toBeInstanceOf(UnknownApplicationError);
  });

  it('refuses any vend of the name while it is OFFBOARDING, and a vend in flight cannot undo it', async () => {
    // Prepare
    const vend = await vendedApplication();
    await ledger.beginOffboarding('orders', { closeAccounts: false, actor: OWNER });

    // Act
    const same = ledger.submit(parseRequest(sample), OWNER);
    const changed = ledger.submit(parseRequest({ ...sample, stages: ['prod'] }), OWNER);
    await ledger.markStep('orders', vend.requestId, 'VendAccounts');
    await ledger.recordOutcome('orders', vend.requestId, vended);

    // Assess
    await expect(same).rejects.toThrow(/is being offboarded/);
    await expect(changed).rejects.toThrow(/is being offboarded/);
    expect((await ledger.get('orders'))?.status).toBe('OFFBOARDING');
  });

  it('starts no second offboarding while one is under way, unless told it was interrupted', async () => {
    // Prepare
    await vendedApplication();
    const first = await ledger.beginOffboarding('orders', { closeAccounts: false, actor: OWNER });

    // Act
    const concurrent = await ledger.beginOffboarding('orders', { closeAccounts: false, actor: OWNER });
    const restarted = await ledger.beginOffboarding('orders', {
      closeAccounts: false,
      restartRunning: true,
      actor: OWNER,
    });

    // Assess
    expect(concurrent).toEqual({ outcome: 'running', record: first.record });
    expect(restarted.outcome).toBe('started');
    expect(restarted.record.offboarding?.attempt).toBe(2);
  });

  it('records OFFBOARDED with the history, only from the running offboarding', async () => {
    // Prepare
    const vend = await vendedApplication();
    const { record } = await ledger.beginOffboarding('orders', { closeAccounts: false, actor: OWNER });
    const executionName = record.offboarding!.executionName;

    // Act
    const stale = await ledger.recordOffboarded('orders', 'another-execution', entry(vend.requestId, 'x'));
    const done = await ledger.recordOffboarded('orders', executionName, entry(vend.requestId, executionName));

    // Assess
    expect(stale).toBeUndefined();
    expect(done).toMatchObject({ status: 'OFFBOARDED', history: [{ executionName }] });
    expect(done?.offboarding).toBeUndefined();
  });

  it('keeps a failed offboarding OFFBOARDING with its error, and starts the next attempt', async () => {
    // Prepare
    await vendedApplication();
    const { record } = await ledger.beginOffboarding('orders', { closeAccounts: true, actor: OWNER });
    const error = { step: 'CloseAccounts', message: 'closing 3 accounts would make 7 closures' };
    await ledger.recordOffboardingFailure('orders', record.offboarding!.executionName, error);

    // Act
    const failed = await ledger.get('orders');
    const retry = await ledger.beginOffboarding('orders', { closeAccounts: false, actor: OWNER });

    // Assess
    expect(failed).toMatchObject({ status: 'OFFBOARDING', offboarding: { error } });
    expect(retry.outcome).toBe('started');
    expect(retry.record.offboarding).toMatchObject({ attempt: 2, closeAccounts: false });
    expect(retry.record.offboarding?.error).toBeUndefined();
  });

  it('leaves an OFFBOARDED application alone, unless accounts are now to be closed', async () => {
    // Prepare
    const vend = await vendedApplication();
    const { record } = await ledger.beginOffboarding('orders', { closeAccounts: false, actor: OWNER });
    const name = record.offboarding!.executionName;
    await ledger.recordOffboarded('orders', name, entry(vend.requestId, name));

    // Act
    const again = await ledger.beginOffboarding('orders', { closeAccounts: false, actor: OWNER });
    const closing = await ledger.beginOffboarding('orders', { closeAccounts: true, actor: OWNER });

    // Assess
    expect(again.outcome).toBe('offboarded');
    expect(closing.outcome).toBe('started');
    expect(closing.record.offboarding?.executionName).toBe(`${vend.requestId}-offboard-2`);
  });

  it('vends an OFFBOARDED name again, under a new execution name, keeping the history', async () => {
    // Prepare
    const vend = await vendedApplication();
    const { record } = await ledger.beginOffboarding('orders', { closeAccounts: false, actor: OWNER });
    const name = record.offboarding!.executionName;
    await ledger.recordOffboarded('orders', name, entry(vend.requestId, name));

    // Act
    const revend = await ledger.submit(parseRequest(sample), OWNER);

    // Assess
    expect(revend.outcome).toBe('started');
    expect(revend.record).toMatchObject({ status: 'REQUESTED', requestId: vend.requestId, attempt: 2 });
    expect(revend.record.executionName).not.toBe(vend.executionName);
    expect(revend.record.history).toHaveLength(1);
  });

  it('names every offboarding execution of a name differently, across failures and re-vends', async () => {
    // Prepare: a failed offboarding, its retry, a re-vend of the same request, a second offboarding.
    const vend = await vendedApplication();
    const names: string[] = [];
    const first = await ledger.beginOffboarding('orders', { closeAccounts: false, actor: OWNER });
    names.push(first.record.offboarding!.executionName);
    await ledger.recordOffboardingFailure('orders', names[0]!, { step: 'RemoveStackSets', message: 'x' });
    const retry = await ledger.beginOffboarding('orders', { closeAccounts: false, actor: OWNER });
    names.push(retry.record.offboarding!.executionName);
    await ledger.recordOffboarded('orders', names[1]!, entry(vend.requestId, names[1]!));
    const revend = await ledger.submit(parseRequest(sample), OWNER);
    await ledger.markStarted('orders', revend.record.requestId, 'arn:exec-2');
    await ledger.recordOutcome('orders', revend.record.requestId, vended);

    // Act
    const second = await ledger.beginOffboarding('orders', { closeAccounts: false, actor: OWNER });
    names.push(second.record.offboarding!.executionName);

    // Assess
    expect(new Set(names).size).toBe(3);
    expect(names[2]).toBe(`${vend.requestId}-offboard-3`);
  });
});

describe('Function: decideSubmission — offboarded names', () => {
  const request = parseRequest(sample);
  const base = {
    name: 'orders',
    owner: request.owner,
    principals: [OWNER.principal],
    requestId: 'orders-1',
    requestDigest: requestDigest(request),
    request,
    attempt: 1,
    executionName: 'orders-1-1',
    createdAt: '',
    updatedAt: '',
    version: 3,
  };

  it('refuses another principal even after an offboarding', () => {
    expect(
      decideSubmission({ ...base, status: 'OFFBOARDED' }, { actor: STRANGER, digest: base.requestDigest }),
    ).toMatchObject({ kind: 'conflict', reason: 'not-owner' });
  });

  it('answers re-vend for the owner after an offboarding, and conflict during one', () => {
    const incoming = { actor: OWNER, digest: base.requestDigest };
    expect(decideSubmission({ ...base, status: 'OFFBOARDED' }, incoming)).toEqual({
      kind: 'start',
      reason: 'revend',
    });
    expect(decideSubmission({ ...base, status: 'OFFBOARDING' }, incoming)).toMatchObject({
      kind: 'conflict',
      reason: 'in-progress',
    });
  });
});
