import { Duration } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, MathExpression, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { IStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { ALARM_NAME_PREFIX } from './notification-topics';

export interface ServiceAlarmsProps {
  stateMachine: IStateMachine;
  deadLetterQueue: IQueue;
  /** Told when an alarm fires and when it clears. */
  topic: ITopic;
}

/**
 * What the platform team must hear about without looking: a vend that failed or timed out, and an
 * `Application Requested` event that could not be delivered or processed (it is in the dead-letter
 * queue).
 */
export class ServiceAlarms extends Construct {
  public readonly failedVends: Alarm;
  public readonly undeliveredRequests: Alarm;

  public constructor(scope: Construct, id: string, props: ServiceAlarmsProps) {
    super(scope, id);
    const period = Duration.minutes(5);
    const action = new SnsAction(props.topic);

    this.failedVends = new Alarm(this, 'FailedVends', {
      alarmName: `${ALARM_NAME_PREFIX}vend-executions-failed`,
      alarmDescription:
        'A vend failed or timed out: the execution history names the step; the summary says why.',
      metric: new MathExpression({
        label: 'Failed or timed-out vends',
        expression: 'failed + timedOut',
        usingMetrics: {
          failed: props.stateMachine.metricFailed({ period, statistic: 'Sum' }),
          timedOut: props.stateMachine.metricTimedOut({ period, statistic: 'Sum' }),
        },
        period,
      }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });

    this.undeliveredRequests = new Alarm(this, 'UndeliveredRequests', {
      alarmName: `${ALARM_NAME_PREFIX}application-requested-dlq-depth`,
      alarmDescription:
        'Application Requested events that EventBridge could not deliver, or appvend-submit-application could not process, are waiting in the dead-letter queue.',
      metric: props.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
        period,
        statistic: 'Maximum',
      }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });

    for (const alarm of [this.failedVends, this.undeliveredRequests]) {
      alarm.addAlarmAction(action);
      alarm.addOkAction(action);
    }
  }
}
