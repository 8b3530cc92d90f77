import '../support/debug-logs';
import type { Context } from 'aws-lambda';
import { stepHandler } from '../../shared/lambda/step-handler';
import { correlationKeys } from '../../shared/lambda/correlation';
import { sandboxWorld } from '../support/workflow';
import { captureOutputLines } from '../support/output-capture';

const context = (functionName: string): Context =>
  ({
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:111111111111:function:${functionName}`,
    memoryLimitInMB: '256',
    awsRequestId: 'req-lambda-1',
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'stream',
    getRemainingTimeInMillis: () => 60_000,
  }) as unknown as Context;

/** Every JSON line the handler writes (logs and EMF on stdout; WARN and ERROR go to stderr), parsed. */
async function captureStdout(run: () => Promise<unknown>): Promise<Record<string, unknown>[]> {
  const lines = await captureOutputLines(() => run().catch(() => undefined));
  return lines.map((line) => JSON.parse(line) as Record<string, unknown>);
}

interface EmfDocument {
  _aws: {
    Timestamp: number;
    CloudWatchMetrics: {
      Namespace: string;
      Dimensions: string[][];
      Metrics: { Name: string; Unit: string }[];
    }[];
  };
  [member: string]: unknown;
}
const emfOf = (lines: Record<string, unknown>[]): EmfDocument[] =>
  lines.filter((line) => '_aws' in line) as unknown as EmfDocument[];

describe("the functions' metrics (EMF) and log lines", () => {
  it('summarize-vend publishes a failed vend, its step and its duration as EMF, and logs with the correlation keys', async () => {
    // Arrange: a sandbox for the announcement (EventBridge, SNS); no request id, so no ledger write.
    sandboxWorld();
    process.env.APPVEND_EVENT_BUS_NAME = 'appvend';
    process.env.APPVEND_VEND_TOPIC_ARN = 'arn:aws:sns:us-east-1:111111111111:appvend-notifications';
    process.env.APPVEND_LEDGER_TABLE = 'appvend-ledger';
    const { handler } = await import('../../services/summarize-vend/handler');
    const input = {
      state: {
        app: { request: { name: 'orders' } },
        requestId: 'orders-1a2b',
        failure: {
          step: 'DeployStackSets',
          Error: 'StackSetOperationFailedError',
          Cause: '{"errorMessage":"no"}',
        },
      },
      status: 'FAILED' as const,
      execution: 'orders-1a2b-1',
      startedAt: new Date(Date.now() - 90_000).toISOString(),
    };

    // Act
    const lines = await captureStdout(() => handler(input as never, context('appvend-summarize-vend')));

    // Assert: the EMF documents, as CloudWatch Logs reads them.
    const emf = emfOf(lines);
    const byName = new Map(
      emf.flatMap((doc) =>
        doc._aws.CloudWatchMetrics.flatMap((d) =>
          d.Metrics.map((m) => [m.Name + JSON.stringify(d.Dimensions), { doc, d, m }] as const),
        ),
      ),
    );
    const total = byName.get('VendFailed[["service"]]');
    expect(total?.d.Namespace).toBe('appvend');
    expect(total?.doc.VendFailed).toBe(1);
    expect(total?.doc.service).toBe('appvend');
    const atStep = byName.get('VendFailed[["service","Step"]]');
    expect(atStep?.doc).toMatchObject({ Step: 'DeployStackSets', VendFailed: 1 });
    const duration = byName.get('VendDuration[["service"]]');
    expect(duration?.m.Unit).toBe('Seconds');
    expect(duration?.doc.VendDuration).toBeGreaterThanOrEqual(90);
    expect(duration?.doc.VendDuration).toBeLessThan(120);

    // Every log line carries the correlation keys the input names.
    const logs = lines.filter((line) => !('_aws' in line));
    expect(logs.length).toBeGreaterThan(0);
    for (const log of logs) {
      expect(log).toMatchObject({
        application: 'orders',
        requestId: 'orders-1a2b',
        execution: 'orders-1a2b-1',
        step: 'summarize-vend',
        function_request_id: 'req-lambda-1',
      });
    }
  });

  it('publishes nothing for a step that adds no metric', async () => {
    const handler = stepHandler('quiet', {}, () => Promise.resolve({ ok: true }));
    const lines = await captureStdout(() =>
      handler({ application: 'orders' } as never, context('appvend-quiet')),
    );
    expect(emfOf(lines)).toEqual([]);
  });

  it('logs an expected retry (AccountNotReadyError) at DEBUG and any other failure at WARN', async () => {
    const failing = (name: string) =>
      stepHandler('move-account', {}, () => {
        const error = new Error('not yet');
        error.name = name;
        return Promise.reject(error);
      });
    const input = {
      application: 'orders',
      creation: { account: { stage: 'test', name: 'orders-test', email: 'a@b.c' } },
    };

    const retried = await captureStdout(() =>
      failing('AccountNotReadyError')(input as never, context('appvend-move-account')),
    );
    const failed = await captureStdout(() =>
      failing('AccessDeniedException')(input as never, context('appvend-move-account')),
    );

    expect(retried.map((l) => [l.level, l.message])).toEqual([['DEBUG', 'step will be retried']]);
    expect(failed.map((l) => [l.level, l.message])).toEqual([['WARN', 'step failed']]);
    expect(retried[0]).toMatchObject({ application: 'orders' });
  });
});

describe('correlation keys', () => {
  it('finds the application in every payload shape of the workflows', () => {
    expect(correlationKeys({ request: { name: 'orders' } })).toEqual({ application: 'orders' });
    expect(correlationKeys({ app: { request: { name: 'orders' } } })).toEqual({ application: 'orders' });
    expect(
      correlationKeys({ target: { application: 'orders', requestId: 'r1', executionName: 'x' } }),
    ).toEqual({
      application: 'orders',
      requestId: 'r1',
      execution: 'x',
    });
    expect(correlationKeys({ account: { stage: 'prod', name: 'orders-api-prod' } })).toEqual({
      application: 'orders-api',
    });
    expect(correlationKeys({ name: 'appvend-orders-pipeline', operationId: 'op' })).toEqual({
      application: 'orders',
    });
    expect(correlationKeys({ ResourceProperties: { AppName: 'orders' } })).toEqual({ application: 'orders' });
    expect(correlationKeys({ conformancePack: 'p' })).toEqual({});
  });
});
