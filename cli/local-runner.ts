import './polyfills';
import type { Context } from 'aws-lambda';
import { StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';
import { configureTaskTokens } from '../shared/aws/task-tokens';
import type { Clock } from '../shared/clock/clock';
import { isValidated, markValidated, VALIDATION_OPTIONS } from './definition-validation';
import { localTaskTokens } from './local-task-tokens';

/** An in-process Lambda handler, as exported by `services/<step>/handler.ts`. */
export type LocalHandler = (input: never, context: Context) => Promise<unknown>;

export interface TaskEvent {
  state: string;
  function: string;
  phase: 'start' | 'end' | 'error';
  at: number;
  input: unknown;
  output?: unknown;
  error?: Error;
}

export interface LocalRunOptions {
  definition: Record<string, unknown>;
  /** Handlers by function name (`appvend-<step>`, as in the ASL's task resources). */
  handlers: Record<string, LocalHandler>;
  /**
   * Scheduled functions that run on the clock while a `.waitForTaskToken` task waits, as their
   * EventBridge schedules would on AWS (the CreateAccount line's sweep and its heartbeats).
   */
  schedules?: { function: string; everySeconds: number }[];
  clock: Clock;
  /** The execution's name in the context object (`$$.Execution.Name`); `local` when not given. */
  executionName?: string;
  onTask?: (event: TaskEvent) => void;
  /**
   * State events; `retried` is a Task retried by its Retry (a state transition, as on AWS);
   * `caught` is a state whose error a Catch took (it then exits, to the Catch's next state).
   */
  onState?: (event: StateEvent) => void;
}

export interface StateEvent {
  state: string;
  phase: 'entered' | 'exited' | 'retried' | 'caught';
  at: number;
  /** The Map iteration the state runs in, when it does. */
  index?: number;
  /** The state's input (on `entered`): what a waiting state waits with. */
  input?: unknown;
}

type StateDef = Record<string, unknown> & { Type: string };
type MachineDef = { States: Record<string, StateDef> };

/** Every state of the machine, nested Map and Parallel states included. */
function* allStates(machine: MachineDef): Generator<[string, StateDef]> {
  for (const [name, state] of Object.entries(machine.States)) {
    yield [name, state];
    const processor = (state.ItemProcessor ?? state.Iterator) as MachineDef | undefined;
    if (processor) yield* allStates(processor);
    for (const branch of (state.Branches as MachineDef[] | undefined) ?? []) yield* allStates(branch);
  }
}

/** Reads a simple reference path (`$.a.b.c`), the only kind our Wait states use. */
function readPath(input: unknown, path: string): unknown {
  if (!path.startsWith('$')) throw new Error(`Unsupported path ${path}`);
  return path
    .slice(1)
    .split('.')
    .filter(Boolean)
    .reduce<unknown>((value, key) => (value as Record<string, unknown> | undefined)?.[key], input);
}

const functionOf = (resource: unknown): string => String(resource).split(':').pop() ?? String(resource);

/** The callback pattern's resource suffix (Step Functions: "Wait for a Callback with Task Token"). */
const WAIT_FOR_TASK_TOKEN = '.waitForTaskToken';
/** What `$$.Task.Token` becomes in the definition run locally; each task entry gets its own token. */
const TOKEN_PLACEHOLDER = '<<local-task-token>>';

/**
 * The engine has no `$$.Task.Token` in its context object: every `"x.$": "$$.Task.Token"` of the
 * state's Parameters becomes `"x": placeholder`, which the task replaces with its token.
 */
function withTokenPlaceholder(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withTokenPlaceholder);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, inner]) =>
      key.endsWith('.$') && inner === '$$.Task.Token'
        ? [key.slice(0, -2), TOKEN_PLACEHOLDER]
        : [key, withTokenPlaceholder(inner)],
    ),
  );
}

function withToken(value: unknown, token: string): unknown {
  if (value === TOKEN_PLACEHOLDER) return token;
  if (Array.isArray(value)) return value.map((inner) => withToken(inner, token));
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, withToken(inner, token)]));
}

