import { parseRequest } from '../../shared/request/validate';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AccountLineTooLongError, Ledger, type LedgerStore } from '../../shared/ledger/ledger';
import {
  LINE_HEAD_KEY,
  MAX_LINE_PAGES,
  PAGE_TICKETS,
  headOf,
  indexKey,
  pageKey,
  pagesInOrder,
  type LineWrite,
} from '../../shared/ledger/account-line';
import { dequeue, enqueue, grant, heldBack } from '../../shared/ledger/account-queue';
import { itemSize } from '../../shared/ledger/item-size';
import { MemoryLedgerStore } from '../../shared/ledger/memory-store';
import { submitApplication, type IntakeResult } from '../../shared/workflow/intake';
import type { VendSummary } from '../../shared/workflow/types';
import { ADMIN, OWNER, STRANGER } from '../support/actors';

/** A role another team names in `managers` (with a path: the match is on account and role name). */
const MANAGER_ROLE = 'arn:aws:iam::555555555555:role/oncall/orders-oncall';

const sample = JSON.parse(
  readFileSync(join(__dirname, '../../events/application-request.json'), 'utf8'),
) as Record<string, unknown>;

/**
 * The ledger's behaviour, run once per store (memory here, DynamoDB on moto): the same rules
 * must hold whatever keeps the items.
 */
