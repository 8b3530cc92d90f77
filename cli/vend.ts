import type { Clock } from '../shared/clock/clock';
import type { VendSummary, VendedAccount, StackSetDeployment } from '../shared/workflow/types';
import { LOCAL_HANDLERS } from './handlers';
import { runLocally, type TaskEvent } from './local-runner';

/** The top-level steps of the state machine, as a person reads the progress. */
export const TOP_LEVEL_STEPS = [
  'ValidateRequest',
  'EnsureOrganizationalUnit',
  'EnsureServiceControlPolicy',
  'VendAccounts',
  'DeployStackSets',
  'Summarize',
] as const;

export interface StepTiming {
  step: string;
  startedAt: number;
  endedAt?: number;
}

export interface VendRun {
  summary: VendSummary;
  startedAt: number;
  endedAt: number;
  steps: StepTiming[];
  /** Sub-steps worth a line: an account ready, a stack set current, guardrails registered. */
  milestones: { at: number; text: string }[];
}

export interface ProgressSink {
  stepStarted(step: string, at: number, startedAt: number): void;
  stepEnded(step: string, at: number, startedAt: number, tookMs: number): void;
  milestone(text: string, at: number, startedAt: number): void;
}

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
  request: unknown;
  definition: Record<string, unknown>;
  clock: Clock;
  progress?: ProgressSink;
}): Promise<VendRun> {
  const { clock, progress } = options;
  const startedAt = clock.now();
  const steps = new Map<string, StepTiming>();
  const milestones: VendRun['milestones'] = [];
  let failureSummary: VendSummary | undefined;
  const topLevel = new Set<string>(TOP_LEVEL_STEPS);

  const result = runLocally(
    {
      definition: options.definition,
      handlers: LOCAL_HANDLERS,
      clock,
      onTask: (event) => {
        if (event.state === 'SummarizeFailure' && event.phase === 'end')
          failureSummary = event.output as VendSummary;
        const text = milestoneOf(event);
        if (text) {
          milestones.push({ at: event.at, text });
          progress?.milestone(text, event.at, startedAt);
        }
      },
      onState: (event) => {
        if (!topLevel.has(event.state) || event.index !== undefined) return;
        if (event.phase === 'entered') {
          steps.set(event.state, { step: event.state, startedAt: event.at });
          progress?.stepStarted(event.state, event.at, startedAt);
        } else {
          const timing = steps.get(event.state);
          if (timing) {
            timing.endedAt = event.at;
            progress?.stepEnded(event.state, event.at, startedAt, event.at - timing.startedAt);
          }
        }
      },
    },
    { request: options.request },
  );

  try {
    const summary = (await result) as VendSummary;
    return { summary, startedAt, endedAt: clock.now(), steps: [...steps.values()], milestones };
  } catch (error) {
    if (!failureSummary) throw error;
    return {
      summary: failureSummary,
      startedAt,
      endedAt: clock.now(),
      steps: [...steps.values()],
      milestones,
    };
  }
}