function lambdaContext(functionName: string): Context {
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:${functionName}`,
    memoryLimitInMB: '256',
    awsRequestId: 'local',
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => 60_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

/**
 * Lambda reports a handler's error to Step Functions as Error = the error's name and Cause = a
 * JSON document; errors are shaped the same way here so Catch and the summary behave as on AWS.
 */
function asLambdaError(error: unknown): Error {
  const original = error instanceof Error ? error : new Error(String(error));
  const shaped = new Error(JSON.stringify({ errorType: original.name, errorMessage: original.message }));
  shaped.name = original.name;
  return shaped;
}

interface Retrier {
  ErrorEquals: string[];
  IntervalSeconds?: number;
  BackoffRate?: number;
  MaxAttempts?: number;
  MaxDelaySeconds?: number;
  JitterStrategy?: 'FULL' | 'NONE';
}

/**
 * The retrier that takes an error (the first whose ErrorEquals names it or States.ALL), and the wait
 * before its retry number `attempt + 1`, or undefined when no retrier will retry it. Step Functions
 * counts attempts per retrier. With full jitter AWS waits a random time up to the backoff; its
 * mean, half, is used here so that runs are repeatable; without (JitterStrategy NONE, the default)
 * it waits the backoff itself.
 */
export function retryDelayMs(
  retriers: readonly Retrier[],
  errorName: string,
  attempts: (retrier: number) => number,
): { retrier: number; delayMs: number } | undefined {
  const index = retriers.findIndex(
    (r) => r.ErrorEquals.includes(errorName) || r.ErrorEquals.includes('States.ALL'),
  );
  const retrier = retriers[index];
  const attempt = attempts(index);
  if (!retrier || attempt >= (retrier.MaxAttempts ?? 3)) return undefined;
  const backoff = (retrier.IntervalSeconds ?? 1) * (retrier.BackoffRate ?? 2) ** attempt;
  const capped = Math.min(backoff, retrier.MaxDelaySeconds ?? Infinity) * 1000;
  return { retrier: index, delayMs: retrier.JitterStrategy === 'FULL' ? capped / 2 : capped };
}

/**
 * The longest timeout the runner can arm (a Node timer holds at most 2^31 − 1 ms, about 24 days):
 * in effect none, as on AWS, where a Task state without TimeoutSeconds has no timeout.
 */
const NO_TIMEOUT_SECONDS = Math.floor((2 ** 31 - 1) / 1000);

/**
 * Runs the state machine's ASL in-process with aws-local-stepfunctions: Task states call the
 * handlers directly, and Wait states become waits on the given clock (virtual on the sandbox),
 * so parallel branches overlap in time as they do in AWS.
 */
export function runLocally(options: LocalRunOptions, input: unknown): Promise<unknown> {
  // A copy made in this realm: aws-local-stepfunctions evaluates a nested payload template (an
  // object under a Parameters or ItemSelector key) only when its prototype is this realm's
  // Object.prototype, which structuredClone's copies lack under jest's vm contexts.
  const definition = JSON.parse(JSON.stringify(options.definition)) as MachineDef;
  const localHandlers: Record<string, (input: unknown) => Promise<unknown>> = {};
  const retryIntervalOverrides: Record<string, number> = {};

  const callbackLimits: Record<string, { heartbeatSeconds?: number; timeoutSeconds?: number }> = {};
  // Handlers answer task tokens through the local runner's tokens: the executions run here.
  configureTaskTokens(localTaskTokens);
  for (const schedule of options.schedules ?? []) {
    const scheduled = options.handlers[schedule.function];
    if (!scheduled) throw new Error(`No local handler for the scheduled ${schedule.function}`);
    localTaskTokens.schedule(
      () => scheduled({} as never, lambdaContext(schedule.function)),
      schedule.everySeconds * 1000,
      options.clock,
    );
  }

  for (const [name, state] of allStates(definition)) {
    if (state.Retry) retryIntervalOverrides[name] = 0;
    const callback = state.Type === 'Task' && String(state.Resource).endsWith(WAIT_FOR_TASK_TOKEN);
    if (callback) {
      const parameters = withTokenPlaceholder(state.Parameters) as { FunctionName?: unknown };
      if (!String(state.Resource).includes(':states:::lambda:invoke') || !parameters.FunctionName) {
        throw new Error(`${name}: only lambda:invoke${WAIT_FOR_TASK_TOKEN} tasks run locally`);
      }
      callbackLimits[name] = {
        ...(typeof state.HeartbeatSeconds === 'number' && { heartbeatSeconds: state.HeartbeatSeconds }),
        ...(typeof state.TimeoutSeconds === 'number' && { timeoutSeconds: state.TimeoutSeconds }),
      };
      Object.assign(state, {
        Parameters: parameters,
        TimeoutSeconds: NO_TIMEOUT_SECONDS,
        Resource: `arn:aws:lambda:local:000000000000:function:${functionOf(parameters.FunctionName)}`,
      });
      delete state.HeartbeatSeconds;
    }
    // aws-local-stepfunctions fails a Task that has no TimeoutSeconds after 60 s of real time; Step
    // Functions sets no timeout by default. Here tasks (and the Waits below) take virtual time,
    // and a run of many executions can spend minutes of real time in one of them.
    if (
      (state.Type === 'Task' || state.Type === 'Wait') &&
      state.TimeoutSeconds === undefined &&
      state.TimeoutSecondsPath === undefined
    )
      state.TimeoutSeconds = NO_TIMEOUT_SECONDS;
    if (state.Type === 'Task') {
      const fn = functionOf(state.Resource);
      const handler = options.handlers[fn];
      if (!handler) throw new Error(`No local handler for ${fn} (state ${name})`);
      const invoke = (taskInput: unknown) =>
        options.clock.busy(async () => {
          options.onTask?.({
            state: name,
            function: fn,
            phase: 'start',
            at: options.clock.now(),
            input: taskInput,
          });
          try {
            const output = await handler(taskInput as never, lambdaContext(fn));
            options.onTask?.({
              state: name,
              function: fn,
              phase: 'end',
              at: options.clock.now(),
              input: taskInput,
              output,
            });
            return output;
          } catch (error) {
            options.onTask?.({
              state: name,
              function: fn,
              phase: 'error',
              at: options.clock.now(),
              input: taskInput,
              error: error as Error,
            });
            throw asLambdaError(error);
          }
        });
      const retriers = (state.Retry as Retrier[] | undefined) ?? [];
      // Attempts per input and retrier (a task's input names its execution's iteration).
      const attempts = new Map<string, number[]>();
      // The callback pattern: Lambda gets the Payload with a fresh token and its answer is not the
      // task's; the task's output is what SendTaskSuccess sends (its Payload not wrapped).
      const run = callback
        ? async (taskInput: unknown) => {
            const token = localTaskTokens.issue();
            const answer = localTaskTokens.wait(token, {
              clock: options.clock,
              ...callbackLimits[name],
            });
            answer.catch(() => undefined);
            const payload = (withToken(taskInput, token) as { Payload?: unknown }).Payload;
            try {
              await invoke(payload);
            } catch (error) {
              // The Lambda failed: the task fails with its error; the token is no longer awaited.
              await localTaskTokens.fail(token, 'Lambda.Failed', 'the task Lambda failed');
              throw error;
            }
            return answer;
          }
        : invoke;
      localHandlers[name] = async (taskInput) => {
        const key = JSON.stringify(taskInput);
        try {
          const output = await run(taskInput);
          attempts.delete(key);
          return output;
        } catch (error) {
          // The engine retries at once (its intervals are overridden); the Retry's wait is spent
          // here, on the clock, so that retries take virtual time as they take time on AWS.
          const counts = attempts.get(key) ?? [];
          const retry = retryDelayMs(retriers, (error as Error).name, (i) => counts[i] ?? 0);
          if (retry === undefined) attempts.delete(key);
          else {
            counts[retry.retrier] = (counts[retry.retrier] ?? 0) + 1;
            attempts.set(key, counts);
            await options.clock.sleep(retry.delayMs);
          }
          throw error;
        }
      };
    } else if (state.Type === 'Wait') {
      const seconds = state.Seconds as number | undefined;
      const secondsPath = state.SecondsPath as string | undefined;
      if (seconds === undefined && secondsPath === undefined) {
        throw new Error(`Wait state ${name} must use Seconds or SecondsPath to run locally`);
      }
      // A Wait becomes a pass-through Task whose handler sleeps on the clock.
      Object.assign(state, { Type: 'Task', Resource: 'arn:aws:lambda:local:000000000000:function:wait' });
      delete state.Seconds;
      delete state.SecondsPath;
      localHandlers[name] = async (waitInput) => {
        const value = seconds ?? Number(readPath(waitInput, secondsPath!));
        if (!Number.isFinite(value) || value < 0)
          throw new Error(`Wait state ${name}: invalid seconds ${value}`);
        await options.clock.sleep(value * 1000);
        return waitInput;
      };
    }
  }

  // Validated once, on the definition's first run or where it was made (the build, the test run's
  // setup): validation compiles a JSON Schema, which would otherwise dominate short runs.
  const machine = new StateMachine(definition as unknown as StateMachineDefinition, {
    validationOptions: { ...VALIDATION_OPTIONS, noValidate: isValidated(options.definition) },
  });
  markValidated(options.definition);
  const executionName = options.executionName ?? 'local';
  const execution = machine.run(input as never, {
    overrides: { taskResourceLocalHandlers: localHandlers as never, retryIntervalOverrides },
    // StartTime is set by the runner itself (wall-clock time, as on AWS).
    // Id: the execution's own key, as Step Functions' ARN is (a later attempt of a task in the same
    // execution keeps what an earlier one held: the CreateAccount line's slot).
    context: { Execution: { Name: executionName, Id: `local:execution:${executionName}` } } as never,
  });
  if (!options.onState) return execution.result as Promise<unknown>;
  // Resolve only once every state event has been forwarded, so counts and timings are complete.
  const forwarded = forwardStateEvents(execution.eventLogs, options);
  return (execution.result as Promise<unknown>).then(
    async (output) => {
      await forwarded;
      return output;
    },
    async (error: unknown) => {
      await forwarded;
      throw error;
    },
  );
}

const PHASES: Record<string, StateEvent['phase'] | undefined> = {
  StateEntered: 'entered',
  StateExited: 'exited',
  StateRetried: 'retried',
  StateCaught: 'caught',
};

async function forwardStateEvents(logs: AsyncGenerator<unknown>, options: LocalRunOptions): Promise<void> {
  for await (const raw of logs) {
    const event = raw as { type: string; state?: { name: string; input?: unknown }; index?: number };
    if (!event.state) continue;
    const phase = PHASES[event.type];
    if (phase)
      options.onState?.({
        state: event.state.name,
        phase,
        at: options.clock.now(),
        index: event.index,
        ...(phase === 'entered' && { input: event.state.input }),
      });
  }
}
