import '../support/debug-logs';
import { STEP_FUNCTIONS } from '../../infra/workflow/step-functions';
import { createSuspendedOu, offboard, vendThroughLedger } from '../support/offboard';
import { captureOutputLines } from '../support/output-capture';
import { sandboxWorld } from '../support/workflow';

/** Every JSON line written while `run` runs (logs on stdout; WARN and ERROR on stderr), parsed. */
async function captureLines(run: () => Promise<unknown>): Promise<Record<string, unknown>[]> {
  return (await captureOutputLines(run))
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

/** The handlers' log lines (not EMF documents), less the CreateAccount line's scheduled sweep. */
const stepLines = (lines: Record<string, unknown>[]) =>
  lines.filter((line) => typeof line.step === 'string' && line.step !== 'release-account-slots');

const REQUEST = {
  name: 'orders',
  owner: 'orders-team@example.com',
  accountEmail: 'aws+{name}-{stage}@example.com',
  source: {
    connectionArn:
      'arn:aws:codeconnections:us-east-1:111111111111:connection/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0',
    repository: 'example-org/orders',
  },
};

describe('Correlation keys: every log line of every function of a vend and an offboarding', () => {
  afterAll(() => delete process.env.APPVEND_SUSPENDED_OU_ID);

  it('carries the application, the request id and the execution, whichever task wrote it', async () => {
    // Prepare
    const world = sandboxWorld();

    // Act: a vend as the front doors start one (through the ledger), then its offboarding.
    const vendLines = stepLines(await captureLines(() => vendThroughLedger(world, REQUEST)));
    const record = (await world.ledger.get('orders'))!;
    await createSuspendedOu();
    const offboardLines = stepLines(await captureLines(() => offboard(world, 'orders')));
    const offboarding = (await world.ledger.get('orders'))!.history!.at(-1)!;
    expect(record.status).toBe('SUCCEEDED');

    // Assess: every function of both workflows wrote lines, and each line names all three.
    const steps = (lines: Record<string, unknown>[]) => [...new Set(lines.map((l) => l.step))].sort();
    expect(steps(vendLines)).toEqual([...STEP_FUNCTIONS].sort());
    expect(steps(offboardLines)).toEqual(
      expect.arrayContaining([
        'prepare-offboarding',
        'remove-guardrails',
        'remove-stack-set',
        'check-stack-set-operation',
        'remove-service-control-policy',
        'remove-access',
        'suspend-accounts',
        'remove-organizational-unit',
        'summarize-offboarding',
      ]),
    );
    const missing = (lines: Record<string, unknown>[], execution: string) =>
      lines
        .filter(
          (line) =>
            line.application !== 'orders' ||
            line.requestId !== record.requestId ||
            line.execution !== execution,
        )
        .map(
          (line) =>
            `${String(line.step)}: ${String(line.message)} ${JSON.stringify([line.application, line.requestId, line.execution])}`,
        );
    expect(missing(vendLines, record.executionName)).toEqual([]);
    // prepare-offboarding knows the request id once it has read the ledger: its first line is before.
    expect(
      missing(offboardLines, offboarding.executionName).filter((l) => !l.startsWith('prepare-offboarding')),
    ).toEqual([]);
    expect(offboardLines.filter((l) => l.step === 'prepare-offboarding').at(-1)).toMatchObject({
      application: 'orders',
      requestId: record.requestId,
      execution: offboarding.executionName,
    });
  });
});
