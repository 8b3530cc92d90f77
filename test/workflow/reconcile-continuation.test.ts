/**
 * The scheduled reconcile covers a ledger of any size within the function's timeout: an invocation
 * reconciles pages while it has time for another, then hands the ledger's cursor to a new
 * invocation of itself (shared/workflow/reconcile.ts `reconcileStretch`,
 * services/reconcile-drift/handler.ts).
 */
import type { Context } from 'aws-lambda';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AnyPluggable } from '../../shared/aws/client-factory';
import { awsClients } from '../../shared/aws/client-factory';
import { parseRequest } from '../../shared/request/validate';
import { PlanEnv, planSettingsFrom } from '../../shared/workflow/plan';
import { reconcileStretch, type ReconcileDeps } from '../../shared/workflow/reconcile';
import { readEnvironment } from '../../shared/workflow/settings';
import { OWNER } from '../support/actors';
import { sandboxWorld, type SandboxWorld } from '../support/workflow';

const sample = JSON.parse(
  readFileSync(join(__dirname, '../../events/application-request.json'), 'utf8'),
) as Record<string, unknown>;

const APPLICATIONS = 25;
const PAGE = 10;

/** The ledger of `count` applications (requested, never vended: reconcile skips them without a call). */
async function ledgerOf(world: SandboxWorld, count: number): Promise<string[]> {
  const names = Array.from({ length: count }, (_, i) => `app${String(i).padStart(2, '0')}`);
  for (const name of names) await world.ledger.submit(parseRequest({ ...sample, name }), OWNER);
  return names;
}

describe('Reconcile: a run in stretches, each within the time one invocation has', () => {
  let world: SandboxWorld;
  let names: string[];
  const deps = (): ReconcileDeps => ({
    clients: awsClients(),
    ledger: world.ledger,
    settings: planSettingsFrom(readEnvironment(PlanEnv), { memberReads: false }),
    eventBusName: 'appvend',
  });

  beforeEach(async () => {
    world = sandboxWorld();
    names = await ledgerOf(world, APPLICATIONS);
  });

  it('reads the whole ledger in one stretch when there is time', async () => {
    // Act
    const stretch = await reconcileStretch(deps(), {
      pageSize: PAGE,
      timeLeft: () => 300_000,
      reserveMs: 90_000,
    });

    // Assess
    expect(stretch.next).toBeUndefined();
    expect(stretch.reports.map((r) => r.application).sort()).toEqual(names);
  });

  it('stops when less than the reserve is left, and the stretches that go on cover every application once', async () => {
    // Prepare: time for one page an invocation.
    const seen: string[] = [];
    const stretches: number[] = [];

    // Act
    let from: string | undefined;
    do {
      let left = 200_000;
      const stretch = await reconcileStretch(deps(), {
        ...(from && { from }),
        pageSize: PAGE,
        timeLeft: () => (left -= 150_000),
        reserveMs: 90_000,
      });
      seen.push(...stretch.reports.map((r) => r.application));
      stretches.push(stretch.reports.length);
      from = stretch.next;
    } while (from !== undefined);

    // Assess
    expect(stretches.length).toBe(Math.ceil(APPLICATIONS / PAGE));
    expect(stretches.every((n) => n <= PAGE)).toBe(true);
    expect([...seen].sort()).toEqual(names);
  });

  it('reconciles at least one page even with no time left, so that a run always moves on', async () => {
    // Act
    const stretch = await reconcileStretch(deps(), { pageSize: PAGE, timeLeft: () => 0, reserveMs: 90_000 });

    // Assess
    expect(stretch.reports.length).toBeGreaterThan(0);
    expect(stretch.reports.length).toBeLessThanOrEqual(PAGE);
    expect(stretch.next).toBeDefined();
  });
});

describe('Reconcile function: hands the rest of the ledger to a new invocation of itself', () => {
  const FUNCTION_ARN = 'arn:aws:lambda:us-east-1:111111111111:function:appvend-reconcile-drift';
  /** The Lambda Invoke calls the function made, answered as Lambda answers an asynchronous one. */
  const invocations: { FunctionName?: string; InvocationType?: string; payload: unknown }[] = [];
  const lambdaInvoke: AnyPluggable = {
    applyToStack: (stack) => {
      stack.add(
        (next, context) => async (args) => {
          if ((context as { commandName?: string }).commandName !== 'InvokeCommand') return next(args);
          const input = args.input as {
            FunctionName?: string;
            InvocationType?: string;
            Payload?: Uint8Array;
          };
          invocations.push({
            FunctionName: input.FunctionName,
            InvocationType: input.InvocationType,
            payload: JSON.parse(new TextDecoder().decode(input.Payload)),
          });
          return { output: { StatusCode: 202, $metadata: {} } as never, response: {} };
        },
        { step: 'initialize', name: 'answerLambdaInvoke' },
      );
    },
  };
  const context = (timeLeft: () => number): Context =>
    ({
      functionName: 'appvend-reconcile-drift',
      invokedFunctionArn: FUNCTION_ARN,
      awsRequestId: 'req-1',
      getRemainingTimeInMillis: timeLeft,
    }) as unknown as Context;

  it('goes on from where it stopped, in a new invocation of the function that ran it, until the ledger ends', async () => {
    // Prepare
    invocations.length = 0;
    const world = sandboxWorld({ plugins: [lambdaInvoke] });
    const names = await ledgerOf(world, APPLICATIONS);
    process.env.APPVEND_STATE_MACHINE_ARN = 'arn:aws:states:us-east-1:111111111111:stateMachine:appvend-vend';
    const { handler } = await import('../../services/reconcile-drift/handler');
    const totals: { applications: number; continuesFrom?: string }[] = [];

    // Act: the schedule's event, then each continuation as Lambda would deliver it; time for one page each.
    let input: unknown = { 'detail-type': 'Scheduled Event', source: 'aws.events' };
    for (let run = 0; run < 10; run += 1) {
      let left = 200_000;
      totals.push(
        await handler(
          input as never,
          context(() => (left -= 150_000)),
        ),
      );
      const handedOn = invocations.at(-1);
      if (totals.at(-1)!.continuesFrom === undefined) break;
      expect(handedOn).toMatchObject({ FunctionName: FUNCTION_ARN, InvocationType: 'Event' });
      input = handedOn!.payload;
    }

    // Assess
    expect(totals.map((t) => t.applications)).toEqual([10, 10, 5]);
    expect(invocations.map((i) => i.payload)).toEqual([
      { continueFrom: totals[0]!.continuesFrom },
      { continueFrom: totals[1]!.continuesFrom },
    ]);
    expect(totals.reduce((n, t) => n + t.applications, 0)).toBe(names.length);
  });
});
