/**
 * The organization's line for CreateAccount slots, kept in the ledger's table as a head item, pages
 * of entries and an index item per waiting account (shared/ledger/account-line.ts): no change
 * reads or writes the whole line. Every change is one transaction conditioned on the head's
 * version, so two releasers at once cannot hand out the same slot twice: the second transaction
 * fails, re-reads and sees the first's grant.
 *
 * An entry is one account of one vend waiting for a slot, with the task token its execution waits
 * on. Entries keep the ticket they were first given: an account that comes back (its token timed
 * out, or it was granted a slot another tool took first) keeps its place in line.
 */
import { LINE_HEAD_KEY, type Grant, type LineChange } from './account-line';

export const ACCOUNT_QUEUE_KEY = LINE_HEAD_KEY;

export interface QueueEntry {
  /** Place in line, organization-wide: lower goes first. */
  ticket: number;
  application: string;
  email: string;
  /** The Step Functions task token the account's execution waits on (`$$.Task.Token`). */
  token: string;
  enqueuedAt: string;
  /** Set when a releaser handed this entry a slot (and sent, or is about to send, its token). */
  grantedAt?: string;
}

/**
 * A CreateAccount slot appvend took for one account: taken before its CreateAccount is sent, the
 * request's id recorded once AWS answered, freed when the request ends (the account check, or the
 * sweep that sees it no longer IN_PROGRESS). A slot with no request id is the moment between the
 * take and the answer: it expires after the slot TTL (its sender crashed before CreateAccount, or
 * before recording the id; a request it did send is then counted as another tool's, by AWS).
 */
export interface SlotTaken {
  application: string;
  email: string;
  /** The account's name, as CreateAccount's AccountName: how a sweep finds a request whose id was lost. */
  name: string;
  takenAt: string;
  requestId?: string;
  /** When the request id was recorded: a sweep frees the slot only from a list read after it. */
  sentAt?: string;
  /**
   * The Step Functions execution whose call took the slot (`$$.Execution.Id`): its own later
   * attempt may use a slot left with no request id (see takeSlot).
   */
  execution?: string;
}

/**
 * The whole line at once, as {@link Ledger.accountQueue} reads it page by page: for tests and
 * reports, never for a change (a change reads only the head and the pages it needs).
 */
export interface AccountQueue {
  name: typeof ACCOUNT_QUEUE_KEY;
  nextTicket: number;
  /** In ticket order, each with its grant if it holds one. */
  entries: QueueEntry[];
  /** appvend's own CreateAccount requests in flight (or about to be sent). */
  slots: SlotTaken[];
  version: number;
}

/** A CreateAccount request in flight as ListCreateAccountStatus shows it (IN_PROGRESS). */
export interface RequestInFlight {
  Id?: string;
  AccountName?: string;
}

export const emptyQueue = (): AccountQueue => ({
  name: ACCOUNT_QUEUE_KEY,
  nextTicket: 1,
  entries: [],
  slots: [],
  version: 0,
});

/**
 * The account waits with `token`: a new entry at the end of the line, or the account's own entry
 * (its place kept) with the new token and no grant (a grant it did not use is void).
 */
export async function enqueue(
  line: LineChange,
  waiter: { application: string; email: string; token: string },
  at: string,
): Promise<QueueEntry> {
  const existing = await line.entryOf(waiter.application, waiter.email);
  if (!existing) return line.add(waiter, at);
  line.grants = withoutGrant(line.grants, existing.ticket);
  return line.replace(existing, waiter.token);
}

/** The account leaves the line (it started, or found its account, or its vend is gone); true if it was in it. */
export async function dequeue(line: LineChange, application: string, email: string): Promise<boolean> {
  const entry = await line.entryOf(application, email);
  if (!entry) return false;
  await line.remove(entry);
  line.grants = withoutGrant(line.grants, entry.ticket);
  return true;
}

/**
 * Entries whose token is dead (its task timed out or its execution ended): dropped, each only if
 * it still waits with that token (an account that came back since waits with a new one).
 */
export async function drop(line: LineChange, dead: readonly QueueEntry[]): Promise<number> {
  let dropped = 0;
  for (const { application, email, token } of dead) {
    const entry = await line.entryOf(application, email);
    if (entry?.token !== token) continue;
    await line.remove(entry);
    line.grants = withoutGrant(line.grants, entry.ticket);
    dropped += 1;
  }
  return dropped;
}

/**
 * Slots the line holds back for this account's turn: the entries ahead of it (or every entry, for
 * an account not in line, which must go to the back). An account may send CreateAccount only when
 * the requests in flight plus these leave a slot: first come, first served. Counted from the
 * head's per-page counts and the account's own page.
 */
