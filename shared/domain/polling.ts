/**
 * How long Step Functions waits between two looks at a slow AWS operation. Waits grow with the
 * time already waited (geometric backoff), so a 30-minute CreateAccount costs only a few more
 * state transitions than a 3-minute one, while a short one is not overshot by much.
 */
export interface PollPolicy {
  /** The first wait: about how long the operation usually takes. */
  initialSeconds: number;
  /** Each later wait is this share of the time waited so far… */
  growth: number;
  /** …but never shorter than this… */
  minSeconds: number;
  /** …nor longer than this. */
  maxSeconds: number;
}

export interface PollState {
  attempt: number;
  waitedSeconds: number;
  /** The wait before the next look; the state machine's Wait state reads it (SecondsPath). */
  waitSeconds: number;
}

/**
 * CreateAccount takes one to ten minutes (AWS gives no figure): the first look comes at one minute,
 * the shortest it takes, the next a minute later, then every 90 s. Seeing an
 * account late costs nothing up to the time its access role takes to answer: the vend waits for
 * the role from the moment AWS reports the request completed (`CompletedTimestamp`,
 * {@link ACCESS_ROLE_ANSWERS_SECONDS}), not from the moment it sees it, so a look up to that long
 * after the completion costs nothing, and the looks can be a minute apart. The cap keeps what a
 * late look loses beyond that to a few percent of a long CreateAccount, and a 30-minute one to
 * about twenty looks.
 */
export const ACCOUNT_POLL_POLICY: PollPolicy = {
  initialSeconds: 60,
  growth: 1,
  minSeconds: 5,
  maxSeconds: 90,
};
/**
 * How long after CreateAccount completes a new account's access role is expected to answer: an
 * estimate (AWS: "You might need to wait a few minutes before you can successfully access the
 * account", CreateAccount; docs/latency-model.md `accessRolePropagation`). The vend waits this
 * long from AWS's `CompletedTimestamp` before its first readiness probe; a role that answers later
 * is asked again by the probe's Retry (shared/domain/retry.ts ACCOUNT_NOT_READY_RETRY).
 */
export const ACCESS_ROLE_ANSWERS_SECONDS = 60;
/**
 * A queued account does not poll: it waits on a task token in appvend's CreateAccount line
 * (shared/workflow/steps/account-queue.ts). The scheduled sweep sends a heartbeat to every waiting
 * token every {@link ACCOUNT_SWEEP_SECONDS}; a token that misses three (the line lost it) times out
 * after `heartbeatSeconds` and its account comes back to its place. No timeout bounds the wait
 * itself, as in AWS's own example of a callback task (HeartbeatSeconds alone): a bound would send
 * every account waiting longer back through the line, four more state transitions each time, so
 * an account's cost would grow with the line ahead of it (at 1,000 applications, 3,000 accounts
 * waited 33 hours in all, and a 4-hour bound cost 11 more waits per application). A lost token is
 * what the heartbeat recovers.
 */
export const ACCOUNT_SWEEP_SECONDS = 300;
export const ACCOUNT_SLOT_WAIT = {
  heartbeatSeconds: 3 * ACCOUNT_SWEEP_SECONDS,
} as const;
/**
 * A stack set operation on small stacks takes one to two minutes (15–30 s of queueing plus 45–90 s
 * per stack): the first look comes just before the shortest, at 55 s, then every fifth of the time
 * waited, so the operation is seen done at most a fifth of its duration late whatever the figures
 * (a schedule tuned to one figure loses a whole step when the operation runs a second longer).
 */
export const STACK_SET_POLL_POLICY: PollPolicy = {
  initialSeconds: 55,
  growth: 0.2,
  minSeconds: 5,
  maxSeconds: 120,
};

