import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';

/**
 * appvend's own metrics, as CloudWatch embedded metric format (EMF) lines in the functions' logs:
 * CloudWatch Logs extracts them, so no PutMetricData call and no permission are needed. Namespace
 * `appvend`, dimension `service` (Powertools' default) and, for the per-step figures, `Step`.
 * The dashboard and alarms (`infra/service/service-dashboard.ts`) read these names.
 *
 * Made on first use, so that the CLI and the tests decide (`POWERTOOLS_METRICS_DISABLED`) before:
 * the CLI runs the same handlers in-process, where EMF lines on stdout would mix with its output.
 */
export const METRICS_NAMESPACE = 'appvend';
export const METRICS_SERVICE = 'appvend';

export const METRIC = {
  /** A vend ended successfully (Count). */
  vendSucceeded: 'VendSucceeded',
  /** A vend ended failed (Count); with the dimension Step, where. */
  vendFailed: 'VendFailed',
  /** From the execution's start to its summary (Seconds). */
  vendDuration: 'VendDuration',
  /** CreateAccount requests that completed with a new account (Count). */
  accountsCreated: 'AccountsCreated',
  /** Accounts found by their address and moved into an application's OU (Count). */
  accountsAdopted: 'AccountsAdopted',
  /** An account waited behind the CreateAccount quota: from queued to its request sent (Seconds). */
  createAccountQueueTime: 'CreateAccountQueueTime',
  /** Accounts answered QUEUED, one per look while the organization is full (Count). */
  createAccountQueued: 'CreateAccountQueued',
  /** Applications the scheduled reconcile found drifted (Count). */
  driftFound: 'DriftFound',
  /** Of those, the ones it started fixing (Count). */
  driftFixed: 'DriftFixed',
  /** Applications the reconcile could not read (Count). */
  reconcileErrors: 'ReconcileErrors',
  /** Accounts closed by offboarding (Count). */
  accountsClosed: 'AccountsClosed',
} as const;

let instance: Metrics | undefined;

/** The functions' Metrics; what a handler adds is published when it returns (`step-handler.ts`). */
export function metrics(): Metrics {
  instance ??= new Metrics({ namespace: METRICS_NAMESPACE, serviceName: METRICS_SERVICE });
  return instance;
}

/** Adds a count (no-op for 0, so that a quiet run publishes nothing). */
export function count(name: string, value = 1): void {
  if (value > 0) metrics().addMetric(name, MetricUnit.Count, value);
}

export function seconds(name: string, value: number): void {
  if (Number.isFinite(value) && value >= 0) metrics().addMetric(name, MetricUnit.Seconds, value);
}

/** A count with the step it is about, as a metric of its own (dimension Step), published at once. */
export function countAtStep(name: string, step: string): void {
  const single = metrics().singleMetric();
  single.addDimension('Step', step);
  single.addMetric(name, MetricUnit.Count, 1);
}

/** Publishes what the invocation added; nothing (and no warning) when it added none. */
export function publishMetrics(): void {
  if (instance?.hasStoredMetrics()) instance.publishStoredMetrics();
}