export async function heldBack(line: LineChange, application: string, email: string): Promise<number> {
  const own = await line.entryOf(application, email);
  return own ? line.ahead(own) : line.waiting;
}

/** A grant counts as a slot taken until its account starts, or for `grantTtlMs` at most. */
export function liveGrants(grants: readonly Grant[], nowMs: number, grantTtlMs: number): Grant[] {
  return grants.filter((g) => nowMs - Date.parse(g.grantedAt) < grantTtlMs);
}

const withoutGrant = (grants: readonly Grant[], ticket: number): readonly Grant[] =>
  grants.some((g) => g.ticket === ticket) ? grants.filter((g) => g.ticket !== ticket) : grants;

/**
 * Hands the free slots to the first entries in line that hold none: `free` is the configured
 * concurrency less the requests in flight at AWS (appvend's and other tools') and the live grants.
 * A grant older than `grantTtlMs` (its releaser crashed before sending the token, or the account
 * never came) is handed out again, to the same entry first: its place is kept. Reads pages from
 * the front only until the free slots are handed out (live grants are at most the concurrency).
 */
export async function grant(
  line: LineChange,
  params: { concurrency: number; inFlight: number; nowMs: number; grantTtlMs: number },
): Promise<QueueEntry[]> {
  const live = new Set(liveGrants(line.grants, params.nowMs, params.grantTtlMs).map((g) => g.ticket));
  let free = params.concurrency - params.inFlight - live.size;
  if (free <= 0) return [];
  const at = new Date(params.nowMs).toISOString();
  const granted: QueueEntry[] = [];
  for await (const entry of line.inOrder()) {
    if (free <= 0) break;
    if (live.has(entry.ticket)) continue;
    free -= 1;
    granted.push({ ...entry, grantedAt: at });
  }
  if (granted.length === 0) return granted;
  const regranted = new Set(granted.map((e) => e.ticket));
  line.grants = [
    ...line.grants.filter((g) => !regranted.has(g.ticket)),
    ...granted.map(({ ticket, application, email }) => ({ ticket, application, email, grantedAt: at })),
  ];
  return granted;
}

const sameSlot = (slot: SlotTaken, application: string, email: string): boolean =>
  slot.application === application && slot.email.toLowerCase() === email.toLowerCase();

export function slotOf(
  slots: readonly SlotTaken[],
  application: string,
  email: string,
): SlotTaken | undefined {
  return slots.find((slot) => sameSlot(slot, application, email));
}

/** A slot still held: its request was sent (until it is seen ended), or it was taken less than `slotTtlMs` ago. */
const liveSlot = (slot: SlotTaken, nowMs: number, slotTtlMs: number): boolean =>
  slot.requestId !== undefined || nowMs - Date.parse(slot.takenAt) < slotTtlMs;

/**
 * The CreateAccount requests in flight as appvend counts them: its own slots still held, plus the
 * requests AWS lists IN_PROGRESS that are not appvend's own (by request id): other tools', people's.
 */
export function slotsInUse(
  slots: readonly SlotTaken[],
  inProgress: readonly RequestInFlight[],
  nowMs: number,
  slotTtlMs: number,
): number {
  const held = slots.filter((slot) => liveSlot(slot, nowMs, slotTtlMs));
  const own = new Set(held.map((slot) => slot.requestId).filter((id) => id !== undefined));
  return held.length + inProgress.filter((request) => !request.Id || !own.has(request.Id)).length;
}

/**
 * Frees the slots whose request has ended: recorded before `listedAtMs` (when ListCreateAccountStatus
 * was read) and not in its IN_PROGRESS list. Drops expired slots that never got a request id, and
 * gives a slot without an id the id of an IN_PROGRESS request under its account name (its sender
 * crashed between CreateAccount and the record), so that request counts as appvend's own. The same
 * array when nothing changed.
 */
export function settleSlots(
  slots: readonly SlotTaken[],
  inProgress: readonly RequestInFlight[],
  params: { listedAtMs: number; nowMs: number; slotTtlMs: number },
): readonly SlotTaken[] {
  if (slots.length === 0) return slots;
  const ids = new Set(inProgress.map((request) => request.Id));
  const claimed = new Set(slots.map((slot) => slot.requestId));
  const at = new Date(params.nowMs).toISOString();
  let changed = false;
  const kept: SlotTaken[] = [];
  for (const slot of slots) {
    if (slot.requestId !== undefined) {
      const ended = !ids.has(slot.requestId) && Date.parse(slot.sentAt ?? slot.takenAt) < params.listedAtMs;
      if (ended) changed = true;
      else kept.push(slot);
      continue;
    }
    const running = inProgress.find((r) => r.Id && r.AccountName === slot.name && !claimed.has(r.Id));
    if (running?.Id) {
      claimed.add(running.Id);
      kept.push({ ...slot, requestId: running.Id, sentAt: at });
      changed = true;
    } else if (liveSlot(slot, params.nowMs, params.slotTtlMs)) kept.push(slot);
    else changed = true;
  }
  return changed ? kept : slots;
}

