import { Duration } from 'aws-cdk-lib';
import {
  Alarm,
  AlarmStatusWidget,
  ComparisonOperator,
  Dashboard,
  GraphWidget,
  MathExpression,
  Metric,
  SingleValueWidget,
  TextWidget,
  TreatMissingData,
  type IMetric,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { IStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { METRIC, METRICS_NAMESPACE, METRICS_SERVICE } from '../../shared/lambda/metric-names';
import { ALARM_NAME_PREFIX } from './notification-topics';

export const DASHBOARD_NAME = 'appvend';

/** How long an account may wait behind the CreateAccount quota before someone should look. */
export const QUEUE_WAIT_ALARM_SECONDS = 3600;

export interface ServiceDashboardProps {
  stateMachine: IStateMachine;
  /** Told when an alarm fires and when it clears. */
  topic: ITopic;
  /** Alarms defined elsewhere, shown in the dashboard's alarm widget too. */
  otherAlarms: Alarm[];
}

/** One of the functions' EMF metrics (`shared/lambda/metrics.ts`): namespace appvend, dimension service. */
const appvendMetric = (metricName: string, statistic: string, period: Duration, label?: string): Metric =>
  new Metric({
    namespace: METRICS_NAMESPACE,
    metricName,
    dimensionsMap: { service: METRICS_SERVICE },
    statistic,
    period,
    ...(label && { label }),
  });

/**
 * The `appvend` CloudWatch dashboard and the alarms on the functions' own metrics: vends and their
 * duration, failures by step, the CreateAccount queue, drift and closures at a glance.
 */
export class ServiceDashboard extends Construct {
  public readonly dashboard: Dashboard;
  public readonly queueWait: Alarm;
  public readonly driftFound: Alarm;
  public readonly reconcileErrors: Alarm;

  public constructor(scope: Construct, id: string, props: ServiceDashboardProps) {
    super(scope, id);
    const hour = Duration.hours(1);
    const day = Duration.days(1);
    const action = new SnsAction(props.topic);

    this.queueWait = new Alarm(this, 'CreateAccountQueueWait', {
      alarmName: `${ALARM_NAME_PREFIX}create-account-queue-wait`,
      alarmDescription:
        'An account waited more than an hour behind the CreateAccount quota: other tools may hold the slots, or AWS keeps refusing (see the vend function logs).',
      metric: appvendMetric(METRIC.createAccountQueueTime, 'Maximum', hour),
      threshold: QUEUE_WAIT_ALARM_SECONDS,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    this.driftFound = new Alarm(this, 'DriftFound', {
      alarmName: `${ALARM_NAME_PREFIX}drift-found`,
      alarmDescription:
        'The scheduled reconcile found an application that no longer matches its request (Application Drift Detected on the bus names it).',
      metric: appvendMetric(METRIC.driftFound, 'Sum', day),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    this.reconcileErrors = new Alarm(this, 'ReconcileErrors', {
      alarmName: `${ALARM_NAME_PREFIX}reconcile-errors`,
      alarmDescription:
        'The scheduled reconcile could not read an application (appvend-reconcile-drift logs "application could not be reconciled").',
      metric: appvendMetric(METRIC.reconcileErrors, 'Sum', day),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    for (const alarm of [this.queueWait, this.driftFound, this.reconcileErrors]) {
      alarm.addAlarmAction(action);
      alarm.addOkAction(action);
    }

    // Failures by step: one line per Step value the summary step has published.
    const failuresByStep: IMetric = new MathExpression({
      expression: `SEARCH('{${METRICS_NAMESPACE},Step,service} MetricName="${METRIC.vendFailed}"', 'Sum', 3600)`,
      label: '',
      period: hour,
    });

    this.dashboard = new Dashboard(this, 'Dashboard', {
      dashboardName: DASHBOARD_NAME,
      defaultInterval: Duration.days(7),
    });
    this.dashboard.addWidgets(
      new TextWidget({
        markdown:
          "# appvend\nVends, failures by step, the CreateAccount queue and drift. Metrics: namespace `appvend` (EMF lines in the functions' logs); executions: `AWS/States` for `appvend-vend`.",
        width: 24,
        height: 2,
      }),
    );
    this.dashboard.addWidgets(
      new GraphWidget({
        title: 'Vends per hour',
        left: [
          appvendMetric(METRIC.vendSucceeded, 'Sum', hour, 'succeeded'),
          appvendMetric(METRIC.vendFailed, 'Sum', hour, 'failed'),
          props.stateMachine.metricStarted({ period: hour, statistic: 'Sum', label: 'executions started' }),
        ],
        width: 8,
      }),
      new GraphWidget({
        title: 'Failed vends by step (per hour)',
        left: [failuresByStep],
        width: 8,
      }),
      new GraphWidget({
        title: 'Vend duration (seconds)',
        left: [
          appvendMetric(METRIC.vendDuration, 'p50', hour, 'p50'),
          appvendMetric(METRIC.vendDuration, 'Maximum', hour, 'max'),
        ],
        width: 8,
      }),
    );
    this.dashboard.addWidgets(
      new GraphWidget({
        title: 'CreateAccount queue',
        left: [appvendMetric(METRIC.createAccountQueued, 'Sum', hour, 'accounts queued')],
        right: [appvendMetric(METRIC.createAccountQueueTime, 'Maximum', hour, 'longest wait (s)')],
        width: 8,
      }),
      new GraphWidget({
        title: 'Accounts per day',
        left: [
          appvendMetric(METRIC.accountsCreated, 'Sum', day, 'created'),
          appvendMetric(METRIC.accountsAdopted, 'Sum', day, 'adopted'),
          appvendMetric(METRIC.accountsClosed, 'Sum', day, 'closed'),
        ],
        width: 8,
      }),
      new GraphWidget({
        title: 'Drift per day',
        left: [
          appvendMetric(METRIC.driftFound, 'Sum', day, 'found'),
          appvendMetric(METRIC.driftFixed, 'Sum', day, 'fix started'),
          appvendMetric(METRIC.reconcileErrors, 'Sum', day, 'not readable'),
        ],
        width: 8,
      }),
    );
    this.dashboard.addWidgets(
      new SingleValueWidget({
        title: 'Last 7 days',
        metrics: [
          appvendMetric(METRIC.vendSucceeded, 'Sum', Duration.days(7), 'vends succeeded'),
          appvendMetric(METRIC.vendFailed, 'Sum', Duration.days(7), 'vends failed'),
          appvendMetric(METRIC.accountsCreated, 'Sum', Duration.days(7), 'accounts created'),
          appvendMetric(METRIC.driftFound, 'Sum', Duration.days(7), 'drift found'),
        ],
        width: 12,
      }),
      new AlarmStatusWidget({
        title: 'Alarms',
        alarms: [...props.otherAlarms, this.queueWait, this.driftFound, this.reconcileErrors],
        width: 12,
      }),
    );
  }
}
