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
 * the shortest it takes, then half the time waited, at most 90 s. Seeing an account late
 * costs nothing up to the time its access role takes to answer (the readiness probe waits for it
 * from the moment the account is ACTIVE, not from the moment the workflow sees it), so the looks
 * can be sparse; the cap keeps what a late look loses beyond that to a few percent of a long
 * CreateAccount, and a 30-minute one to about twenty looks.
 */
export const ACCOUNT_POLL_POLICY: PollPolicy = {
  initialSeconds: 60,
  growth: 0.5,
  minSeconds: 5,
  maxSeconds: 90,
};
/**
 * A queued account does not poll: it waits on a task token in appvend's CreateAccount line
 * (shared/workflow/steps/account-queue.ts). The scheduled sweep sends a heartbeat to every waiting
 * token every {@link ACCOUNT_SWEEP_SECONDS}; a token that misses three (the line lost it) times out
 * after `heartbeatSeconds` and its account comes back to its place. `timeoutSeconds` bounds one
 * wait whatever the heartbeats: a longer wait re-enters the line, four more state transitions.
 */
export const ACCOUNT_SWEEP_SECONDS = 300;
export const ACCOUNT_SLOT_WAIT = {
  heartbeatSeconds: 3 * ACCOUNT_SWEEP_SECONDS,
  timeoutSeconds: 4 * 3600,
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
