import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ledger } from '../../shared/ledger/ledger';
import { MemoryLedgerStore } from '../../shared/ledger/memory-store';
import { parseRequest } from '../../shared/request/validate';
import { OWNER } from '../support/actors';
import { waitingCallback } from '../support/callbacks';
import {
  answerPendingCallbacks,
  type CustomResourceResponse,
} from '../../shared/workflow/custom-resource-response';
import type { VendSummary } from '../../shared/workflow/types';

const sample = JSON.parse(
  readFileSync(join(__dirname, '../../events/application-request.json'), 'utf8'),
) as Record<string, unknown>;

/** An `Application Vended` detail as anyone allowed to put events on the bus could write it. */
const forged = (requestId: string) => ({
  application: 'orders',
  requestId,
  status: 'SUCCEEDED',
  accounts: { tooling: { id: '999999999999', email: 'mallory@example.com' } },
  organizationalUnit: { id: 'ou-evil-evilevil', name: 'evil' },
});

const ended = (status: VendSummary['status']): VendSummary => ({
  application: 'orders',
  status,
  accounts: { tooling: { id: '200000000001', email: 'aws+orders-tooling@example.com' } },
  organizationalUnit: { id: 'ou-root-orders01', name: 'orders' },
  stackSets: [],
  ...(status === 'FAILED' && { error: { step: 'VendAccounts', message: 'CreateAccount failed' } }),
});

describe('Service Catalog outcome: the answer comes from the ledger, not the event', () => {
  let ledger: Ledger;
  let sent: { url: string; response: CustomResourceResponse }[];
  let requestId: string;
  const send = async (url: string, response: CustomResourceResponse) => {
    sent.push({ url, response });
  };

  beforeEach(async () => {
    ledger = new Ledger(new MemoryLedgerStore());
    sent = [];
    const { record } = await ledger.submit(parseRequest(sample), OWNER);
    requestId = record.requestId;
    await ledger.markStarted('orders', requestId, 'arn:execution');
    await ledger.keepCallback('orders', waitingCallback(requestId));
  });

  it('answers nothing while the ledger says the vend runs, and keeps the callback', async () => {
    // Act
    const report = await answerPendingCallbacks(forged(requestId), { ledger, send });

    // Assess
    expect(sent).toEqual([]);
    expect(report).toMatchObject({ answered: 0, ignored: expect.stringContaining('IN_PROGRESS') });
    expect(await ledger.pendingCallbacks('orders', requestId)).toHaveLength(1);
  });

  it("answers a failed vend FAILED with the ledger's reason, whatever status the event claims", async () => {
    // Prepare
    await ledger.recordOutcome('orders', requestId, ended('FAILED'));

    // Act
    await answerPendingCallbacks(forged(requestId), { ledger, send });

    // Assess
    expect(sent.map((s) => s.response.Status)).toEqual(['FAILED']);
    expect(sent[0]!.response.Reason).toContain('VendAccounts: CreateAccount failed');
    expect(await ledger.pendingCallbacks('orders')).toEqual([]);
  });

  it("answers a vended application SUCCESS with the ledger's ids, not the event's", async () => {
    // Prepare
    await ledger.recordOutcome('orders', requestId, ended('SUCCEEDED'));

    // Act
    await answerPendingCallbacks(forged(requestId), { ledger, send });

    // Assess
    expect(sent.map((s) => s.response)).toEqual([
      expect.objectContaining({
        Status: 'SUCCESS',
        Data: expect.objectContaining({
          ToolingAccountId: '200000000001',
          OrganizationalUnitId: 'ou-root-orders01',
          AccountIds: 'tooling=200000000001',
        }),
      }),
    ]);
  });

  it('ignores an event naming another request, or fields that are not strings', async () => {
    // Prepare
    await ledger.recordOutcome('orders', requestId, ended('SUCCEEDED'));

    // Act
    const other = await answerPendingCallbacks(forged('orders-000000000000'), { ledger, send });
    const odd = await answerPendingCallbacks(
      { application: { name: 'orders' }, requestId },
      { ledger, send },
    );

    // Assess
    expect(other.ignored).toContain(`request ${requestId} SUCCEEDED`);
    expect(odd).toEqual({ answered: 0, refused: 0, undelivered: 0 });
    expect(sent).toEqual([]);
    expect(await ledger.pendingCallbacks('orders', requestId)).toHaveLength(1);
  });
});
