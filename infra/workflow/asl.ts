import { App, Stack } from 'aws-cdk-lib';
import { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { StateGraph } from 'aws-cdk-lib/aws-stepfunctions';
import { OffboardWorkflow } from './offboard-state-machine';
import {
  OFFBOARD_FUNCTIONS,
  STEP_FUNCTIONS,
  functionName,
  type OffboardWorkflowFunctionName,
  type StepFunctionName,
} from './step-functions';
import { VendWorkflow } from './vend-state-machine';

/** Account and region used only to render function ARNs in the locally-run ASL. */
export const LOCAL_ACCOUNT = '000000000000';
export const LOCAL_REGION = 'us-east-1';

/**
 * Service integrations' resources name the partition (`arn:${AWS::Partition}:states:::lambda:…`);
 * the locally-run ASL is in the aws partition, so those joins are resolved to plain strings.
 */
function inPartition(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(inPartition);
  if (value === null || typeof value !== 'object') return value;
  const record = value as Record<string, unknown>;
  if (record.Ref === 'AWS::Partition') return 'aws';
  const join = record['Fn::Join'] as [string, unknown[]] | undefined;
  if (join) {
    const parts = join[1].map(inPartition);
    if (parts.every((part) => typeof part === 'string')) return parts.join(join[0]);
  }
  return Object.fromEntries(Object.entries(record).map(([key, inner]) => [key, inPartition(inner)]));
}

/**
 * The vend state machine's ASL, exactly as CDK defines it for AWS, with function ARNs that name
 * each step's function (the local runner maps them to in-process handlers). No synth needed.
 */
export function vendStateMachineDefinition(): Record<string, unknown> {
  const app = new App();
  const stack = new Stack(app, 'AppvendAsl', { env: { account: LOCAL_ACCOUNT, region: LOCAL_REGION } });
  const functions = Object.fromEntries(
    STEP_FUNCTIONS.map((step) => [
      step,
      LambdaFunction.fromFunctionArn(
        stack,
        step,
        `arn:aws:lambda:${LOCAL_REGION}:${LOCAL_ACCOUNT}:function:${functionName(step)}`,
      ),
    ]),
  ) as Record<StepFunctionName, LambdaFunction>;
  const workflow = new VendWorkflow(stack, functions);
  const graph = new StateGraph(workflow.definition.startState, 'vend');
  return inPartition(stack.resolve(graph.toGraphJson())) as Record<string, unknown>;
}

/** The offboarding state machine's ASL, made the same way as the vend's. */
export function offboardStateMachineDefinition(): Record<string, unknown> {
  const app = new App();
  const stack = new Stack(app, 'AppvendOffboardAsl', {
    env: { account: LOCAL_ACCOUNT, region: LOCAL_REGION },
  });
  const names: OffboardWorkflowFunctionName[] = [...OFFBOARD_FUNCTIONS, 'check-stack-set-operation'];
  const functions = Object.fromEntries(
    names.map((step) => [
      step,
      LambdaFunction.fromFunctionArn(
        stack,
        step,
        `arn:aws:lambda:${LOCAL_REGION}:${LOCAL_ACCOUNT}:function:${functionName(step)}`,
      ),
    ]),
  ) as Record<OffboardWorkflowFunctionName, LambdaFunction>;
  const workflow = new OffboardWorkflow(stack, functions);
  const graph = new StateGraph(workflow.definition.startState, 'offboard');
  return stack.resolve(graph.toGraphJson()) as Record<string, unknown>;
}
