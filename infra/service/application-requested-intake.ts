import { Duration, Validations } from 'aws-cdk-lib';
import { EventBus, Rule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { CfnRegistry, CfnSchema } from 'aws-cdk-lib/aws-eventschemas';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { applicationRequestJsonSchema } from '../../shared/request/schema';
import { APPLICATION_REQUESTED } from '../../shared/workflow/application-requested';

export { APPLICATION_REQUESTED };
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

/**
 * The EventBridge door: the `appvend` bus (which also carries the vend outcome events), a rule for
 * `Application Requested` (source `appvend`) that hands each event, as it is, to the front door
 * function ({@link deliverTo}), the event's schema in a registry, and an encrypted dead-letter
 * queue for events the rule could not deliver after its retries.
 *
 * The bus exists before the functions (the summary step announces outcomes on it) and the front
 * door function after the state machine it starts, so the rule's target is given last.
 *
 * @example
 * const intake = new ApplicationRequestedIntake(this, 'Intake');
 * // … the workflow, the state machine, the front door function …
 * intake.deliverTo(submitApplication.function);
 */
export class ApplicationRequestedIntake extends Construct {
  public readonly bus: EventBus;
  public readonly rule: Rule;
  public readonly deadLetterQueue: Queue;
  private target?: IFunction;

  public constructor(scope: Construct, id: string) {
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
        "This queue is itself the dead-letter queue of the Application Requested rule's target (and the front door function's on-failure destination): events EventBridge could not deliver, or the function could not process, land here, and the DLQ-depth alarm reports them.",
    });

    this.rule = new Rule(this, 'ApplicationRequested', {
      ruleName: 'appvend-application-requested',
      description:
        'Hands each Application Requested event to the front door, which records it and starts its vend',
      eventBus: this.bus,
      eventPattern: {
        source: [APPLICATION_REQUESTED.source],
        detailType: [APPLICATION_REQUESTED.detailType],
      },
    });
    this.node.addValidation({
      validate: () =>
        this.target ? [] : ['The Application Requested rule has no target: call deliverTo(function)'],
    });

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

  /**
   * Makes `fn` the rule's target: invoked with each `Application Requested` event as it is (the
   * function reads the request from `detail`), retried by EventBridge for up to a day, and parked
   * in the dead-letter queue when it cannot be delivered.
   */
  public deliverTo(fn: IFunction): void {
    if (this.target) throw new Error('The Application Requested rule already has its target');
    this.target = fn;
    this.rule.addTarget(
      new LambdaFunction(fn, {
        deadLetterQueue: this.deadLetterQueue,
        retryAttempts: 8,
        maxEventAge: Duration.hours(24),
      }),
    );
  }
}
