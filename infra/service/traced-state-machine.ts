import { RemovalPolicy, Stack, Validations, type Duration } from 'aws-cdk-lib';
import type { CfnFunction, IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { LogLevel, StateMachine, type DefinitionBody } from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct } from 'constructs';

export interface TracedStateMachineProps {
  /** The state machine's name, deterministic like the functions'; its log group is named after it. */
  name: string;
  definitionBody: DefinitionBody;
  timeout: Duration;
  logRetention: RetentionDays;
  /** The functions its Lambda tasks invoke. */
  functions: readonly IFunction[];
  /** Why the wildcards CDK adds to the state machine's role are acceptable (cdk-nag acknowledgements). */
  reasons: {
    /** For the log-delivery and X-Ray actions, which support no resource-level permissions. */
    loggingAndTracing: string;
    /** For lambda:InvokeFunction on each function's versions and aliases (`<arn>:*`). */
    invokeFunctions: string;
  };
}

/**
 * A Standard state machine as the service deploys each of its workflows: X-Ray tracing, and every
 * event logged to a log group of its own without execution data (requests carry owners' email
 * addresses; the ledger keeps them). Made in `scope` as `Logs` and `StateMachine`.
 */
export function tracedStateMachine(
  scope: Construct,
  props: TracedStateMachineProps,
): { stateMachine: StateMachine; logGroup: LogGroup } {
  const logGroup = new LogGroup(scope, 'Logs', {
    // The /aws/vendedlogs/ prefix keeps CloudWatch Logs' resource policy small.
    logGroupName: `/aws/vendedlogs/states/${props.name}`,
    retention: props.logRetention,
    removalPolicy: RemovalPolicy.RETAIN,
  });
  const stateMachine = new StateMachine(scope, 'StateMachine', {
    stateMachineName: props.name,
    definitionBody: props.definitionBody,
    timeout: props.timeout,
    tracingEnabled: true,
    logs: { destination: logGroup, level: LogLevel.ALL, includeExecutionData: false },
  });

  const stack = Stack.of(scope);
  Validations.of(stateMachine.role).acknowledge({
    id: 'AwsSolutions-IAM5[Resource::*]',
    reason: props.reasons.loggingAndTracing,
  });
  for (const fn of props.functions) {
    const logicalId = stack.getLogicalId(fn.node.defaultChild as CfnFunction);
    Validations.of(stateMachine.role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${logicalId}.Arn>:*]`,
      reason: props.reasons.invokeFunctions,
    });
  }
  return { stateMachine, logGroup };
}
