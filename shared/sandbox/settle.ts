import { tracked } from './atomic';
import { stackSetOperationEvents } from './cloudformation';
import { conformancePackEvents } from './config';
import { accountAssignmentEvents } from './identity-center';
import type { SandboxSettings } from './context';
import type { ServiceName } from './errors';
import type { EventSource, PendingEvent } from './events';
import { closeAccountEvents } from './org-account-closure';
import { createAccountEvents } from './org-accounts';
import { s3LogDeliveryEvents } from './s3';
import type { SandboxStateJson } from './state';

/**
 * In this order when events fall at the same instant: accounts exist before stacks deploy to them,
 * and log objects arrive before buckets are deleted. A source marked `volatile` may gain an event
 * in a call that only reads (S3 logs reads too); it costs nothing to ask, so it is always asked.
 * `services` are those whose changing calls may give the source an event (the only writers of
 * what it looks at: CreateAccount and CloseAccount the accounts' requests and closures, the stack
 * set operations CloudFormation, the conformance packs Config, the assignments Identity Center).
 */
const SOURCES: { source: EventSource; volatile: boolean; services: readonly ServiceName[] }[] = [
  { source: createAccountEvents, volatile: false, services: ['organizations'] },
  // A log object due when a stack's deletion ends is there when CloudFormation deletes the bucket.
  { source: s3LogDeliveryEvents, volatile: true, services: [] },
  { source: stackSetOperationEvents, volatile: false, services: ['cloudformation'] },
  { source: conformancePackEvents, volatile: false, services: ['config'] },
  { source: closeAccountEvents, volatile: false, services: ['organizations'] },
  // After the accounts: an assignment to an account created at the same instant finds it.
  { source: accountAssignmentEvents, volatile: false, services: ['sso-admin'] },
];

/**
 * Applies, in time order, every asynchronous change AWS would have made by `now`. Called before
 * each call and each read, this is what makes statuses lazy functions of the clock: nothing runs
 * in the background and no timer is ever set.
 *
 * Asking a source means scanning every account, operation or pack it looks at; doing it before
 * each of the thousands of calls a run of many vends makes is what made such runs quadratic. So
 * the settler remembers, per source, when its earliest pending event falls, and asks it again only
 * once the clock has reached that time or a changing call of one of its services may have given
 * it an earlier one (`changed(service)`): a run's many Organizations, STS and EventBridge calls no
 * longer rescan every conformance pack and stack set operation.
 */
export class Settler {
  /** Per source: no event of it falls before this time (−∞: unknown, ask). */
  private readonly quietUntil = SOURCES.map(() => -Infinity);

  public constructor(private readonly settings: SandboxSettings) {}

  /** A changing call of `service` (every service when not given) may have given a source an earlier event. */
  public changed(service?: ServiceName): void {
    SOURCES.forEach(({ services }, rank) => {
      if (service === undefined || services.includes(service)) this.quietUntil[rank] = -Infinity;
    });
  }

  public settle(state: SandboxStateJson, now: number): void {
    // Each event is found and applied through the proxies a call goes through: its writes are
    // noted, so the record caches and indexes follow them instead of starting again.
    while (tracked(state, (seen) => this.applyNext(seen, now))) {
      // Applying an event may start another (a queued stack set operation, an account a later
      // event looks for): every source is asked again.
      this.changed();
    }
  }

  /** Applies the earliest event due by `now`, if any; whether there was one. */
  private applyNext(state: SandboxStateJson, now: number): boolean {
    let best: { event: PendingEvent; rank: number } | undefined;
    SOURCES.forEach(({ source, volatile }, rank) => {
      if (!volatile && this.quietUntil[rank]! > now) return;
      const event = source(state, this.settings);
      if (!volatile) this.quietUntil[rank] = event?.at ?? Infinity;
      if (!event || event.at > now) return;
      const earlier =
        !best ||
        event.at < best.event.at ||
        (event.at === best.event.at &&
          (rank < best.rank || (rank === best.rank && event.order < best.event.order)));
      if (earlier) best = { event, rank };
    });
    if (!best) return false;
    (best as { event: PendingEvent }).event.apply();
    return true;
  }
}
