import { parseRequest } from '../../shared/request/validate';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ledger } from '../../shared/ledger/ledger';
import { MemoryLedgerStore } from '../../shared/ledger/memory-store';
import {
  answerPendingCallbacks,
  type CustomResourceResponse,
} from '../../shared/workflow/custom-resource-response';
import { executionInput } from '../../shared/workflow/resume';
import { recordStoppedVend } from '../../shared/workflow/stopped-vend';
import { OWNER } from '../support/actors';
import { waitingCallback } from '../support/callbacks';

const sample = JSON.parse(
  readFileSync(join(__dirname, '../../events/application-request.json'), 'utf8'),
) as Record<string, unknown>;
const ARN = 'arn:aws:states:us-east-1:111111111111:execution:appvend-vend:';

describe('Function: recordStoppedVend (a vend execution stopped without recording its outcome)', () => {
  let ledger: Ledger;
  const progress = { currentStep: jest.fn(async () => 'DeployStackSets' as const) };

  beforeEach(() => {
    ledger = new Ledger(new MemoryLedgerStore());
  });

  async function running() {
    const { record } = await ledger.submit(parseRequest(sample), OWNER);
    await ledger.markStarted(record.name, record.requestId, `${ARN}${record.executionName}`);
    return record;
  }

  const change = (
    record: { executionName: string; request: unknown; requestId: string },
    status = 'TIMED_OUT',
  ) => ({
    executionArn: `${ARN}${record.executionName}`,
    name: record.executionName,
    status,
    input: JSON.stringify(executionInput(record)),
  });

  it('records the vend FAILED at the step it was at, and the same request starts it again', async () => {
    // Prepare
    const record = await running();

    // Act
    const result = await recordStoppedVend(ledger, progress, change(record));
    const stopped = await ledger.get('orders');
    const again = await ledger.submit(parseRequest(sample), OWNER);

    // Assess
    expect(result).toEqual({ recorded: true, application: 'orders', requestId: record.requestId });
    expect(stopped).toMatchObject({
      status: 'FAILED',
      step: 'DeployStackSets',
      error: { step: 'DeployStackSets', message: 'the execution timed out' },
    });
    expect(again).toMatchObject({ outcome: 'started', record: { attempt: 2 } });
  });

  it('leaves an outcome the workflow recorded itself', async () => {
    // Prepare
    const record = await running();
    await ledger.recordOutcome('orders', record.requestId, {
      application: 'orders',
      status: 'FAILED',
      accounts: {},
      stackSets: [],
      error: { step: 'VendAccounts', message: 'EMAIL_ALREADY_EXISTS' },
    });

    // Act
    const result = await recordStoppedVend(ledger, progress, change(record, 'FAILED'));

    // Assess
    expect(result.recorded).toBe(false);
    expect(await ledger.get('orders')).toMatchObject({
      error: { step: 'VendAccounts', message: 'EMAIL_ALREADY_EXISTS' },
    });
  });

  it('ignores an execution that is not the one the ledger follows, and one not started through it', async () => {
    // Prepare
    const record = await running();

    // Act
    const stale = await recordStoppedVend(
      ledger,
      progress,
      change({ ...record, executionName: `${record.requestId}-0` }),
    );
    const foreign = await recordStoppedVend(ledger, progress, { ...change(record), input: '{"request":{}}' });

    // Assess
    expect(stale.recorded).toBe(false);
    expect(foreign).toEqual({ recorded: false, reason: 'not a vend started through the ledger' });
    expect((await ledger.get('orders'))!.status).toBe('IN_PROGRESS');
  });

  it('lets a Service Catalog launch waiting for the stopped vend be answered FAILED from the ledger', async () => {
    // Prepare
    const record = await running();
    await ledger.keepCallback('orders', waitingCallback(record.requestId));
    const sent: CustomResourceResponse[] = [];

    // Act: what appvend-record-stopped-vend does with the result
    const result = await recordStoppedVend(ledger, progress, change(record));
    const report = await answerPendingCallbacks(result, {
      ledger,
      send: async (_url, response) => {
        sent.push(response);
      },
    });

    // Assess
    expect(report.answered).toBe(1);
    expect(sent).toEqual([
      expect.objectContaining({
        Status: 'FAILED',
        Reason: expect.stringContaining('DeployStackSets: the execution timed out'),
      }),
    ]);
    expect(await ledger.pendingCallbacks('orders')).toEqual([]);
  });
});
