import type { OrganizationsClient } from '@aws-sdk/client-organizations';
import { requestsInProgress } from '../../aws/organizations/accounts';
import type { TaskTokens } from '../../aws/task-tokens';
import { DEFAULT_CREATE_ACCOUNT_CONCURRENCY } from '../../domain/account-creation';
import { waitingCount } from '../../ledger/account-line';
import {
  dequeue,
  drop,
  enqueue,
  freeSlot,
  grant,
  recordRequest,
  settleSlots,
  slotsInUse,
  takeSlot,
  type QueueEntry,
  type RequestInFlight,
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

/**
 * How long a slot taken but without a request id holds its place: the taker sends CreateAccount
 * right after the take (one call), so a slot this old was never used (its taker crashed). An
 * estimate, like GRANT_TTL_MS; a request sent by a taker that crashed before recording its id is
 * still counted, as AWS's IN_PROGRESS, and the next settle gives the slot its id by account name.
 */
export const SLOT_TTL_MS = 5 * 60_000;

/** Never more slots than AWS lets run at once (five per organization): one over it could only be refused. */
const slotCount = (configured: number | undefined): number =>
  Math.min(configured ?? DEFAULT_CREATE_ACCOUNT_CONCURRENCY, DEFAULT_CREATE_ACCOUNT_CONCURRENCY);

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
export async function releaseSlots(
  deps: AccountQueueDeps,
  /** A request of appvend's that the caller saw end: its slot is freed in the same write. */
  options: { freed?: string; settle?: boolean } = {},
): Promise<ReleaseReport> {
  const report: ReleaseReport = { inFlight: 0, released: 0, dropped: 0, heartbeats: 0 };
  // Never more grants than AWS lets run at once (five per organization): a grant over it could
  // only be refused, and the refused account would be granted again at once, for ever.
  const concurrency = slotCount(deps.concurrency);
  let freed = options.freed;
  // At most one round per entry: each round either sends every grant or drops an entry.
  for (let round = 0; round < 1_000; round += 1) {
    const head = await deps.ledger.accountLineHead();
    if (waitingCount(head) === 0 && !(options.settle && head.slots.length > 0)) {
      // Nobody waits: the freed slot needs no look at AWS (nothing to hand out).
      if (freed) await freeRequest(deps.ledger, freed);
      return report;
    }
    const listedAtMs = deps.now();
    const inProgress = await requestsInProgress(deps.organizations);
    const granted = await deps.ledger.changeAccountLine(async (line) => {
      const nowMs = deps.now();
      if (freed) line.slots = freeSlot(line.slots, { requestId: freed });
      line.slots = settleSlots(line.slots, inProgress, { listedAtMs, nowMs, slotTtlMs: SLOT_TTL_MS });
      report.inFlight = slotsInUse(line.slots, inProgress, nowMs, SLOT_TTL_MS);
      return grant(line, { concurrency, inFlight: report.inFlight, nowMs, grantTtlMs: GRANT_TTL_MS });
    });
    freed = undefined;
    const gone = await sendGrants(deps.tokens, granted);
    report.released += granted.length - gone.length;
    if (gone.length === 0) return report;
    report.dropped += await dropTokens(deps.ledger, gone);
  }
  return report;
}

async function freeRequest(ledger: Ledger, requestId: string): Promise<void> {
  await ledger.changeAccountLine(async (line) => {
    line.slots = freeSlot(line.slots, { requestId });
  });
}

async function sendGrants(tokens: TaskTokens, granted: readonly QueueEntry[]): Promise<QueueEntry[]> {
  const gone: QueueEntry[] = [];
  for (const entry of granted) {
    const output: SlotGrant = { ticket: entry.ticket, grantedAt: entry.grantedAt! };
    if ((await tokens.succeed(entry.token, output)) === 'gone') gone.push(entry);
  }
  return gone;
}

/**
 * Entries whose token is gone are dropped, a few per transaction: each dropped entry rewrites its
 * page and deletes its index item, and a transaction holds at most 100 actions and 4 MB (pages of
 * up to about 125 KB: 20 of them, 2.5 MB).
 */
const DROPS_PER_CHANGE = 20;

async function dropTokens(ledger: Ledger, dead: readonly QueueEntry[]): Promise<number> {
  let dropped = 0;
  for (let from = 0; from < dead.length; from += DROPS_PER_CHANGE) {
    const some = dead.slice(from, from + DROPS_PER_CHANGE);
    dropped += await ledger.changeAccountLine((line) => drop(line, some));
  }
  return dropped;
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
  const { ticket } = await deps.ledger.changeAccountLine((line) => enqueue(line, waiter, at));
  return { ...(await releaseSlots(deps)), ticket };
}

/**
 * The account's hold on one CreateAccount slot (see startAccountCreation's `slot`): taken in the
 * line's head before CreateAccount is sent, so two accounts starting at the same instant cannot
 * both take the last slot (the second transaction fails, re-reads and sees the first's slot).
 */
export function slotKeeper(
  deps: AccountQueueDeps,
  account: { application: string; email: string; name: string; execution?: string },
): {
  take(inProgress: readonly RequestInFlight[]): Promise<boolean>;
  sent(requestId: string): Promise<void>;
  unused(): Promise<void>;
} {
  const { ledger } = deps;
  return {
    take: (inProgress) =>
      ledger.changeAccountLine((line) =>
        takeSlot(line, account, {
          concurrency: slotCount(deps.concurrency),
          inProgress,
          nowMs: deps.now(),
          slotTtlMs: SLOT_TTL_MS,
        }),
      ),
    sent: async (requestId) => {
      const at = new Date(deps.now()).toISOString();
      await ledger.changeAccountLine((line) => recordRequest(line, { ...account, requestId }, at, false));
    },
    unused: async () => {
      await ledger.changeAccountLine(async (line) => {
        line.slots = freeSlot(line.slots, account);
      });
    },
  };
}

/** The account's request is in flight: its slot holds the request id, and the account is out of line. */
export async function startedInLine(
  deps: AccountQueueDeps,
  sent: { application: string; email: string; name: string; requestId: string },
): Promise<void> {
  const at = new Date(deps.now()).toISOString();
  await deps.ledger.changeAccountLine((line) => recordRequest(line, sent, at));
}

/**
 * The account is no longer in line and holds no slot: its account exists (or the vend is gone).
 * True when the line changed (a grant or a slot it held is free again for the next in line).
 */
export async function leaveLine(ledger: Ledger, application: string, email: string): Promise<boolean> {
  return ledger.changeAccountLine(async (line) => {
    const left = await dequeue(line, application, email);
    const before = line.slots;
    line.slots = freeSlot(before, { application, email });
    return left || line.slots !== before;
  });
}

/**
 * The scheduled sweep: a release (which sees slots freed by any tool's requests ending), then a
 * heartbeat for every token still waiting, so that the waiting task's HeartbeatSeconds only fires
 * for a token the line has lost; a heartbeat answered gone drops its entry.
 */
export async function sweepAccountQueue(deps: AccountQueueDeps): Promise<ReleaseReport> {
  // The sweep also frees the slots of requests that ended unseen (their execution stopped).
  const report = await releaseSlots(deps, { settle: true });
  const gone: QueueEntry[] = [];
  // Every waiting token, one page at a time: the one reader of the whole line (a sweep every few
  // minutes must reach each token), never a change's.
  for await (const entry of deps.ledger.waitingAccounts()) {
    if (entry.grantedAt !== undefined) continue;
    if ((await deps.tokens.heartbeat(entry.token)) === 'gone') gone.push(entry);
    else report.heartbeats += 1;
  }
  if (gone.length === 0) return report;
  report.dropped += await dropTokens(deps.ledger, gone);
  const again = await releaseSlots(deps);
  return { ...again, dropped: report.dropped + again.dropped, heartbeats: report.heartbeats };
}
