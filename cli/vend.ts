import { VirtualClock, type Clock } from '../shared/clock/clock';
import type { ExecutionInput } from '../shared/workflow/resume';
import { TOP_LEVEL_STEPS } from '../shared/workflow/top-level-steps';
import type { VendSummary, VendedAccount, StackSetDeployment } from '../shared/workflow/types';
import { ACCOUNT_SWEEP_SECONDS } from '../shared/domain/polling';
import { LOCAL_HANDLERS } from './handlers';
import { Heartbeat, stateShapes } from './heartbeat';
import { runLocally, type TaskEvent } from './local-runner';

export { TOP_LEVEL_STEPS };

export interface StepTiming {
  step: string;
  startedAt: number;
  endedAt?: number;
  /** The step failed (its error was caught and the vend went on to its failure summary). */
  failed?: boolean;
}

export interface VendRun {
  summary: VendSummary;
  startedAt: number;
  endedAt: number;
  steps: StepTiming[];
  /** Sub-steps worth a line: an account ready, a stack set current, guardrails registered. */
  milestones: { at: number; text: string }[];
  /** Every Lambda task invocation (retries included), in start order. */
  tasks: TaskSpan[];
  /** State transitions as Step Functions counts them: every state entered, plus every retry. */
  transitions: number;
  /** The same, by state name. */
  transitionsByState: Record<string, number>;
}

/** One Lambda invocation on the clock, with what it worked on (an account's stage, a template). */
export interface TaskSpan {
  state: string;
  function: string;
  startedAt: number;
  endedAt?: number;
  /** The account stage or the stack set template the task worked on, when it has one. */
  subject?: string;
  /** The `state` field of the task's result (IN_PROGRESS, SUCCEEDED, RUNNING, DONE …), if any. */
  outcome?: string;
  error?: string;
}

function subjectOf(input: unknown): string | undefined {
  type Subject = {
    account?: { stage?: string };
    creation?: { account?: { stage?: string } };
    template?: string;
  };
  // A check task is given the answer before it as `previous` (infra/workflow/tasks.ts).
  const payload = input as (Subject & { previous?: Subject }) | null;
  const value = payload?.previous ?? payload;
  return value?.account?.stage ?? value?.creation?.account?.stage ?? value?.template ?? undefined;
}

export interface ProgressSink {
  stepStarted(step: string, at: number, startedAt: number): void;
  stepEnded(step: string, at: number, startedAt: number, tookMs: number, failed: boolean): void;
  milestone(text: string, at: number, startedAt: number): void;
  /** A heartbeat: what a state that has been entered and not exited is waiting for. */
  waiting?(text: string, at: number, startedAt: number): void;
}

/** How often, in real time, a run on a real clock looks for states that have been silent 30 s. */
const HEARTBEAT_TICK_MS = 5_000;

function milestoneOf(event: TaskEvent): string | undefined {
  if (event.phase !== 'end') return undefined;
  if (event.function === 'appvend-move-account') {
    const account = event.output as VendedAccount & { moved: boolean };
    return `account ${account.stage} ${account.id} ${account.moved ? 'moved into the OU' : 'in the OU'}`;
  }
  if (event.function === 'appvend-deploy-stack-set') {
    const deployment = event.output as StackSetDeployment;
    if (deployment.state === 'DONE') {
      return `stack set ${deployment.name} current in ${deployment.accounts.length} account(s)`;
    }
    return `stack set ${deployment.name}: ${deployment.action} operation started`;
  }
  if (event.function === 'appvend-register-guardrails') return 'Config guardrails registered';
  return undefined;
}

/**
 * Runs one vend through the state machine locally and collects its summary and timing. The
 * summary comes from the workflow's own Summarize step, on failure too.
 */
