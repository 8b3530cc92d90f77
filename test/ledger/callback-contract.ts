import { parseRequest } from '../../shared/request/validate';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ledger, type LedgerStore } from '../../shared/ledger/ledger';
import type { VendSummary } from '../../shared/workflow/types';
import { OWNER } from '../support/actors';
import { waitingCallback } from '../support/callbacks';

const sample = JSON.parse(
  readFileSync(join(__dirname, '../../events/application-request.json'), 'utf8'),
) as Record<string, unknown>;

/**
 * The pending custom-resource callbacks on an application's item (the Service Catalog door), run
 * once per store: kept while the vend runs, refused once it has ended, kept through the vend's own
 * writes, removed by a conditional write.
 */
export function callbackContract(name: string, freshStore: () => Promise<LedgerStore>): void {
  describe(name, () => {
    let ledger: Ledger;

    beforeEach(async () => {
      ledger = new Ledger(await freshStore());
    });

    const ended = (status: VendSummary['status']): VendSummary => ({
      application: 'orders',
      status,
      accounts: { tooling: { id: '200000000001', email: 'a@example.com' } },
      stackSets: [],
      ...(status === 'FAILED' && { error: { step: 'VendAccounts', message: 'no' } }),
    });

    it('keeps a callback while the vend runs, once per CloudFormation request', async () => {
      // Prepare
      const { record } = await ledger.submit(parseRequest(sample), OWNER);
      await ledger.markStarted('orders', record.requestId, 'arn:execution');

      // Act
      const first = await ledger.keepCallback('orders', waitingCallback(record.requestId, 'cfn-1'));
      const again = await ledger.keepCallback('orders', waitingCallback(record.requestId, 'cfn-1'));
      const other = await ledger.keepCallback('orders', waitingCallback(record.requestId, 'cfn-2'));

      // Assess
      expect([first.kept, again.kept, other.kept]).toEqual([true, true, true]);
      const waiting = await ledger.pendingCallbacks('orders', record.requestId);
      expect(waiting.map((c) => c.cfnRequestId)).toEqual(['cfn-1', 'cfn-2']);
      expect(await ledger.pendingCallbacks('orders', 'orders-000000000000')).toEqual([]);
    });

    it("keeps the callbacks through the vend's outcome, and refuses new ones after it", async () => {
      // Prepare
      const { record } = await ledger.submit(parseRequest(sample), OWNER);
      await ledger.keepCallback('orders', waitingCallback(record.requestId, 'cfn-1'));

      // Act
      await ledger.recordOutcome('orders', record.requestId, ended('SUCCEEDED'));
      const late = await ledger.keepCallback('orders', waitingCallback(record.requestId, 'cfn-2'));

      // Assess
      expect(late).toMatchObject({ kept: false, record: { status: 'SUCCEEDED' } });
      expect((await ledger.pendingCallbacks('orders')).map((c) => c.cfnRequestId)).toEqual(['cfn-1']);
    });

    it('keeps waiting callbacks when the request is tried again after a failure', async () => {
      // Prepare
      const { record } = await ledger.submit(parseRequest(sample), OWNER);
      await ledger.keepCallback('orders', waitingCallback(record.requestId, 'cfn-1'));
      await ledger.recordOutcome('orders', record.requestId, ended('FAILED'));

      // Act
      const retry = await ledger.submit(parseRequest(sample), OWNER);

      // Assess
      expect(retry.outcome).toBe('started');
      expect(retry.record.callbacks?.map((c) => c.cfnRequestId)).toEqual(['cfn-1']);
    });

    it('removes only the answered callbacks, and the list itself when none is left', async () => {
      // Prepare
      const { record } = await ledger.submit(parseRequest(sample), OWNER);
      const [one, two] = [
        waitingCallback(record.requestId, 'cfn-1'),
        waitingCallback(record.requestId, 'cfn-2'),
      ];
      await ledger.keepCallback('orders', one);
      await ledger.keepCallback('orders', two);

      // Act
      await ledger.removeCallbacks('orders', [one]);
      const afterOne = await ledger.pendingCallbacks('orders');
      await ledger.removeCallbacks('orders', [two, one]);

      // Assess
      expect(afterOne.map((c) => c.cfnRequestId)).toEqual(['cfn-2']);
      const item = await ledger.get('orders');
      expect(item?.callbacks).toBeUndefined();
      expect(item?.requestId).toBe(record.requestId);
    });
  });
}
