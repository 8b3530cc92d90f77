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
 * and log objects arrive before buckets are deleted.
 */
const SOURCES: EventSource[] = [
  createAccountEvents,
  // A log object due when a stack's deletion ends is there when CloudFormation deletes the bucket.
  s3LogDeliveryEvents,
  stackSetOperationEvents,
  conformancePackEvents,
  closeAccountEvents,
  // After the accounts: an assignment to an account created at the same instant finds it.
  accountAssignmentEvents,
];

/**
 * Applies, in time order, every asynchronous change AWS would have made by `now`. Called before
 * each call and each read, this is what makes statuses lazy functions of the clock: nothing runs
 * in the background and no timer is ever set.
 */
export function settle(state: SandboxStateJson, now: number, settings: SandboxSettings): void {
  for (;;) {
    let best: { event: PendingEvent; rank: number } | undefined;
    SOURCES.forEach((source, rank) => {
      const event = source(state, settings);
      if (!event || event.at > now) return;
      const earlier =
        !best ||
        event.at < best.event.at ||
        (event.at === best.event.at &&
          (rank < best.rank || (rank === best.rank && event.order < best.event.order)));
      if (earlier) best = { event, rank };
    });
    if (!best) return;
    best.event.apply();
  }
}