export async function runVend(options: {
  /**
   * The execution's input, as Step Functions would get it: the request and, through the ledger,
   * its request id (the summary records into it) and where a failed vend continues.
   */
  input: ExecutionInput;
  definition: Record<string, unknown>;
  clock: Clock;
  progress?: ProgressSink;
  /** The execution's name (the ledger's), which every function's log lines carry; `local` without. */
  executionName?: string;
}): Promise<VendRun> {
  const { clock, progress } = options;
  const startedAt = clock.now();
  const steps = new Map<string, StepTiming>();
  const milestones: VendRun['milestones'] = [];
  let failureSummary: VendSummary | undefined;
  const topLevel = new Set<string>(TOP_LEVEL_STEPS);
  const tasks: TaskSpan[] = [];
  const open = new Map<unknown, TaskSpan>();
  let transitions = 0;
  const transitionsByState: Record<string, number> = {};
  const waiting = progress?.waiting?.bind(progress);
  const heartbeat = waiting
    ? new Heartbeat(stateShapes(options.definition), (text, at) => waiting(text, at, startedAt))
    : undefined;
  // On a real clock (--aws) waits take real time: look every few seconds for silent states. On a
  // virtual clock a wait passes in one jump, and the line at its start is its heartbeat.
  const ticker =
    heartbeat && !(clock instanceof VirtualClock)
      ? setInterval(() => heartbeat.tick(clock.now()), HEARTBEAT_TICK_MS)
      : undefined;
  ticker?.unref();

  const result = runLocally(
    {
      definition: options.definition,
      handlers: LOCAL_HANDLERS,
      clock,
      ...(options.executionName && { executionName: options.executionName }),
      schedules: [{ function: 'appvend-release-account-slots', everySeconds: ACCOUNT_SWEEP_SECONDS }],
      onTask: (event) => {
        if (event.phase === 'start') {
          const span: TaskSpan = { state: event.state, function: event.function, startedAt: event.at };
          const subject = subjectOf(event.input);
          if (subject) span.subject = subject;
          tasks.push(span);
          open.set(event.input, span);
        } else {
          const span = open.get(event.input);
          open.delete(event.input);
          if (span) {
            span.endedAt = event.at;
            const outcome = (event.output as { state?: unknown } | undefined)?.state;
            if (typeof outcome === 'string') span.outcome = outcome;
            if (event.error) span.error = event.error.name;
          }
        }
        if (event.state === 'SummarizeFailure' && event.phase === 'end')
          failureSummary = event.output as VendSummary;
        const text = milestoneOf(event);
        if (text) {
          milestones.push({ at: event.at, text });
          progress?.milestone(text, event.at, startedAt);
        }
      },
      onState: (event) => {
        heartbeat?.onState(event);
        if (event.phase === 'entered' || event.phase === 'retried') {
          transitions += 1;
          transitionsByState[event.state] = (transitionsByState[event.state] ?? 0) + 1;
        }
        if (event.phase === 'retried' || !topLevel.has(event.state) || event.index !== undefined) return;
        if (event.phase === 'entered') {
          steps.set(event.state, { step: event.state, startedAt: event.at });
          progress?.stepStarted(event.state, event.at, startedAt);
        } else if (event.phase === 'caught') {
          // A Catch took the step's error: it exits next, failed.
          const timing = steps.get(event.state);
          if (timing) timing.failed = true;
        } else {
          const timing = steps.get(event.state);
          if (timing) {
            timing.endedAt = event.at;
            progress?.stepEnded(
              event.state,
              event.at,
              startedAt,
              event.at - timing.startedAt,
              timing.failed === true,
            );
          }
        }
      },
    },
    options.input,
  );

  const finished = (summary: VendSummary): VendRun => ({
    summary,
    startedAt,
    endedAt: clock.now(),
    steps: [...steps.values()],
    milestones,
    tasks,
    transitions,
    transitionsByState,
  });
  try {
    return finished((await result) as VendSummary);
  } catch (error) {
    if (!failureSummary) throw error;
    return finished(failureSummary);
  } finally {
    if (ticker) clearInterval(ticker);
  }
}
