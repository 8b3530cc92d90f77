import { Duration } from 'aws-cdk-lib';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import {
  Choice,
  Condition,
  InputType,
  JitterType,
  Pass,
  TaskInput,
  Wait,
  WaitTime,
  type IChainable,
  type INextable,
  type State,
} from 'aws-cdk-lib/aws-stepfunctions';
import { LambdaInvoke } from 'aws-cdk-lib/aws-stepfunctions-tasks';
import type { Construct } from 'constructs';
import { TRANSIENT_ERRORS, TRANSIENT_RETRY } from '../../shared/domain/retry';
import { STACK_SET_OPERATION_LOOKS, type LookRetry } from '../../shared/domain/polling';

/*
 * The states the vend and the offboarding workflows build the same way: one definition, so that a
 * change of the retry policy or of the stack set polling reaches both.
 */

export interface InvokeProps {
  payload?: TaskInput;
  inputPath?: string;
  resultPath?: string;
  outputPath?: string;
}

/**
 * Where each workflow keeps what every function's log lines carry, `{ execution, requestId? }`:
 * written by the workflow's first states from the context object (and the execution's input or
 * the offboarding's target), and handed into every Map iteration by its item selector.
 */
export const CORRELATION_PATH = '$.correlation';

/**
 * The payload a task sends, with the correlation keys added (`shared/lambda/correlation.ts` reads
 * them): an object payload gets `correlation`; a task given an input path (a check given the
 * previous answer) gets `{ previous, correlation }` (its handler takes both shapes:
 * `previousAnswer`). Step Functions' Lambda task takes its `Parameters` as an object only, so a
 * path payload cannot be merged with the keys.
 */
export function correlatedPayload(payload: TaskInput | undefined, inputPath?: string): TaskInput {
  const correlation = { 'correlation.$': CORRELATION_PATH };
  if (payload?.type === InputType.OBJECT) {
    return TaskInput.fromObject({ ...(payload.value as Record<string, unknown>), ...correlation });
  }
  if (payload || !inputPath) {
    throw new Error('a task payload must be an object (TaskInput.fromObject) or an input path');
  }
  return TaskInput.fromObject({ 'previous.$': inputPath, ...correlation });
}

/** A Lambda task with the standard retries: Lambda's own transient errors and AWS's. */
export function invokeWithRetries(
  scope: Construct,
  id: string,
  fn: IFunction,
  props: InvokeProps,
): LambdaInvoke {
  const task = new LambdaInvoke(scope, id, {
    lambdaFunction: fn,
    payload: correlatedPayload(props.payload, props.inputPath),
    payloadResponseOnly: true,
    resultPath: props.resultPath,
    outputPath: props.outputPath,
    retryOnServiceExceptions: true,
  });
  addRetryPolicy(task, TRANSIENT_ERRORS, TRANSIENT_RETRY);
  return task;
}

/** A retry policy of `shared/domain/retry.ts`, in seconds: backoff with full jitter, capped. */
export interface RetryPolicy {
  intervalSeconds: number;
  backoffRate: number;
  maxAttempts: number;
  maxDelaySeconds: number;
}

/** Adds a Retry of `errors` under `policy` to a task (after the ones it has: first match wins). */
export function addRetryPolicy(task: LambdaInvoke, errors: readonly string[], policy: RetryPolicy): void {
  task.addRetry({
    errors: [...errors],
    interval: Duration.seconds(policy.intervalSeconds),
    backoffRate: policy.backoffRate,
    maxAttempts: policy.maxAttempts,
    maxDelay: Duration.seconds(policy.maxDelaySeconds),
    jitterStrategy: JitterType.FULL,
  });
}

/**
 * The looks at a running operation after the first, as the check task's Retry of the look's error
 * (shared/domain/polling.ts lookRetry): one state transition per look. No jitter: the waits are
 * the policy's, and each execution looks at its own operation, so no crowd of retries meets.
 */
export function addLookRetry(task: LambdaInvoke, look: LookRetry): void {
  task.addRetry({
    errors: [look.error],
    interval: Duration.seconds(look.intervalSeconds),
    backoffRate: look.backoffRate,
    maxAttempts: look.maxAttempts,
    maxDelay: Duration.seconds(look.maxDelaySeconds),
    jitterStrategy: JitterType.NONE,
  });
}

/** The states of one stack set loop and what they work on. */
export interface StackSetLoop {
  /** The call that does the next thing to the stack set; it answers `state` DONE when none is left. */
  act: LambdaInvoke;
  /**
   * check-stack-set-operation on the operation `act` started: it answers once the operation ended
   * (`operationStatus`) and throws StackSetOperationRunningError while it runs (its Retry here).
   */
  check: LambdaInvoke;
  /** Where both keep their answer (`act`'s with `poll.waitSeconds`, the first wait). */
  resultPath: string;
  /** Where the loop ends. */
  done: State;
  /** The ids of the Wait state and of the Choice state after `act`. */
  ids: { wait: string; actDone: string };
  /** A `state` that sends the loop straight back to `act`: work done in the call, more to do. */
  again?: string;
}

/**
 * Wires act → DONE? → done; `again`? → act; otherwise wait → check (looking again, by its Retry,
 * until the operation ended) → act again. One stack set call does one thing (create, update, add
 * or delete instances, delete), so `act` is called again after each operation, until it has
 * nothing left to do; an operation that ended in a way `act` must redo (the offboarding's
 * BUCKET_REFILLED) goes back to `act` as well, which reads it.
 */
export function wireStackSetLoop(scope: Construct, loop: StackSetLoop): void {
  const { act, check, resultPath, done, ids } = loop;
  const wait = new Wait(scope, ids.wait, { time: WaitTime.secondsPath(`${resultPath}.poll.waitSeconds`) });
  const actDone = new Choice(scope, ids.actDone).when(
    Condition.stringEquals(`${resultPath}.state`, 'DONE'),
    done,
  );
  if (loop.again) actDone.when(Condition.stringEquals(`${resultPath}.state`, loop.again), act);
  act.next(actDone.otherwise(wait));
  wait.next(check);
  addLookRetry(check, STACK_SET_OPERATION_LOOKS);
  check.next(act);
}

/** A workflow's top-level steps, in order: the step's name and its state (a task or a Map). */
export type TopLevelSteps = readonly (readonly [string, State & INextable])[];

/**
 * Catches any failure of each step once: a Pass state `<idPrefix><step>` notes in `$.failure` which
 * step failed and why, then goes to `recordFailure`, which records it and fails the execution.
 */
export function catchEachStep(
  scope: Construct,
  steps: TopLevelSteps,
  params: { idPrefix: string; recordFailure: IChainable },
): void {
  for (const [step, state] of steps) {
    const note = new Pass(scope, `${params.idPrefix}${step}`, {
      parameters: { step, 'Error.$': '$.failure.Error', 'Cause.$': '$.failure.Cause' },
      resultPath: '$.failure',
    });
    note.next(params.recordFailure);
    // Tasks and Map states both take a Catch; State itself does not declare it.
    (state as unknown as { addCatch(handler: IChainable, props: object): void }).addCatch(note, {
      errors: ['States.ALL'],
      resultPath: '$.failure',
    });
  }
}

/** Chains the steps in order and answers the last, which the caller leads on from. */
export function chainInOrder(steps: TopLevelSteps): State & INextable {
  let last = steps[0]![1];
  for (const [, state] of steps.slice(1)) {
    last.next(state);
    last = state;
  }
  return last;
}
