import { Duration, Validations } from 'aws-cdk-lib';
import { EventBus, EventField, Rule, RuleTargetInput } from 'aws-cdk-lib/aws-events';
import { SfnStateMachine } from 'aws-cdk-lib/aws-events-targets';
import { CfnRegistry, CfnSchema } from 'aws-cdk-lib/aws-eventschemas';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { IStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { applicationRequestJsonSchema } from '../../shared/request/schema';

/** What an `Application Requested` event carries: source and detail-type (the detail is the request). */
export const APPLICATION_REQUESTED = { source: 'appvend', detailType: 'Application Requested' } as const;
export const EVENT_BUS_NAME = 'appvend';

/**
 * The `Application Requested` event as JSON Schema draft 4 (what EventBridge's schema registry
 * takes): the EventBridge envelope around the request schema, which is exported from the one zod
 * schema (`shared/request/schema.ts`). Keywords draft 4 does not know (`propertyNames`) are kept:
 * draft 4 tools ignore them.
 */
export function applicationRequestedEventSchema(): Record<string, unknown> {
  const { $schema: _dialect, ...detail } = applicationRequestJsonSchema();
  return {
    $schema: 'http://json-schema.org/draft-04/schema#',
    title: 'ApplicationRequested',
    type: 'object',
    required: ['source', 'detail-type', 'detail'],
    properties: {
      version: { type: 'string' },
      id: { type: 'string' },
      account: { type: 'string' },
      time: { type: 'string', format: 'date-time' },
      region: { type: 'string' },
      resources: { type: 'array', items: { type: 'string' } },
      source: { type: 'string', enum: [APPLICATION_REQUESTED.source] },
      'detail-type': { type: 'string', enum: [APPLICATION_REQUESTED.detailType] },
      detail,
    },
  };
}

export interface ApplicationRequestedIntakeProps {
  /** Started with `{ "request": <event detail> }` for each `Application Requested` event. */
  stateMachine: IStateMachine;
}

/**
 * The EventBridge door: the `appvend` bus, a rule for `Application Requested` (source `appvend`)
 * that starts a vend with the event's detail as the request, the event's schema in a registry, and
 * an encrypted dead-letter queue for events the rule could not deliver after its retries.
 */
export class ApplicationRequestedIntake extends Construct {
  public readonly bus: EventBus;
  public readonly rule: Rule;
  public readonly deadLetterQueue: Queue;

  public constructor(scope: Construct, id: string, props: ApplicationRequestedIntakeProps) {
    super(scope, id);
    this.bus = new EventBus(this, 'Bus', {
      eventBusName: EVENT_BUS_NAME,
      description: 'appvend: Application Requested in; vend results out',
    });

    this.deadLetterQueue = new Queue(this, 'DeadLetterQueue', {
      queueName: 'appvend-application-requested-dlq',
      // EventBridge can deliver to SQS-managed SSE; it cannot use the AWS managed key alias/aws/sqs.
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    Validations.of(this.deadLetterQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        "This queue is itself the dead-letter queue of the Application Requested rule's target: events EventBridge could not deliver land here, and the DLQ-depth alarm reports them.",
    });

    this.rule = new Rule(this, 'ApplicationRequested', {
      ruleName: 'appvend-application-requested',
      description: 'Starts a vend for each Application Requested event',
      eventBus: this.bus,
      eventPattern: {
        source: [APPLICATION_REQUESTED.source],
        detailType: [APPLICATION_REQUESTED.detailType],
      },
    });
    this.rule.addTarget(
      new SfnStateMachine(props.stateMachine, {
        input: RuleTargetInput.fromObject({ request: EventField.fromPath('$.detail') }),
        deadLetterQueue: this.deadLetterQueue,
        retryAttempts: 8,
        maxEventAge: Duration.hours(24),
      }),
    );

    const registry = new CfnRegistry(this, 'SchemaRegistry', {
      registryName: 'appvend',
      description: 'appvend: the events its bus takes',
    });
    new CfnSchema(this, 'ApplicationRequestedSchema', {
      registryName: registry.attrRegistryName,
      schemaName: 'appvend@ApplicationRequested',
      type: 'JSONSchemaDraft4',
      description: 'An application request (shared/request/schema.ts) in an EventBridge event',
      content: JSON.stringify(applicationRequestedEventSchema()),
    });
  }
}
