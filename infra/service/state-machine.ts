import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import type { CfnFunction, IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { LogLevel, StateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import type { StepFunctionName } from '../workflow/step-functions';
import { VendWorkflow } from '../workflow/vend-state-machine';

/** The deployed state machine's name: deterministic, like the functions'. */
export const STATE_MACHINE_NAME = 'appvend-vend';

export interface VendStateMachineProps {
  functions: Record<StepFunctionName, IFunction>;
  logRetention: RetentionDays;
  /** @default 12 hours: account creation and stack set operations take minutes, rarely more. */
  timeout?: Duration;
}

/**
 * The vend workflow (`infra/workflow/vend-state-machine.ts`, the same definition the CLI runs
 * locally) as a Standard state machine: X-Ray tracing, and every event logged to its own log group
 * without execution data (requests carry owners' email addresses; the ledger keeps them).
 */
export class VendStateMachine extends Construct {
  public readonly stateMachine: StateMachine;
  public readonly logGroup: LogGroup;

  public constructor(scope: Construct, id: string, props: VendStateMachineProps) {
    super(scope, id);
    const workflow = new VendWorkflow(this, props.functions);
    this.logGroup = new LogGroup(this, 'Logs', {
      // The /aws/vendedlogs/ prefix keeps CloudWatch Logs' resource policy small.
      logGroupName: `/aws/vendedlogs/states/${STATE_MACHINE_NAME}`,
      retention: props.logRetention,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.stateMachine = new StateMachine(this, 'StateMachine', {
      stateMachineName: STATE_MACHINE_NAME,
      definitionBody: workflow.definitionBody(),
      timeout: props.timeout ?? Duration.hours(12),
      tracingEnabled: true,
      logs: { destination: this.logGroup, level: LogLevel.ALL, includeExecutionData: false },
    });

    const stack = Stack.of(this);
    Validations.of(this.stateMachine.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'Added by CDK for logging and tracing: CloudWatch Logs log-delivery actions (logs:CreateLogDelivery and the like) and X-Ray trace actions support no resource-level permissions.',
    });
    for (const fn of Object.values(props.functions)) {
      const logicalId = stack.getLogicalId(fn.node.defaultChild as CfnFunction);
      Validations.of(this.stateMachine.role).acknowledge({
        id: `AwsSolutions-IAM5[Resource::<${logicalId}.Arn>:*]`,
        reason:
          'Added by CDK for each Lambda task: lambda:InvokeFunction on the function and its versions/aliases (<arn>:*), only the workflow functions.',
      });
    }
  }
}
