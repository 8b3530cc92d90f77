import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { METRICS_NAMESPACE, METRICS_SERVICE } from './metric-names';

/**
 * appvend's own metrics, as CloudWatch embedded metric format (EMF) lines in the functions' logs:
 * CloudWatch Logs extracts them, so no PutMetricData call and no permission are needed. Namespace
 * `appvend`, dimension `service` (Powertools' default) and, for the per-step figures, `Step`.
 * The dashboard and alarms (`infra/service/service-dashboard.ts`) read these names.
 *
 * Made on first use, so that the CLI and the tests decide (`POWERTOOLS_METRICS_DISABLED`) before:
 * the CLI runs the same handlers in-process, where EMF lines on stdout would mix with its output.
 */
export { METRIC, METRICS_NAMESPACE, METRICS_SERVICE } from './metric-names';

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
