import { awsClients } from '../../shared/aws/client-factory';
import { ledgerFor } from '../../shared/ledger';
import { count as addCount, METRIC } from '../../shared/lambda/metrics';
import { logger, stepHandler } from '../../shared/lambda/step-handler';
import { StepFunctionsStarter } from '../../shared/workflow/intake';
import { PlanEnv, planSettingsFrom } from '../../shared/workflow/plan';
import { reconcileApplication, type ReconcileReport } from '../../shared/workflow/reconcile';
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
 * The scheduled reconcile: every vended application in the ledger is compared with its request
 * (read calls only, member accounts through the member role), drift is announced on the bus as
 * `Application Drift Detected`, and, when the service is set to apply, fixed by the next attempt
 * of the same request. One application that cannot be read does not stop the others.
 */
export const handler = stepHandler('reconcile-drift', environment, async (_event: unknown, env) => {
  const ledger = ledgerFor(env.APPVEND_LEDGER_TABLE);
  const deps = {
    clients: awsClients(),
    ledger,
    settings: planSettingsFrom(env, { memberReads: true }),
    eventBusName: env.APPVEND_EVENT_BUS_NAME,
    ...(env.APPVEND_RECONCILE_APPLY && { starter: new StepFunctionsStarter(env.APPVEND_STATE_MACHINE_ARN) }),
  };
  const reports: ReconcileReport[] = [];
  for (const record of await ledger.all()) {
    const report = await reconcileApplication(deps, record);
    if (report.outcome === 'error') logger.error('application could not be reconciled', { report });
    else if (report.drift.length > 0) logger.warn('drift found', { report });
    reports.push(report);
  }
  const count = (outcome: ReconcileReport['outcome']) => reports.filter((r) => r.outcome === outcome).length;
  const totals = {
    applications: reports.length,
    inLine: count('in-line'),
    drifted: count('drifted'),
    fixing: count('fixing'),
    skipped: count('skipped'),
    errors: count('error'),
  };
  addCount(METRIC.driftFound, totals.drifted + totals.fixing);
  addCount(METRIC.driftFixed, totals.fixing);
  addCount(METRIC.reconcileErrors, totals.errors);
  logger.info('reconcile finished', { totals });
  return totals;
});
