import { LineChange, PAGE_TICKETS } from '../../shared/ledger/account-line';
import {
  dequeue,
  enqueue,
  freeUnsentSlots,
  grant,
  heldBack,
  recordRequest,
  settleSlots,
  slotsInUse,
  takeSlot,
  type SlotTaken,
} from '../../shared/ledger/account-queue';
import { Ledger } from '../../shared/ledger/ledger';
import { MemoryLedgerStore } from '../../shared/ledger/memory-store';

const AT = '2026-01-01T00:00:00.000Z';
const NOW = Date.parse(AT);

/** A ledger on a store of its own, and a look at its line: a change never written (a dry run). */
function line(): { store: MemoryLedgerStore; ledger: Ledger; look: () => Promise<LineChange> } {
  const store = new MemoryLedgerStore();
  const ledger = new Ledger(store, () => new Date(NOW));
  const look = async () => new LineChange((name) => store.readLine(name), await ledger.accountLineHead());
  return { store, ledger, look };
}

/**
 * `count` accounts join, forty per change: each new account writes its index item, and a
 * transaction holds at most 100 actions.
 */
async function fill(ledger: Ledger, count: number): Promise<void> {
  for (let from = 0; from < count; from += 40) {
    await ledger.changeAccountLine(async (l) => {
      for (let i = from; i < Math.min(from + 40, count); i += 1) {
        await enqueue(l, { application: `app${i}`, email: 'x@x', token: `t${i}` }, AT);
      }
    });
  }
}

const join = (ledger: Ledger, application: string, email: string, token = email) =>
  ledger.changeAccountLine((l) => enqueue(l, { application, email, token }, AT));

