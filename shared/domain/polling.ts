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
 * CreateAccount usually takes one to four minutes (three is typical): the first look comes at two,
 * then every quarter of the time waited (at least 15 s), so a typical account is seen within a few
 * seconds of being ready, and a 30-minute one costs a handful more looks.
 */
export const ACCOUNT_POLL_POLICY: PollPolicy = {
  initialSeconds: 120,
  growth: 0.25,
  minSeconds: 15,
  maxSeconds: 300,
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
 * A stack set operation on small stacks takes a minute or two (queueing plus about a minute per
 * stack): the first look comes at one minute, then every quarter of the time waited (at least 10 s).
 */
export const STACK_SET_POLL_POLICY: PollPolicy = {
  initialSeconds: 60,
  growth: 0.25,
  minSeconds: 10,
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
 * minutes for a handful of managed rules. The first look comes at one minute, then every quarter of
 * the time waited (at least 10 s, at most 2 min).
 */
export const CONFORMANCE_PACK_POLL_POLICY: PollPolicy = {
  initialSeconds: 60,
  growth: 0.25,
  minSeconds: 10,
  maxSeconds: 120,
};
