import { nextPoll, type PollPolicy } from '../shared/domain/polling';

export interface PollSchedule {
  /** Looks at the operation after the one that started it (Check tasks). */
  looks: number;
  /** When the workflow sees it done, in seconds after it started. */
  noticedAfterSeconds: number;
  /** Time lost between the operation ending and the workflow seeing it: noticed − latency. */
  overshootSeconds: number;
}

/**
 * What a poll policy does with an operation that takes `latencySeconds`: the state machine starts
 * it, waits `initialSeconds`, looks, and keeps waiting by the policy (the check's Retry) until a
 * look finds it done.
 *
 * @example
 * pollSchedule(ACCOUNT_POLL_POLICY, 180) // { looks: 3, noticedAfterSeconds: 210, overshootSeconds: 30 }
 */
export function pollSchedule(policy: PollPolicy, latencySeconds: number): PollSchedule {
  let poll = nextPoll(policy);
  let at = 0;
  let looks = 0;
  // A guard against policies that never reach the end (a zero wait): 10,000 looks is days.
  while (looks < 10_000) {
    at += poll.waitSeconds;
    looks += 1;
    if (at >= latencySeconds) break;
    poll = nextPoll(policy, poll);
  }
  return { looks, noticedAfterSeconds: at, overshootSeconds: at - latencySeconds };
}