describe('Ledger: the CreateAccount line', () => {
  it('keeps an account its place when it comes back with a new token, and clears its unused grant', async () => {
    // Arrange
    const { ledger, look } = line();
    await join(ledger, 'a', 'a1@x', 't1');
    await join(ledger, 'b', 'b1@x', 't2');
    await ledger.changeAccountLine((l) =>
      grant(l, { concurrency: 5, inFlight: 4, nowMs: NOW, grantTtlMs: 60_000 }),
    );

    // Act
    await join(ledger, 'a', 'A1@x', 't3');

    // Assess
    const back = await ledger.accountQueue();
    expect(back.entries.map((e) => [e.ticket, e.token, e.grantedAt])).toEqual([
      [1, 't3', undefined],
      [2, 't2', undefined],
    ]);
    expect(await heldBack(await look(), 'b', 'b1@x')).toBe(1);
    expect(await heldBack(await look(), 'c', 'c1@x')).toBe(2);
  });

  it('hands a slot to one of two releasers racing on the same line, never both', async () => {
    // Arrange: one slot free (4 in flight of 5), two accounts waiting; two ledgers on one store,
    // as two Lambdas on one table (one ledger runs its own changes one at a time).
    const { store, ledger } = line();
    const other = new Ledger(store, () => new Date(NOW));
    for (const email of ['a1@x', 'a2@x']) await join(ledger, 'a', email);
    const release = (by: Ledger) =>
      by.changeAccountLine(async (l) =>
        (await grant(l, { concurrency: 5, inFlight: 4, nowMs: NOW, grantTtlMs: 60_000 })).map((e) => e.email),
      );

    // Act
    const [first, second] = await Promise.all([release(ledger), release(other)]);

    // Assess: the first in line got the one slot, once.
    expect([...first, ...second]).toEqual(['a1@x']);
    const queue = await ledger.accountQueue();
    expect(queue.entries.filter((e) => e.grantedAt).map((e) => e.email)).toEqual(['a1@x']);
  });

  it('hands a grant that was never used out again once it has expired', async () => {
    // Arrange
    const { ledger, look } = line();
    await join(ledger, 'a', 'a1@x', 't');
    await ledger.changeAccountLine((l) =>
      grant(l, { concurrency: 5, inFlight: 4, nowMs: NOW, grantTtlMs: 60_000 }),
    );

    // Act
    const soon = await grant(await look(), {
      concurrency: 5,
      inFlight: 4,
      nowMs: NOW + 1_000,
      grantTtlMs: 60_000,
    });
    const later = await grant(await look(), {
      concurrency: 5,
      inFlight: 4,
      nowMs: NOW + 61_000,
      grantTtlMs: 60_000,
    });

    // Assess
    expect(soon).toEqual([]);
    expect(later.map((e) => e.email)).toEqual(['a1@x']);
  });

  it('gives the last free slot to one of two accounts taking it at the same instant, never both', async () => {
    // Arrange: another tool's 3 requests and one of appvend's in flight: one slot of 5 is free.
    const { store, ledger } = line();
    const inProgress = [{ Id: 'o1' }, { Id: 'o2' }, { Id: 'o3' }, { Id: 'r1', AccountName: 'a-prod' }];
    await ledger.changeAccountLine((l) =>
      recordRequest(l, { application: 'a', email: 'a1@x', name: 'a-prod', requestId: 'r1' }, AT),
    );
    const take = (email: string) =>
      new Ledger(store, () => new Date(NOW)).changeAccountLine((l) =>
        takeSlot(
          l,
          { application: 'b', email, name: email },
          { concurrency: 5, inProgress, nowMs: NOW, slotTtlMs: 60_000 },
        ),
      );

    // Act
    const [first, second] = await Promise.all([take('b1@x'), take('b2@x')]);

    // Assess: appvend's own request is counted once (by id), the others' three as theirs.
    expect([first, second].sort()).toEqual([false, true]);
    expect(slotsInUse((await ledger.accountQueue()).slots, inProgress, NOW, 60_000)).toBe(5);
  });

  it('keeps one slot for an account whose start is retried, and does not let a newcomer jump the line', async () => {
    // Arrange: one account waiting in line; nothing in flight.
    const { ledger, look } = line();
    const params = { concurrency: 1, inProgress: [], nowMs: NOW, slotTtlMs: 60_000 };
    await join(ledger, 'a', 'a1@x', 't');

    // Act
    const newcomer = await takeSlot(await look(), { application: 'b', email: 'b1@x', name: 'b' }, params);
    const first = await ledger.changeAccountLine((l) =>
      takeSlot(l, { application: 'a', email: 'a1@x', name: 'a' }, params),
    );
    const afterFirst = await ledger.accountQueue();
    const retried = await look();
    const retriedTaken = await takeSlot(retried, { application: 'a', email: 'A1@x', name: 'a' }, params);
    const afterCrash = await look();
    const afterCrashTaken = await takeSlot(
      afterCrash,
      { application: 'a', email: 'a1@x', name: 'a' },
      { ...params, nowMs: NOW + 60_000 },
    );

    // Assess: the retry while the first may be sending gets no second slot; once the unused slot
    // has expired (its taker crashed), the account takes one again.
    expect(newcomer).toBe(false);
    expect(first).toBe(true);
    expect(afterFirst.entries).toEqual([]);
    expect(retriedTaken).toBe(false);
    expect(retried.slots).toHaveLength(1);
    expect(afterCrashTaken).toBe(true);
    expect(afterCrash.slots.map((s) => s.takenAt)).toEqual([new Date(NOW + 60_000).toISOString()]);
  });

  it('frees a slot once its request is no longer in progress, and expires a slot never used', async () => {
    // Arrange: a request recorded, and a slot taken whose sender crashed before CreateAccount.
    const { ledger } = line();
    await ledger.changeAccountLine(async (l) => {
      await recordRequest(l, { application: 'a', email: 'a1@x', name: 'a1', requestId: 'r1' }, AT);
      await takeSlot(
        l,
        { application: 'a', email: 'a2@x', name: 'a2' },
        { concurrency: 5, inProgress: [{ Id: 'r1' }], nowMs: NOW, slotTtlMs: 60_000 },
      );
    });
    const { slots } = await ledger.accountQueue();

    // Act
    const listedEarlier = settleSlots(slots, [], { listedAtMs: NOW - 1, nowMs: NOW, slotTtlMs: 60_000 });
    const later = settleSlots(slots, [], { listedAtMs: NOW + 1, nowMs: NOW + 1, slotTtlMs: 60_000 });
    const expired = settleSlots(slots, [], {
      listedAtMs: NOW + 61_000,
      nowMs: NOW + 61_000,
      slotTtlMs: 60_000,
    });

    // Assess: a list read before the record does not free it (the request may not be listed yet).
    expect(listedEarlier.map((s) => s.email)).toEqual(['a1@x', 'a2@x']);
    expect(later.map((s) => s.email)).toEqual(['a2@x']);
    expect(expired).toEqual([]);
  });

  it("counts the accounts ahead across pages from the head, reading only the account's own page", async () => {
    // Arrange: three pages' worth of accounts, then the first page's all leave.
    const { store, ledger } = line();
    const count = PAGE_TICKETS * 2 + 10;
    await fill(ledger, count);
    await ledger.changeAccountLine(async (l) => {
      for (let i = 0; i < PAGE_TICKETS - 1; i += 1) await dequeue(l, `app${i}`, 'x@x');
    });
    const reads: string[] = [];
    const last = `app${count - 1}`;
    const head = await ledger.accountLineHead();

    // Act
    const ahead = await heldBack(
      new LineChange(async (name) => (reads.push(name), store.readLine(name)), head),
      last,
      'x@x',
    );

    // Assess: its own index item and page only; every account but the ones that left, less itself.
    expect(ahead).toBe(count - (PAGE_TICKETS - 1) - 1);
    expect(reads).toHaveLength(2);
  });

  it('hands the free slots to the first in line reading the front page only', async () => {
    // Arrange: a long line, a grant still live at its front.
    const { store, ledger } = line();
    await fill(ledger, PAGE_TICKETS * 4);
    await ledger.changeAccountLine((l) =>
      grant(l, { concurrency: 5, inFlight: 4, nowMs: NOW, grantTtlMs: 60_000 }),
    );
    const reads: string[] = [];
    const change = new LineChange(
      async (name) => (reads.push(name), store.readLine(name)),
      await ledger.accountLineHead(),
    );

    // Act
    const granted = await grant(change, { concurrency: 5, inFlight: 1, nowMs: NOW, grantTtlMs: 60_000 });

    // Assess: the live grant keeps its slot; the next three in line get the three left.
    expect(granted.map((e) => e.application)).toEqual(['app1', 'app2', 'app3']);
    expect(reads).toHaveLength(1);
  });
});

