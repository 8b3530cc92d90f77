import type { MadeAccess } from '../domain/access';
import type { VendState } from './steps/summary';

/**
 * The top-level steps a failed vend can be resumed at, each with the parts of the state machine's
 * state that the steps before it produced (and that it and the steps after it read).
 * ValidateRequest is not here: a vend that failed there is simply started again.
 */
export const RESUMABLE_STEPS = {
  EnsureOrganizationalUnit: ['app'],
  EnsureServiceControlPolicy: ['app', 'ou'],
  VendAccounts: ['app', 'ou', 'scp'],
  DeployStackSets: ['app', 'ou', 'scp', 'accounts'],
  ReleaseQuarantine: ['app', 'ou', 'scp', 'accounts', 'deployment'],
} as const satisfies Record<string, readonly (keyof VendState)[]>;

export type ResumableStep = keyof typeof RESUMABLE_STEPS;

/** Where a failed vend continues, and what the steps before it had made. */
export interface ResumePoint {
  step: ResumableStep;
  state: Partial<Record<keyof VendState, unknown>>;
}

const isResumable = (step: string | undefined): step is ResumableStep =>
  step !== undefined && Object.hasOwn(RESUMABLE_STEPS, step);

/**
 * The resume point of a vend that failed at `step`, from the state the failure was caught with.
 * Undefined when the vend must start over: it failed validating, or a part it needs is missing
 * (which only a state from another version of the workflow could lack).
 */
export function resumePointOf(state: VendState, step: string | undefined): ResumePoint | undefined {
  if (!isResumable(step)) return undefined;
  const carried: ResumePoint['state'] = {};
  for (const key of RESUMABLE_STEPS[step]) {
    if (state[key] === undefined) return undefined;
    carried[key] = state[key];
  }
  return { step, state: carried };
}

/** The input of an execution: the request and, when it resumes a failed vend, where and with what. */
export interface ExecutionInput {
  request: unknown;
  /** The ledger's id of the request; absent for vends that did not come through the ledger. */
  requestId?: string;
  /** The state machine's first Choice sends a resumed execution straight to this step. */
  resumeFrom?: ResumableStep;
  /** What appvend made of the application's access before (the ledger's record): GrantAccess removes what the request dropped. */
  accessMade?: MadeAccess;
  /**
   * What an earlier vend recorded (the ledger's record): the OU's id and the accounts' by stage,
   * where the OU and account steps look first.
   */
  recorded?: { organizationalUnit?: string; accounts?: Record<string, string> };
  [carried: string]: unknown;
}

/**
 * Why not Step Functions' RedriveExecution: a failed step's error is caught so that the failure is
 * summarized (ledger, event, notification) before the execution fails, so the state an execution
 * fails in is the final Fail state, and a redrive would only run that state again. A new
 * execution that starts at the failed step, with what the earlier steps made, continues instead;
 * it behaves the same on AWS and in the local runner.
 */
export function executionInput(record: {
  request?: unknown;
  requestId?: string;
  resume?: ResumePoint;
  accessMade?: MadeAccess;
  ids?: { organizationalUnit?: string; accounts?: Record<string, string> };
}): ExecutionInput {
  const { organizationalUnit, accounts } = record.ids ?? {};
  const recorded = {
    ...(organizationalUnit !== undefined && { organizationalUnit }),
    ...(accounts && Object.keys(accounts).length > 0 && { accounts }),
  };
  const input: ExecutionInput = {
    request: record.request,
    ...(record.requestId !== undefined && { requestId: record.requestId }),
    ...(record.accessMade && { accessMade: record.accessMade }),
    ...(Object.keys(recorded).length > 0 && { recorded }),
  };
  if (!record.resume) return input;
  return { ...record.resume.state, ...input, resumeFrom: record.resume.step };
}
