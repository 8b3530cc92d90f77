import { Duration } from 'aws-cdk-lib';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { StateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import type { StepFunctionName } from '../workflow/step-functions';
import { VendWorkflow } from '../workflow/vend-state-machine';
import { tracedStateMachine } from './traced-state-machine';

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
    ({ stateMachine: this.stateMachine, logGroup: this.logGroup } = tracedStateMachine(this, {
      name: STATE_MACHINE_NAME,
      definitionBody: workflow.definitionBody(),
      timeout: props.timeout ?? Duration.hours(12),
      logRetention: props.logRetention,
      functions: Object.values(props.functions),
      reasons: {
        loggingAndTracing:
          'Added by CDK for logging and tracing: CloudWatch Logs log-delivery actions (logs:CreateLogDelivery and the like) and X-Ray trace actions support no resource-level permissions.',
        invokeFunctions:
          'Added by CDK for each Lambda task: lambda:InvokeFunction on the function and its versions/aliases (<arn>:*), only the workflow functions.',
      },
    }));
  }
}