describe('Ledger: the one-item line of earlier versions', () => {
  it('keeps its tickets and slots as the head, and leaves its entries to come back by themselves', async () => {
    // Arrange: the line as one item (entries, slots, the next ticket), as earlier versions wrote it.
    const { store, ledger } = line();
    const slot: SlotTaken = {
      application: 'a',
      email: 'a1@x',
      name: 'a1',
      takenAt: AT,
      requestId: 'r1',
      sentAt: AT,
    };
    const legacy = {
      name: '#account-queue',
      nextTicket: 7,
      entries: [{ ticket: 6, application: 'b', email: 'b1@x', token: 'old', enqueuedAt: AT }],
      slots: [slot],
      version: 3,
    };
    expect(await store.writeLine([{ put: legacy as never }], 0)).toBe(true);

    // Act
    const entry = await join(ledger, 'c', 'c1@x');

    // Assess: the next ticket and the slot carried on; the old entry is not in the paged line (its
    // token gets no heartbeat, and its task's Catch puts it back in line).
    expect(entry.ticket).toBe(7);
    const queue = await ledger.accountQueue();
    expect(queue.slots).toEqual([slot]);
    expect(queue.entries.map((e) => e.application)).toEqual(['c']);
    expect(queue.version).toBe(4);
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
    const slots = [
      slot('orders', 'a@x', undefined),
      slot('orders', 'b@x', 'car-1'),
      slot('billing', 'c@x', undefined),
    ];

    // Act
    const freed = freeUnsentSlots(slots, 'orders');

    // Assess
    expect(freed.map((s) => s.email)).toEqual(['b@x', 'c@x']);
    expect(freeUnsentSlots(freed, 'orders')).toBe(freed);
  });
});