/**
 * The looks after the first, as the check task's Retry: a look that finds the operation still
 * running throws `error` (a StillRunningError), and Step Functions calls the task again after the
 * Retry's wait. One state transition per look (the retry), where a Wait, the task and a Choice
 * were three. The waits are {@link nextPoll}'s, without jitter: each later wait is `growth` of the
 * time waited so far, i.e. a geometric backoff of rate 1 + growth from initialSeconds × growth,
 * capped at maxSeconds. The looks go on for at least `forSeconds` after the first wait; then the
 * step fails with `error`, and a resumed vend looks again.
 */
export interface LookRetry {
  error: string;
  intervalSeconds: number;
  backoffRate: number;
  maxAttempts: number;
  maxDelaySeconds: number;
}

export function lookRetry(error: string, policy: PollPolicy, forSeconds: number): LookRetry {
  const intervalSeconds = Math.max(policy.minSeconds, Math.round(policy.initialSeconds * policy.growth));
  const backoffRate = 1 + policy.growth;
  let maxAttempts = 0;
  let waited = 0;
  while (waited < forSeconds) {
    waited += Math.min(policy.maxSeconds, intervalSeconds * backoffRate ** maxAttempts);
    maxAttempts += 1;
  }
  return { error, intervalSeconds, backoffRate, maxAttempts, maxDelaySeconds: policy.maxSeconds };
}

/** The waits of a {@link LookRetry}, in seconds, one per retry (what the Retry waits before each). */
export function lookRetryWaits(retry: LookRetry): number[] {
  return Array.from({ length: retry.maxAttempts }, (_, i) =>
    Math.min(retry.maxDelaySeconds, retry.intervalSeconds * retry.backoffRate ** i),
  );
}

/** How long appvend looks at one running operation before its step fails (and can be resumed). */
const LOOK_FOR_SECONDS = 24 * 3600;

/** The Retry of CheckAccountCreation while the request is IN_PROGRESS. */
export const ACCOUNT_CREATION_LOOKS = lookRetry(
  'AccountCreationInProgressError',
  ACCOUNT_POLL_POLICY,
  LOOK_FOR_SECONDS,
);

/** The poll state after one more look that found the operation still running. */
export function nextPoll(policy: PollPolicy, previous?: PollState): PollState {
  if (!previous) return { attempt: 1, waitedSeconds: 0, waitSeconds: policy.initialSeconds };
  const waitedSeconds = previous.waitedSeconds + previous.waitSeconds;
  const grown = Math.round(waitedSeconds * policy.growth);
  return {
    attempt: previous.attempt + 1,
    waitedSeconds,
    waitSeconds: Math.min(policy.maxSeconds, Math.max(policy.minSeconds, grown)),
  };
}

/**
 * AWS Config deploys a conformance pack as a CloudFormation stack of Config rules: a couple of
 * minutes for a handful of managed rules. The first look comes at 90 s, then every seventh of the
 * time waited (at least 5 s, at most 2 min): the pack ends the vend, so a late look is lost in full.
 */
export const CONFORMANCE_PACK_POLL_POLICY: PollPolicy = {
  initialSeconds: 90,
  growth: 0.15,
  minSeconds: 5,
  maxSeconds: 120,
};

/** The Retry of a stack set operation's check while the operation is RUNNING. */
export const STACK_SET_OPERATION_LOOKS = lookRetry(
  'StackSetOperationRunningError',
  STACK_SET_POLL_POLICY,
  LOOK_FOR_SECONDS,
);

/** The Retry of CheckConformancePacks while a pack is CREATE_IN_PROGRESS. */
export const CONFORMANCE_PACK_LOOKS = lookRetry(
  'ConformancePacksDeployingError',
  CONFORMANCE_PACK_POLL_POLICY,
  LOOK_FOR_SECONDS,
);

/**
 * An account assignment provisions the permission set (an IAM role) in the account: seconds to a
 * minute (an estimate, docs/latency-model.md). The first look comes at 15 s, then every half of
 * the time waited (at least 10 s, at most 1 min).
 */
export const ACCOUNT_ASSIGNMENT_POLL_POLICY: PollPolicy = {
  initialSeconds: 15,
  growth: 0.5,
  minSeconds: 10,
  maxSeconds: 60,
};
