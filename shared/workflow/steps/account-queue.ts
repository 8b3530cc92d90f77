import type { OrganizationsClient } from '@aws-sdk/client-organizations';
import { requestsInProgress } from '../../aws/organizations/accounts';
import type { TaskTokens } from '../../aws/task-tokens';
import { DEFAULT_CREATE_ACCOUNT_CONCURRENCY } from '../../domain/account-creation';
import {
  dequeue,
  drop,
  enqueue,
  grant,
  heldBack,
  entryOf,
  type QueueEntry,
} from '../../ledger/account-queue';
import type { Ledger } from '../../ledger/ledger';

/*
 * appvend's line for CreateAccount slots (README "Accounts: the CreateAccount line"). A queued
 * account's execution waits on a task token that costs nothing while it waits; whoever sees a slot
 * free hands the first tokens in line back: the account check that sees its request end, the
 * Organizations CreateAccountResult event, and the scheduled sweep, which also sees requests of
 * other tools end and keeps the waiting tokens alive with heartbeats.
 */

/**
 * How long a grant holds its slot for an account that has not started yet: the execution resumes
 * within seconds of SendTaskSuccess, so a grant this old was never delivered (its releaser crashed
 * before sending) and is handed out again. An estimate: AWS gives no figure for the resume delay.
 */
export const GRANT_TTL_MS = 5 * 60_000;

export interface AccountQueueDeps {
  ledger: Ledger;
  /** Reads the requests in flight (ListCreateAccountStatus IN_PROGRESS, whoever sent them). */
  organizations: OrganizationsClient;
  tokens: TaskTokens;
  now: () => number;
  /** The most CreateAccount requests appvend lets run at once in the organization. */
  concurrency?: number;
}

export interface ReleaseReport {
  inFlight: number;
  /** Tokens handed a slot (SendTaskSuccess sent). */
  released: number;
  /** Entries dropped: their token was gone (the task timed out, or its execution ended). */
  dropped: number;
  /** Waiting tokens kept alive (the sweep only). */
  heartbeats: number;
}

/** What a released account's execution gets back: its place, for the record. */
export interface SlotGrant {
  ticket: number;
  grantedAt: string;
}

/**
 * Hands the free slots to the first accounts in line and sends their tokens. A token that is gone
 * drops its entry and frees its grant for the next in line (a crashed waiter never blocks the
 * line); a crash between the grant and SendTaskSuccess leaves a grant that expires after
 * {@link GRANT_TTL_MS}, when the next release hands it out again.
 */
export async function releaseSlots(deps: AccountQueueDeps): Promise<ReleaseReport> {
  const report: ReleaseReport = { inFlight: 0, released: 0, dropped: 0, heartbeats: 0 };
  // Never more grants than AWS lets run at once (five per organization): a grant over it could
  // only be refused, and the refused account would be granted again at once, for ever.
  const concurrency = Math.min(
    deps.concurrency ?? DEFAULT_CREATE_ACCOUNT_CONCURRENCY,
    DEFAULT_CREATE_ACCOUNT_CONCURRENCY,
  );
  // At most one round per entry: each round either sends every grant or drops an entry.
  for (let round = 0; round < 1_000; round += 1) {
    const queue = await deps.ledger.accountQueue();
    if (queue.entries.length === 0) return report;
    report.inFlight = (await requestsInProgress(deps.organizations)).length;
    const { result: granted } = await deps.ledger.changeAccountQueue((current) => {
      const decided = grant(current, {
        concurrency,
        inFlight: report.inFlight,
        nowMs: deps.now(),
        grantTtlMs: GRANT_TTL_MS,
      });
      return { queue: decided.queue, result: decided.granted };
    });
    const gone = await sendGrants(deps.tokens, granted);
    report.released += granted.length - gone.length;
    if (gone.length === 0) return report;
    report.dropped += await dropTokens(deps.ledger, gone);
  }
  return report;
}

async function sendGrants(tokens: TaskTokens, granted: readonly QueueEntry[]): Promise<string[]> {
  const gone: string[] = [];
  for (const entry of granted) {
    const output: SlotGrant = { ticket: entry.ticket, grantedAt: entry.grantedAt! };
    if ((await tokens.succeed(entry.token, output)) === 'gone') gone.push(entry.token);
  }
  return gone;
}

async function dropTokens(ledger: Ledger, tokens: readonly string[]): Promise<number> {
  const { result } = await ledger.changeAccountQueue((current) => {
    const next = drop(current, tokens);
    return { queue: next, result: current.entries.length - next.entries.length };
  });
  return result;
}

/**
 * The waiting task's Lambda: the account joins the line (or comes back to its place) with its
 * token, then a release runs at once, since a slot may have freed between the QUEUED answer and
 * now (no releaser would otherwise wake it before the sweep).
 */
export async function waitForSlot(
  deps: AccountQueueDeps,
  waiter: { application: string; email: string; token: string },
): Promise<ReleaseReport & { ticket: number }> {
  const at = new Date(deps.now()).toISOString();
  const { queue } = await deps.ledger.changeAccountQueue((current) => ({
    queue: enqueue(current, waiter, at),
    result: undefined,
  }));
  const ticket = entryOf(queue, waiter.application, waiter.email)!.ticket;
  return { ...(await releaseSlots(deps)), ticket };
}

/** How many slots the line holds back for this account's turn (see heldBack). */
export async function slotsHeldBack(ledger: Ledger, application: string, email: string): Promise<number> {
  return heldBack(await ledger.accountQueue(), application, email);
}

/** The account is no longer in line: it started, or found its account, or is on its way. */
export async function leaveLine(ledger: Ledger, application: string, email: string): Promise<boolean> {
  const { result } = await ledger.changeAccountQueue((current) => {
    const next = dequeue(current, application, email);
    return { queue: next, result: next !== current };
  });
  return result;
}

/**
 * The scheduled sweep: a release (which sees slots freed by any tool's requests ending), then a
 * heartbeat for every token still waiting, so that the waiting task's HeartbeatSeconds only fires
 * for a token the line has lost; a heartbeat answered gone drops its entry.
 */
export async function sweepAccountQueue(deps: AccountQueueDeps): Promise<ReleaseReport> {
  const report = await releaseSlots(deps);
  const queue = await deps.ledger.accountQueue();
  const gone: string[] = [];
  for (const entry of queue.entries) {
    if (entry.grantedAt !== undefined) continue;
    if ((await deps.tokens.heartbeat(entry.token)) === 'gone') gone.push(entry.token);
    else report.heartbeats += 1;
  }
  if (gone.length === 0) return report;
  report.dropped += await dropTokens(deps.ledger, gone);
  const again = await releaseSlots(deps);
  return { ...again, dropped: report.dropped + again.dropped, heartbeats: report.heartbeats };
}
