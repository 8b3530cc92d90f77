import {
  enqueue,
  emptyQueue,
  freeUnsentSlots,
  grant,
  heldBack,
  recordRequest,
  settleSlots,
  slotsInUse,
  takeSlot,
  type AccountQueue,
  type SlotTaken,
} from '../../shared/ledger/account-queue';
import { Ledger } from '../../shared/ledger/ledger';
import { MemoryLedgerStore } from '../../shared/ledger/memory-store';

const AT = '2026-01-01T00:00:00.000Z';
const NOW = Date.parse(AT);

describe('Ledger: the CreateAccount line', () => {
  it('keeps an account its place when it comes back with a new token, and clears its unused grant', () => {
    // Arrange
    let queue = enqueue(emptyQueue(), { application: 'a', email: 'a1@x', token: 't1' }, AT);
    queue = enqueue(queue, { application: 'b', email: 'b1@x', token: 't2' }, AT);
    queue = grant(queue, { concurrency: 5, inFlight: 4, nowMs: NOW, grantTtlMs: 60_000 }).queue;

    // Act
    const back = enqueue(queue, { application: 'a', email: 'A1@x', token: 't3' }, AT);

    // Assess
    expect(back.entries.map((e) => [e.ticket, e.token, e.grantedAt])).toEqual([
      [1, 't3', undefined],
      [2, 't2', undefined],
    ]);
    expect(heldBack(back, 'b', 'b1@x')).toBe(1);
    expect(heldBack(back, 'c', 'c1@x')).toBe(2);
  });

  it('hands a slot to one of two releasers racing on the same line, never both', async () => {
    // Arrange: one slot free (4 in flight of 5), two accounts waiting; two ledgers on one store,
    // as two Lambdas on one table (one ledger runs its own changes one at a time).
    const store = new MemoryLedgerStore();
    const ledger = new Ledger(store, () => new Date(NOW));
    const other = new Ledger(store, () => new Date(NOW));
    for (const email of ['a1@x', 'a2@x']) {
      await ledger.changeAccountQueue((q) => ({
        queue: enqueue(q, { application: 'a', email, token: email }, AT),
        result: undefined,
      }));
    }
    const release = (by: Ledger) =>
      by.changeAccountQueue((q) => {
        const decided = grant(q, { concurrency: 5, inFlight: 4, nowMs: NOW, grantTtlMs: 60_000 });
        return { queue: decided.queue, result: decided.granted.map((e) => e.email) };
      });

    // Act
    const [first, second] = await Promise.all([release(ledger), release(other)]);

    // Assess: the first in line got the one slot, once.
    expect([...first.result, ...second.result]).toEqual(['a1@x']);
    const line = await ledger.accountQueue();
    expect(line.entries.filter((e) => e.grantedAt).map((e) => e.email)).toEqual(['a1@x']);
  });

  it('hands a grant that was never used out again once it has expired', () => {
    // Arrange
    const queue = grant(enqueue(emptyQueue(), { application: 'a', email: 'a1@x', token: 't' }, AT), {
      concurrency: 5,
      inFlight: 4,
      nowMs: NOW,
      grantTtlMs: 60_000,
    }).queue;

    // Act
    const soon = grant(queue, { concurrency: 5, inFlight: 4, nowMs: NOW + 1_000, grantTtlMs: 60_000 });
    const later = grant(queue, { concurrency: 5, inFlight: 4, nowMs: NOW + 61_000, grantTtlMs: 60_000 });

    // Assess
    expect(soon.granted).toEqual([]);
    expect(later.granted.map((e) => e.email)).toEqual(['a1@x']);
  });

  it('gives the last free slot to one of two accounts taking it at the same instant, never both', async () => {
    // Arrange: another tool's 3 requests and one of appvend's in flight: one slot of 5 is free.
    const store = new MemoryLedgerStore();
    const ledger = new Ledger(store, () => new Date(NOW));
    const inProgress = [{ Id: 'o1' }, { Id: 'o2' }, { Id: 'o3' }, { Id: 'r1', AccountName: 'a-prod' }];
    await ledger.changeAccountQueue((q) => ({
      queue: recordRequest(q, { application: 'a', email: 'a1@x', name: 'a-prod', requestId: 'r1' }, AT),
      result: undefined,
    }));
    const take = (email: string) =>
      new Ledger(store, () => new Date(NOW)).changeAccountQueue((q) => {
        const decided = takeSlot(
          q,
          { application: 'b', email, name: email },
          { concurrency: 5, inProgress, nowMs: NOW, slotTtlMs: 60_000 },
        );
        return { queue: decided.queue, result: decided.taken };
      });

    // Act
    const [first, second] = await Promise.all([take('b1@x'), take('b2@x')]);

    // Assess: appvend's own request is counted once (by id), the others' three as theirs.
    expect([first.result, second.result].sort()).toEqual([false, true]);
    expect(slotsInUse(await ledger.accountQueue(), inProgress, NOW, 60_000)).toBe(5);
  });

  it('keeps one slot for an account whose start is retried, and does not let a newcomer jump the line', () => {
    // Arrange: one account waiting in line; nothing in flight.
    const params = { concurrency: 1, inProgress: [], nowMs: NOW, slotTtlMs: 60_000 };
    const queue = enqueue(emptyQueue(), { application: 'a', email: 'a1@x', token: 't' }, AT);

    // Act
    const newcomer = takeSlot(queue, { application: 'b', email: 'b1@x', name: 'b' }, params);
    const first = takeSlot(queue, { application: 'a', email: 'a1@x', name: 'a' }, params);
    const retried = takeSlot(first.queue, { application: 'a', email: 'A1@x', name: 'a' }, params);
    const afterCrash = takeSlot(
      first.queue,
      { application: 'a', email: 'a1@x', name: 'a' },
      { ...params, nowMs: NOW + 60_000 },
    );

    // Assess: the retry while the first may be sending gets no second slot; once the unused slot
    // has expired (its taker crashed), the account takes one again.
    expect(newcomer.taken).toBe(false);
    expect(first.taken).toBe(true);
    expect(first.queue.entries).toEqual([]);
    expect(retried.taken).toBe(false);
    expect(retried.queue.slots).toHaveLength(1);
    expect(afterCrash.taken).toBe(true);
    expect(afterCrash.queue.slots?.map((s) => s.takenAt)).toEqual([new Date(NOW + 60_000).toISOString()]);
  });

  it('frees a slot once its request is no longer in progress, and expires a slot never used', () => {
    // Arrange: a request recorded, and a slot taken whose sender crashed before CreateAccount.
    let queue = recordRequest(
      emptyQueue(),
      { application: 'a', email: 'a1@x', name: 'a1', requestId: 'r1' },
      AT,
    );
    queue = takeSlot(
      queue,
      { application: 'a', email: 'a2@x', name: 'a2' },
      { concurrency: 5, inProgress: [{ Id: 'r1' }], nowMs: NOW, slotTtlMs: 60_000 },
    ).queue;

    // Act
    const listedEarlier = settleSlots(queue, [], { listedAtMs: NOW - 1, nowMs: NOW, slotTtlMs: 60_000 });
    const later = settleSlots(queue, [], { listedAtMs: NOW + 1, nowMs: NOW + 1, slotTtlMs: 60_000 });
    const expired = settleSlots(queue, [], {
      listedAtMs: NOW + 61_000,
      nowMs: NOW + 61_000,
      slotTtlMs: 60_000,
    });

    // Assess: a list read before the record does not free it (the request may not be listed yet).
    expect(listedEarlier.slots?.map((s) => s.email)).toEqual(['a1@x', 'a2@x']);
    expect(later.slots?.map((s) => s.email)).toEqual(['a2@x']);
    expect(expired.slots).toEqual([]);
  });
});

describe('Function: freeUnsentSlots frees what an ended execution left without a request id', () => {
  it("drops the application's slots with no request id and keeps its sent ones and other applications'", () => {
    // Arrange
    const slot = (application: string, email: string, requestId?: string): SlotTaken => ({
      application,
      email,
      name: email,
      takenAt: '2026-12-02T00:00:00.000Z',
      ...(requestId && { requestId }),
    });
    const queue: AccountQueue = {
      ...emptyQueue(),
      slots: [
        slot('orders', 'a@x', undefined),
        slot('orders', 'b@x', 'car-1'),
        slot('billing', 'c@x', undefined),
      ],
    };

    // Act
    const freed = freeUnsentSlots(queue, 'orders');

    // Assess
    expect(freed.slots?.map((s) => s.email)).toEqual(['b@x', 'c@x']);
    expect(freeUnsentSlots(freed, 'orders')).toBe(freed);
  });
});
