import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import type { Context } from 'aws-lambda';
import { awsClients, ownAccountClient } from '../../shared/aws/client-factory';
import { ledgerFor } from '../../shared/ledger';
import { count as addCount, METRIC } from '../../shared/lambda/metrics';
import { logger, stepHandler } from '../../shared/lambda/step-handler';
import { StepFunctionsStarter } from '../../shared/workflow/intake';
import { PlanEnv, planSettingsFrom } from '../../shared/workflow/plan';
import { RECONCILE_PAGE_SIZE, reconcileStretch, type ReconcileReport } from '../../shared/workflow/reconcile';
import { flag, withDefault } from '../../shared/workflow/environment-variables';
import { IntakeEnv, MemberAccessEnv, OutcomeEnv } from '../../shared/workflow/settings';

export const environment = {
  ...IntakeEnv,
  ...PlanEnv,
  ...MemberAccessEnv,
  APPVEND_EVENT_BUS_NAME: OutcomeEnv.APPVEND_EVENT_BUS_NAME,
  /** "true": drift is fixed by starting the vend again; "false" (the default): only reported. */
  APPVEND_RECONCILE_APPLY: withDefault(flag(), false),
};

/**
 * The time an invocation keeps for its last page of applications: it starts no page with less
 * left. An estimate: a page of RECONCILE_PAGE_SIZE plans of a few dozen reads each (their reads
 * run in parallel within a plan) takes well under a minute on AWS; the function's timeout is 5
 * minutes (infra/service/drift-reconciler.ts).
 */
export const RECONCILE_RESERVE_MS = 90_000;

/** Where the run goes on: the input an invocation hands the next one. */
export interface ReconcileContinuation {
  continueFrom: string;
}

/** The ledger cursor a continuation carries; anything else (the schedule's event) starts at the beginning. */
function cursorOf(input: unknown): string | undefined {
  const cursor = (input as Partial<ReconcileContinuation> | null)?.continueFrom;
  return typeof cursor === 'string' && cursor.length > 0 && cursor.length <= 1024 ? cursor : undefined;
}

/**
 * The scheduled reconcile: every vended application in the ledger is compared with its request
 * (read calls only, member accounts through the member role), drift is announced on the bus as
 * `Application Drift Detected`, and, when the service is set to apply, fixed by the next attempt
 * of the same request. One application that cannot be read does not stop the others. An
 * invocation reconciles pages of applications while it has time for another, then hands the rest
 * to a new invocation of itself (asynchronous, with the ledger's cursor): the run covers a ledger of
 * any size, each invocation within the function's timeout.
 */
export const handler = stepHandler(
  'reconcile-drift',
  environment,
  async (input: unknown, env, context: Context) => {
    const ledger = ledgerFor(env.APPVEND_LEDGER_TABLE);
    const deps = {
      clients: awsClients(),
      ledger,
      settings: planSettingsFrom(env, { memberReads: true }),
      eventBusName: env.APPVEND_EVENT_BUS_NAME,
      ...(env.APPVEND_RECONCILE_APPLY && {
        starter: new StepFunctionsStarter(env.APPVEND_STATE_MACHINE_ARN),
      }),
    };
    const from = cursorOf(input);
    const { reports, next } = await reconcileStretch(deps, {
      ...(from && { from }),
      pageSize: RECONCILE_PAGE_SIZE,
      timeLeft: () => context.getRemainingTimeInMillis(),
      reserveMs: RECONCILE_RESERVE_MS,
    });
    for (const report of reports) {
      if (report.outcome === 'error') logger.error('application could not be reconciled', { report });
      else if (report.drift.length > 0) logger.warn('drift found', { report });
    }
    if (next !== undefined) {
      const continuation: ReconcileContinuation = { continueFrom: next };
      await ownAccountClient(LambdaClient).send(
        new InvokeCommand({
          FunctionName: context.invokedFunctionArn,
          InvocationType: 'Event',
          Payload: new TextEncoder().encode(JSON.stringify(continuation)),
        }),
      );
    }
    const count = (outcome: ReconcileReport['outcome']) =>
      reports.filter((r) => r.outcome === outcome).length;
    const totals = {
      applications: reports.length,
      inLine: count('in-line'),
      drifted: count('drifted'),
      fixing: count('fixing'),
      skipped: count('skipped'),
      errors: count('error'),
      ...(next !== undefined && { continuesFrom: next }),
    };
    addCount(METRIC.driftFound, totals.drifted + totals.fixing);
    addCount(METRIC.driftFixed, totals.fixing);
    addCount(METRIC.reconcileErrors, totals.errors);
    logger.info(next === undefined ? 'reconcile finished' : 'reconcile goes on in a new invocation', {
      totals,
    });
    return totals;
  },
);
