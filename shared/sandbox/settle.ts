import { changedOutsideCalls } from './atomic';
import { stackSetOperationEvents } from './cloudformation';
import { conformancePackEvents } from './config';
import { accountAssignmentEvents } from './identity-center';
import type { SandboxSettings } from './context';
import type { EventSource, PendingEvent } from './events';
import { closeAccountEvents } from './org-account-closure';
import { createAccountEvents } from './org-accounts';
import { s3LogDeliveryEvents } from './s3';
import type { SandboxStateJson } from './state';

/**
 * In this order when events fall at the same instant: accounts exist before stacks deploy to them,
 * and log objects arrive before buckets are deleted. A source marked `volatile` may gain an event
 * in a call that only reads (S3 logs reads too); it costs nothing to ask, so it is always asked.
 */
const SOURCES: { source: EventSource; volatile: boolean }[] = [
  { source: createAccountEvents, volatile: false },
  // A log object due when a stack's deletion ends is there when CloudFormation deletes the bucket.
  { source: s3LogDeliveryEvents, volatile: true },
  { source: stackSetOperationEvents, volatile: false },
  { source: conformancePackEvents, volatile: false },
  { source: closeAccountEvents, volatile: false },
  // After the accounts: an assignment to an account created at the same instant finds it.
  { source: accountAssignmentEvents, volatile: false },
];

/**
 * Applies, in time order, every asynchronous change AWS would have made by `now`. Called before
 * each call and each read, this is what makes statuses lazy functions of the clock: nothing runs
 * in the background and no timer is ever set.
 *
 * Asking every source means scanning every account, operation and pack; doing it before each of
 * the thousands of calls a run of many vends makes is what made such runs quadratic. So the
 * settler remembers when the earliest pending event of the non-volatile sources falls, and asks
 * them again only once the clock has reached it or the state may have gained an event (a call
 * that changes something: `changed()`).
 */
export class Settler {
  /** No non-volatile event falls before this time (−∞: unknown, ask). */
  private quietUntil = -Infinity;

  public constructor(private readonly settings: SandboxSettings) {}

  /** The state may have gained an earlier event than the one remembered. */
  public changed(): void {
    this.quietUntil = -Infinity;
  }

  public settle(state: SandboxStateJson, now: number): void {
    for (;;) {
      const skipStable = this.quietUntil > now;
      let best: { event: PendingEvent; rank: number } | undefined;
      let earliestStable = Infinity;
      SOURCES.forEach(({ source, volatile }, rank) => {
        if (skipStable && !volatile) return;
        const event = source(state, this.settings);
        if (!event) return;
        if (!volatile) earliestStable = Math.min(earliestStable, event.at);
        if (event.at > now) return;
        const earlier =
          !best ||
          event.at < best.event.at ||
          (event.at === best.event.at &&
            (rank < best.rank || (rank === best.rank && event.order < best.event.order)));
        if (earlier) best = { event, rank };
      });
      if (!skipStable) this.quietUntil = earliestStable;
      if (!best) return;
      best.event.apply();
      changedOutsideCalls();
      // Applying an event may start another (a queued stack set operation): ask again.
      this.quietUntil = -Infinity;
    }
  }
}
