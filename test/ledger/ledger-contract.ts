import { parseRequest } from '../../shared/request/validate';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AccountLineTooLongError, Ledger, type LedgerStore } from '../../shared/ledger/ledger';
import { enqueue } from '../../shared/ledger/account-queue';
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
export function ledgerContract(name: string, freshStore: () => Promise<LedgerStore>): void {
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

    it("refuses a change that would take the CreateAccount line's item over DynamoDB's 400 KB, and keeps the line as it was", async () => {
      // Arrange: accounts waiting with tokens as long as Step Functions may make them (2,048
      // characters), written a hundred at a time while the item fits.
      const token = (i: number) => `${i}`.padEnd(2048, 'T');
      const join = (from: number, count: number) =>
        ledger.changeAccountQueue((queue) => {
          let next = queue;
          for (let i = from; i < from + count; i += 1) {
            next = enqueue(
              next,
              { application: `app${i}`, email: `aws+app${i}-prod@example.com`, token: token(i) },
              'x',
            );
          }
          return { queue: next, result: undefined };
        });
      await join(0, 100);
      const before = await ledger.accountQueue();

      // Act: a hundred more (about 420 KB in all)
      const refused = join(100, 100);

      // Assess: a clear error naming the limit; nothing written
      await expect(refused).rejects.toThrow(AccountLineTooLongError);
      await expect(refused).rejects.toThrow(/200 waiting accounts \(4\d\d KB\), over DynamoDB's 400 KB item size limit/);
      const after = await ledger.accountQueue();
      expect(after.version).toBe(before.version);
      expect(after.entries).toHaveLength(100);
    });
  });
}