/**
 * The account takes a CreateAccount slot, atomically with the line (one transaction): only when
 * the requests in flight (appvend's own slots and other tools' requests) plus the accounts ahead
 * of it in line (every entry, for an account not in line) leave one free: first come, first
 * served. Taking a slot takes the account out of line. An account never holds two slots: a call
 * that finds its account's slot taken and not yet used is refused (QUEUED), so never two
 * CreateAccount requests for one account.
 */
export async function takeSlot(
  line: LineChange,
  taker: { application: string; email: string; name: string; execution?: string },
  params: { concurrency: number; inProgress: readonly RequestInFlight[]; nowMs: number; slotTtlMs: number },
): Promise<boolean> {
  const at = new Date(params.nowMs).toISOString();
  const own = slotOf(line.slots, taker.application, taker.email);
  if (own && own.requestId === undefined && liveSlot(own, params.nowMs, params.slotTtlMs)) {
    // A slot of the same execution's: an earlier attempt took it and failed with no answer from
    // AWS (a 5xx, a timeout), so it may or may not have sent CreateAccount. Step Functions runs an
    // execution's attempts of a task one after another (a Retry starts once the failed attempt
    // has ended), and the caller found no request in flight under the account's name nor the
    // account: this attempt goes on in the same slot, without waiting in line behind itself.
    if (taker.execution !== undefined && own.execution === taker.execution) {
      const kept: SlotTaken = { ...own, takenAt: at };
      line.slots = line.slots.map((slot) => (slot === own ? kept : slot));
      await dequeue(line, taker.application, taker.email);
      return true;
    }
    // Another call for this account (not an attempt of the same execution's) took it and may be
    // sending CreateAccount now; this one must not send a second. The slot expires if that call
    // crashed, and the account is granted one again in line.
    return false;
  }
  // A slot whose request was recorded and is neither in progress nor made the account (the caller
  // looked for both): that request ended; the account takes a slot anew, like any other.
  if (own) line.slots = freeSlot(line.slots, taker);
  const used = slotsInUse(line.slots, params.inProgress, params.nowMs, params.slotTtlMs);
  if (used + (await heldBack(line, taker.application, taker.email)) >= params.concurrency) return false;
  const live = line.slots.filter((slot) => liveSlot(slot, params.nowMs, params.slotTtlMs));
  line.slots = [...live, { ...taker, takenAt: at }];
  await dequeue(line, taker.application, taker.email);
  return true;
}

/**
 * The account's request was sent: its slot records the request id (a slot is added for a request
 * found in flight under the account's name that has none, a retry after a lost record), and the
 * account is out of line.
 */
export async function recordRequest(
  line: LineChange,
  sent: { application: string; email: string; name: string; requestId: string },
  at: string,
  /** Leave the line too (false for the sender itself: its take already did, and an entry now is a later call's). */
  leave = true,
): Promise<void> {
  if (leave) await dequeue(line, sent.application, sent.email);
  const own = slotOf(line.slots, sent.application, sent.email);
  if (own?.requestId === sent.requestId) return;
  const { application, email, name, requestId } = sent;
  const recorded: SlotTaken = {
    application,
    email,
    name,
    takenAt: own?.takenAt ?? at,
    requestId,
    sentAt: at,
  };
  line.slots = [...line.slots.filter((slot) => slot !== own && slot.requestId !== requestId), recorded];
}

/** Frees the account's slot (its request ended, or it was never sent, or the account exists); the same array when none. */
export function freeSlot(
  slots: readonly SlotTaken[],
  which: { requestId: string } | { application: string; email: string },
): readonly SlotTaken[] {
  const kept = slots.filter((slot) =>
    'requestId' in which
      ? slot.requestId !== which.requestId
      : !sameSlot(slot, which.application, which.email),
  );
  return kept.length === slots.length ? slots : kept;
}

/**
 * The application's execution has ended: slots of its accounts that never got a request id are
 * free again. Their CreateAccount got no answer from AWS (or was never sent); no later attempt of
 * that execution will use them, and the next execution (a resume) is another taker. A request that
 * was sent after all is in ListCreateAccountStatus, counted as another tool's until it ends, and
 * found by its account name when the account is started again. The same array when none.
 */
export function freeUnsentSlots(slots: readonly SlotTaken[], application: string): readonly SlotTaken[] {
  const kept = slots.filter((slot) => slot.application !== application || slot.requestId !== undefined);
  return kept.length === slots.length ? slots : kept;
}
