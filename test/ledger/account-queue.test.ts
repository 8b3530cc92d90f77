import { enqueue, emptyQueue, grant, heldBack } from '../../shared/ledger/account-queue';
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
    // Arrange: one slot free (4 in flight of 5), two accounts waiting.
    const ledger = new Ledger(new MemoryLedgerStore(), () => new Date(NOW));
    for (const email of ['a1@x', 'a2@x']) {
      await ledger.changeAccountQueue((q) => ({
        queue: enqueue(q, { application: 'a', email, token: email }, AT),
        result: undefined,
      }));
    }
    const release = () =>
      ledger.changeAccountQueue((q) => {
        const decided = grant(q, { concurrency: 5, inFlight: 4, nowMs: NOW, grantTtlMs: 60_000 });
        return { queue: decided.queue, result: decided.granted.map((e) => e.email) };
      });

    // Act
    const [first, second] = await Promise.all([release(), release()]);

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
});