export function ledgerContract(
  name: string,
  freshStore: () => Promise<LedgerStore>,
  options: {
    /**
     * Puts line items into the store as they are (no transaction): for a store where building a
     * line of thousands of accounts through transactions is slow for reasons of its own (moto
     * copies the whole table for each action of a transaction, to roll back). Without it, the
     * line is built through the ledger's own changes.
     */
    loadLine?: (items: readonly Record<string, unknown>[]) => Promise<void>;
  } = {},
): void {
  describe(name, () => {
    let ledger: Ledger;
    let store: LedgerStore;
    let clock: number;

    beforeEach(async () => {
      clock = Date.UTC(2026, 10, 25, 12);
      store = await freshStore();
      ledger = new Ledger(store, () => new Date((clock += 1000)));
    });

    const succeeded = (application: string): VendSummary => ({
      application,
      status: 'SUCCEEDED',
      organizationalUnit: { id: 'ou-root-abcd1234', name: `appvend-${application}` },
      accounts: { tooling: { id: '200000000001', email: 'a@example.com' } },
      stackSets: [],
    });

    it('starts a vend for a new name, with a request id derived from the request', async () => {
      // Act
      const submission = await ledger.submit(parseRequest(sample), OWNER);

      // Assess
      expect(submission.outcome).toBe('started');
      expect(submission.record).toMatchObject({
        name: 'orders',
        owner: sample.owner,
        status: 'REQUESTED',
        attempt: 1,
        version: 1,
      });
      expect(submission.record.requestId).toMatch(/^orders-[0-9a-f]{12}$/);
      expect(submission.record.executionName).toBe(`${submission.record.requestId}-1`);
      expect(await ledger.get('orders')).toEqual(submission.record);
    });

    it('answers the same request again with the same request id and starts nothing', async () => {
      // Prepare
      const first = await ledger.submit(parseRequest(sample), OWNER);

      // Act: key order and defaults written out do not make it another request.
      const reordered = Object.fromEntries(Object.entries(sample).reverse());
      const again = await ledger.submit(parseRequest({ ...reordered, stages: ['test', 'prod'] }), OWNER);

      // Assess
      expect(again.outcome).toBe('existing');
      expect(again.record.requestId).toBe(first.record.requestId);
    });

    it.each([6, 60])(
      'answers %i identical requests arriving at once through the intake alike, with one execution and no error',
      async (count) => {
        // Prepare: StartExecution is idempotent by name: distinct names are distinct executions
        const names = new Set<string>();
        const starter = {
          start: async (name: string) => {
            names.add(name);
            return { executionArn: `arn:aws:states:us-east-1:111111111111:execution:appvend-vend:${name}` };
          },
        };

        // Act
        const results = await Promise.allSettled(
          Array.from({ length: count }, () => submitApplication(ledger, starter, sample, OWNER)),
        );

        // Assess
        expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
        const answers = results.map((r) => (r as PromiseFulfilledResult<IntakeResult>).value);
        expect(answers.filter((a) => a.outcome === 'started')).toHaveLength(1);
        expect(answers.filter((a) => a.outcome === 'existing')).toHaveLength(count - 1);
        expect(new Set(answers.map((a) => ('requestId' in a ? a.requestId : undefined))).size).toBe(1);
        expect(names.size).toBe(1);
        expect(await ledger.get('orders')).toMatchObject({ status: 'IN_PROGRESS', attempt: 1 });
      },
      60_000,
    );

    it('lets exactly one of many concurrent identical submissions start the vend', async () => {
      // Act
      const submissions = await Promise.all(
        Array.from({ length: 8 }, () => ledger.submit(parseRequest(sample), OWNER)),
      );

      // Assess
      expect(submissions.filter((s) => s.outcome === 'started')).toHaveLength(1);
      expect(new Set(submissions.map((s) => s.record.requestId)).size).toBe(1);
    });

    it('refuses any request of another principal for a name it does not own, writing nothing', async () => {
      // Prepare
      const { record } = await ledger.submit(parseRequest(sample), OWNER);
      await ledger.recordOutcome('orders', record.requestId, succeeded('orders'));

      // Act
      const same = ledger.submit(parseRequest(sample), STRANGER);
      const changed = ledger.submit(parseRequest({ ...sample, profile: 'regulated' }), STRANGER);

      // Assess
      await expect(same).rejects.toMatchObject({ name: 'LedgerConflictError', reason: 'not-owner' });
      await expect(changed).rejects.toThrow(
        `${STRANGER.principal} does not own application "orders": only its owners, its managers and platform administrators may act on it`,
      );
      const after = await ledger.get('orders');
      expect(after).toMatchObject({
        version: record.version + 1,
        status: 'SUCCEEDED',
        principals: [OWNER.principal],
      });
    });

    it('records who asked, and lets the owner, a named manager and a platform administrator change it', async () => {
      // Prepare
      const first = await ledger.submit(parseRequest({ ...sample, managers: [MANAGER_ROLE] }), OWNER);
      await ledger.recordOutcome('orders', first.record.requestId, succeeded('orders'));
      const manager = { principal: 'arn:aws:iam::555555555555:role/orders-oncall', admin: false };

      // Act
      const byManager = await ledger.submit(
        parseRequest({ ...sample, managers: [MANAGER_ROLE], stages: ['prod'] }),
        manager,
      );
      await ledger.recordOutcome('orders', byManager.record.requestId, succeeded('orders'));
      const byAdmin = await ledger.submit(parseRequest({ ...sample, managers: [MANAGER_ROLE] }), ADMIN);

      // Assess
      expect(first.record.principals).toEqual([OWNER.principal]);
      expect(byManager.outcome).toBe('started');
      expect(byAdmin.outcome).toBe('started');
      expect(byAdmin.record.principals).toEqual([OWNER.principal]);
    });

    it('lets only platform administrators act on a record written before owners were recorded', async () => {
      // Prepare: an item as the ledger wrote it before ownership
      const { record } = await ledger.submit(parseRequest(sample), OWNER);
      await ledger.recordOutcome('orders', record.requestId, succeeded('orders'));
      const legacy = await ledger.get('orders');
      const { principals: _none, ...older } = legacy!;
      expect(await store.write({ ...older, version: legacy!.version + 1 }, legacy!.version)).toBe(true);

      // Act
      const byOwner = await ledger.submit(parseRequest(sample), OWNER).catch((error: unknown) => error);
      const offboardByOwner = await ledger
        .beginOffboarding('orders', { closeAccounts: true, actor: OWNER })
        .catch((error: unknown) => error);
      const byAdmin = await ledger.submit(parseRequest({ ...sample, managers: [OWNER.principal] }), ADMIN);

      // Assess
      expect(String(byOwner)).toMatch(/recorded before owners were: only platform administrators/);
      expect(offboardByOwner).toMatchObject({ reason: 'not-owner' });
      expect(byAdmin.outcome).toBe('started');
      expect(byAdmin.record.principals).toBeUndefined();
    });

    it('refuses a changed request while the vend runs, and accepts it once the vend has ended', async () => {
      // Prepare
      const first = await ledger.submit(parseRequest(sample), OWNER);
      await ledger.markStarted('orders', first.record.requestId, 'arn:aws:states:us-east-1:1:execution:x:y');
      const changed = { ...sample, stages: ['test', 'staging', 'prod'] };

      // Act
      const during = await ledger.submit(parseRequest(changed), OWNER).catch((error: unknown) => error);
      await ledger.recordOutcome('orders', first.record.requestId, succeeded('orders'));
      const after = await ledger.submit(parseRequest(changed), OWNER);

      // Assess
      expect(during).toMatchObject({ name: 'LedgerConflictError', reason: 'in-progress' });
      expect(after.outcome).toBe('started');
      expect(after.record.requestId).not.toBe(first.record.requestId);
      expect(after.record.createdAt).toBe(first.record.createdAt);
    });

    it('tries a failed request again as a new attempt with a new execution name', async () => {
      // Prepare
      const first = await ledger.submit(parseRequest(sample), OWNER);
      await ledger.recordOutcome('orders', first.record.requestId, {
        ...succeeded('orders'),
        status: 'FAILED',
        error: { step: 'VendAccounts', message: 'CreateAccount failed' },
      });

      // Act
      const retry = await ledger.submit(parseRequest(sample), OWNER);

      // Assess
      expect(retry.outcome).toBe('started');
      expect(retry.record).toMatchObject({
        requestId: first.record.requestId,
        attempt: 2,
        status: 'REQUESTED',
      });
      expect(retry.record.executionName).toBe(`${first.record.requestId}-2`);
      expect(retry.record.error).toBeUndefined();
    });

    it('records progress and the outcome, with the ids vended', async () => {
      // Prepare
      const { record } = await ledger.submit(parseRequest(sample), OWNER);

      // Act
      await ledger.markStarted('orders', record.requestId, 'arn:aws:states:us-east-1:1:execution:x:y');
      await ledger.markStep('orders', record.requestId, 'VendAccounts');
      const during = await ledger.get('orders');
      await ledger.recordOutcome('orders', record.requestId, succeeded('orders'));
      const after = await ledger.get('orders');

      // Assess
      expect(during).toMatchObject({ status: 'IN_PROGRESS', step: 'VendAccounts' });
      expect(after).toMatchObject({
        status: 'SUCCEEDED',
        ids: { organizationalUnit: 'ou-root-abcd1234', accounts: { tooling: '200000000001' } },
        executionArn: 'arn:aws:states:us-east-1:1:execution:x:y',
      });
    });

    it('ignores the outcome of a stale execution whose request was replaced', async () => {
      // Prepare
      const first = await ledger.submit(parseRequest(sample), OWNER);
      await ledger.recordOutcome('orders', first.record.requestId, succeeded('orders'));
      const second = await ledger.submit(parseRequest({ ...sample, stages: ['prod'] }), OWNER);

      // Act
      const stale = await ledger.recordOutcome('orders', first.record.requestId, {
        ...succeeded('orders'),
        status: 'FAILED',
        error: { step: 'x', message: 'late' },
      });

      // Assess
      expect(stale).toBeUndefined();
      expect(await ledger.get('orders')).toMatchObject({
        requestId: second.record.requestId,
        status: 'REQUESTED',
      });
    });

    it('lists applications by name, a page at a time', async () => {
      // Prepare
      for (const n of ['delta', 'alpha', 'charlie', 'bravo']) {
        await ledger.submit(
          parseRequest({ ...sample, name: n, accountEmail: `aws+${n}-{stage}@example.com` }),
          OWNER,
        );
      }

      // Act
      const pages: string[][] = [];
      let cursor: string | undefined;
      do {
        const page = await ledger.list({ limit: 3, ...(cursor && { cursor }) });
        pages.push(page.items.map((i) => i.name));
        cursor = page.cursor;
      } while (cursor);

      // Assess
      expect(pages.flat().sort()).toEqual(['alpha', 'bravo', 'charlie', 'delta']);
      expect(pages[0]).toHaveLength(3);
    });

    describe('the CreateAccount line, in pages', () => {
      /** The store as the ledger uses it, with each line item read and each transaction written. */
      function watched(): { store: LedgerStore; reads: string[]; transactions: (readonly LineWrite[])[] } {
        const reads: string[] = [];
        const transactions: (readonly LineWrite[])[] = [];
        return {
          reads,
          transactions,
          store: {
            read: (name) => store.read(name),
            write: (record, version) => store.write(record, version),
            list: (options) => store.list(options),
            readLine: (name) => (reads.push(name), store.readLine(name)),
            writeLine: (writes, version) => (transactions.push(writes), store.writeLine(writes, version)),
          },
        };
      }

      /** Every item of the line: its head, its pages, the index item of each entry. */
      async function lineItemsOf(of: Ledger): Promise<Record<string, unknown>[]> {
        const head = await of.accountLineHead();
        const items: Record<string, unknown>[] = [{ ...head }];
        for (const page of pagesInOrder(head)) {
          const entries = [];
          for await (const entry of of.waitingAccounts({ ...head, pages: { [page]: head.pages[page]! } })) {
            entries.push(entry);
            items.push({ name: indexKey(entry.application, entry.email), ticket: entry.ticket });
          }
          items.push({ name: pageKey(page), entries });
        }
        return items;
      }

      /**
       * Time allowed for the 3,100-account test: on moto, reading and writing a table of 6,000
       * items of up to 125 KB takes tens of seconds (a test checks behaviour; the benchmark
       * measures time).
       */
      const LONG_LINE_ALLOWANCE_MS = 180_000;

      /** A task token as long as Step Functions may make one (2,048 characters). */
      const longToken = (i: number) => `${i}:`.padEnd(2048, 'T');
      const account = (i: number) => ({
        application: `app${i}`,
        email: `aws+app${i}-prod@example.com`,
        token: longToken(i),
      });
      const sizeOf = (write: LineWrite) =>
        'put' in write ? itemSize(write.put as unknown as Record<string, unknown>) : 0;

      it(
        'holds 3,100 waiting accounts with 2,048-character tokens, each change reading and writing a few items however long the line',
        async () => {
          // Arrange: 3,100 accounts join, 90 per change (each writes its index item, and a
          // transaction holds at most 100 actions: 90 index items, at most 3 pages and the head);
          // built in the local store and copied item by item where the store asks for it.
          const count = 3_100;
          const builder = options.loadLine
            ? new Ledger(new MemoryLedgerStore(), () => new Date(clock))
            : ledger;
          for (let from = 0; from < count; from += 90) {
            await builder.changeAccountLine(async (line) => {
              for (let i = from; i < Math.min(from + 90, count); i += 1) await enqueue(line, account(i), 'x');
            });
          }
          if (options.loadLine) await options.loadLine(await lineItemsOf(builder));
          const watch = watched();
          const other = new Ledger(watch.store, () => new Date(clock));

          // Act: one more joins, the first comes back with a new token, one in the middle leaves, a
          // release hands out two slots; each its own change, as the account steps make them.
          const late = await other.changeAccountLine((line) => enqueue(line, account(count), 'x'));
          const back = await other.changeAccountLine((line) =>
            enqueue(line, { ...account(0), token: 'new-token' }, 'x'),
          );
          await other.changeAccountLine((line) => dequeue(line, 'app1500', 'aws+app1500-prod@example.com'));
          const granted = await other.changeAccountLine((line) =>
            grant(line, { concurrency: 5, inFlight: 3, nowMs: clock, grantTtlMs: 60_000 }),
          );
          const lateAhead = await other.changeAccountLine((line) =>
            heldBack(line, late.application, late.email),
          );

          // Assess: each of the five changes read the head once and at most an index item and one
          // page besides; the four that changed the line wrote at most as many items, each well under
          // 400 KB; the line as a whole holds everyone in order.
          expect(watch.reads.filter((name) => name === LINE_HEAD_KEY)).toHaveLength(5);
          expect(watch.reads.filter((name) => name !== LINE_HEAD_KEY).length).toBeLessThanOrEqual(5 * 2);
          expect(watch.transactions).toHaveLength(4);
          for (const writes of watch.transactions) {
            expect(writes.length).toBeLessThanOrEqual(3);
            for (const write of writes) expect(sizeOf(write)).toBeLessThan(200 * 1024);
          }
          expect(late.ticket).toBe(count + 1);
          expect(back.ticket).toBe(1);
          expect(granted.map((e) => e.application)).toEqual(['app0', 'app1']);
          expect(lateAhead).toBe(count - 1);
          const line = await ledger.accountQueue();
          expect(line.entries).toHaveLength(count);
          expect(line.entries.map((e) => e.ticket)).toEqual(
            [...line.entries.map((e) => e.ticket)].sort((a, b) => a - b),
          );
          expect(line.entries[0]).toMatchObject({ application: 'app0', token: 'new-token' });
          expect(line.entries.filter((e) => e.grantedAt).map((e) => e.application)).toEqual(['app0', 'app1']);
          expect(line.entries.some((e) => e.application === 'app1500')).toBe(false);
          expect(await store.readLine(indexKey('app1500', 'aws+app1500-prod@example.com'))).toBeUndefined();
          expect(line.entries.at(-1)?.application).toBe(late.application);
        },
        LONG_LINE_ALLOWANCE_MS,
      );

      it('hands a slot to one of two releasers racing on the line, never both', async () => {
        // Arrange: two accounts waiting, one slot free; two ledgers on one table, as two Lambdas.
        for (const i of [1, 2]) await ledger.changeAccountLine((line) => enqueue(line, account(i), 'x'));
        const release = (by: Ledger) =>
          by.changeAccountLine(async (line) =>
            (await grant(line, { concurrency: 5, inFlight: 4, nowMs: clock, grantTtlMs: 60_000 })).map(
              (e) => e.application,
            ),
          );

        // Act
        const [first, second] = await Promise.all([
          release(new Ledger(store, () => new Date(clock))),
          release(new Ledger(store, () => new Date(clock))),
        ]);

        // Assess: the first in line got the one slot, once.
        expect([...first, ...second]).toEqual(['app1']);
        const line = await ledger.accountQueue();
        expect(line.entries.filter((e) => e.grantedAt).map((e) => e.application)).toEqual(['app1']);
      });

      it('refuses an account that would open a page past the most the head counts, and keeps the line as it was', async () => {
        // Arrange: a head counting MAX_LINE_PAGES pages, one account in each (as a line whose
        // accounts left in no order would be), the last page full.
        const pages: Record<string, number> = {};
        const firstPage = 1_000_000;
        for (let page = firstPage; page < firstPage + MAX_LINE_PAGES; page += 1) pages[page] = 1;
        const lastPage = firstPage + MAX_LINE_PAGES - 1;
        const head = {
          ...headOf(undefined),
          pages,
          nextTicket: (lastPage + 1) * PAGE_TICKETS,
          version: 1,
        };
        expect(await store.writeLine([{ put: head }], 0)).toBe(true);
        expect(itemSize(head as unknown as Record<string, unknown>)).toBeLessThan(400 * 1024);

        // Act
        const refused = ledger.changeAccountLine((line) => enqueue(line, account(1), 'x'));

        // Assess: a clear error naming the limit; nothing written
        await expect(refused).rejects.toThrow(AccountLineTooLongError);
        await expect(refused).rejects.toThrow(
          new RegExp(`${MAX_LINE_PAGES + 1} pages, over the ${MAX_LINE_PAGES} pages its head item counts`),
        );
        expect((await ledger.accountLineHead()).version).toBe(1);
        expect(await store.readLine(pageKey(lastPage + 1))).toBeUndefined();
      });

      describe('refuses what TransactWriteItems refuses, writing nothing', () => {
        const head = (version: number) => ({ put: { ...headOf(undefined), version } });
        const index = (i: number): LineWrite => ({ put: { name: indexKey(`app${i}`, 'x@x'), ticket: i } });

        it('cancels every action when the head has moved', async () => {
          // Arrange
          expect(await store.writeLine([head(1)], 0)).toBe(true);

          // Act
          const written = await store.writeLine([index(1), head(2)], 0);

          // Assess
          expect(written).toBe(false);
          expect(await store.readLine(indexKey('app1', 'x@x'))).toBeUndefined();
          expect((await store.readLine(LINE_HEAD_KEY))?.version).toBe(1);
        });

        it('over 100 actions', async () => {
          // Act
          const writes = [...Array.from({ length: 100 }, (_, i) => index(i)), head(1)];

          // Assess
          await expect(store.writeLine(writes, 0)).rejects.toThrow(/less than or equal to 100/);
          expect(await store.readLine(LINE_HEAD_KEY)).toBeUndefined();
          expect(await store.readLine(indexKey('app0', 'x@x'))).toBeUndefined();
        });

        it('with two actions on one item', async () => {
          // Act
          const writes = [index(1), { delete: indexKey('app1', 'x@x') }, head(1)];

          // Assess
          await expect(store.writeLine(writes, 0)).rejects.toThrow(/multiple operations on one item/);
          expect(await store.readLine(LINE_HEAD_KEY)).toBeUndefined();
        });

        it('with an item over 400 KB', async () => {
          // Act: a page of 220 entries with 2,048-character tokens (about 480 KB)
          const entries = Array.from({ length: 220 }, (_, i) => ({
            ticket: i,
            ...account(i),
            enqueuedAt: 'x',
          }));
          const writes = [index(1), { put: { name: pageKey(0), entries } }, head(1)];

          // Assess
          await expect(store.writeLine(writes, 0)).rejects.toThrow(
            /Item size has exceeded the maximum allowed size/,
          );
          expect(await store.readLine(LINE_HEAD_KEY)).toBeUndefined();
          expect(await store.readLine(indexKey('app1', 'x@x'))).toBeUndefined();
        });
      });
    });
  });
}
