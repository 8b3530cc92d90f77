/**
 * The organization's line for CreateAccount slots, kept in the ledger's table as one item (the
 * reserved name {@link ACCOUNT_QUEUE_KEY}, which no application name can take: names start with a
 * letter). Every change is a conditional write on the version read, so two releasers at once
 * cannot hand out the same slot twice: the second write fails, re-reads and sees the first's grant.
 *
 * An entry is one account of one vend waiting for a slot, with the task token its execution waits
 * on. Entries keep the ticket they were first given: an account that comes back (its token timed
 * out, or it was granted a slot another tool took first) keeps its place in line.
 */
export const ACCOUNT_QUEUE_KEY = '#account-queue';

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

export interface AccountQueue {
  name: typeof ACCOUNT_QUEUE_KEY;
  nextTicket: number;
  /** In ticket order. */
  entries: QueueEntry[];
  /** appvend's own CreateAccount requests in flight (or about to be sent); absent in older items. */
  slots?: SlotTaken[];
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

const sameAccount = (entry: QueueEntry, application: string, email: string): boolean =>
  entry.application === application && entry.email.toLowerCase() === email.toLowerCase();

export function entryOf(queue: AccountQueue, application: string, email: string): QueueEntry | undefined {
  return queue.entries.find((entry) => sameAccount(entry, application, email));
}

/**
 * The account waits with `token`: a new entry at the end of the line, or the account's own entry
 * (its place kept) with the new token and no grant (a grant it did not use is void).
 */
export function enqueue(
  queue: AccountQueue,
  waiter: { application: string; email: string; token: string },
  at: string,
): AccountQueue {
  const existing = entryOf(queue, waiter.application, waiter.email);
  if (existing) {
    const { grantedAt: _void, ...kept } = existing;
    const replaced: QueueEntry = { ...kept, token: waiter.token };
    return { ...queue, entries: queue.entries.map((e) => (e === existing ? replaced : e)) };
  }
  const entry: QueueEntry = { ticket: queue.nextTicket, ...waiter, enqueuedAt: at };
  return { ...queue, nextTicket: queue.nextTicket + 1, entries: [...queue.entries, entry] };
}

/** The account leaves the line (it started, or found its account, or its vend is gone). */
export function dequeue(queue: AccountQueue, application: string, email: string): AccountQueue {
  const entries = queue.entries.filter((entry) => !sameAccount(entry, application, email));
  return entries.length === queue.entries.length ? queue : { ...queue, entries };
}

/** Entries whose token is dead (its task timed out or its execution ended): dropped. */
export function drop(queue: AccountQueue, tokens: readonly string[]): AccountQueue {
  const entries = queue.entries.filter((entry) => !tokens.includes(entry.token));
  return entries.length === queue.entries.length ? queue : { ...queue, entries };
}

/**
 * Slots the line holds back for this account's turn: the entries ahead of it (or every entry, for
 * an account not in line, which must go to the back). An account may send CreateAccount only when
 * the requests in flight plus these leave a slot: first come, first served.
 */
export function heldBack(queue: AccountQueue, application: string, email: string): number {
  const own = entryOf(queue, application, email);
  if (!own) return queue.entries.length;
  return queue.entries.filter((entry) => entry.ticket < own.ticket).length;
}

/** A grant counts as a slot taken until its account starts, or for `grantTtlMs` at most. */
export function liveGrants(queue: AccountQueue, nowMs: number, grantTtlMs: number): QueueEntry[] {
  return queue.entries.filter(
    (entry) => entry.grantedAt !== undefined && nowMs - Date.parse(entry.grantedAt) < grantTtlMs,
  );
}

/**
 * Hands the free slots to the first entries in line that hold none: `free` is the configured
 * concurrency less the requests in flight at AWS (appvend's and other tools') and the live grants.
 * A grant older than `grantTtlMs` (its releaser crashed before sending the token, or the account
 * never came) is handed out again, to the same entry first: its place is kept.
 */
export function grant(
  queue: AccountQueue,
  params: { concurrency: number; inFlight: number; nowMs: number; grantTtlMs: number },
): { queue: AccountQueue; granted: QueueEntry[] } {
  const live = liveGrants(queue, params.nowMs, params.grantTtlMs);
  let free = params.concurrency - params.inFlight - live.length;
  if (free <= 0) return { queue, granted: [] };
  const at = new Date(params.nowMs).toISOString();
  const granted: QueueEntry[] = [];
  const entries = queue.entries.map((entry) => {
    if (free <= 0 || live.includes(entry)) return entry;
    free -= 1;
    const given = { ...entry, grantedAt: at };
    granted.push(given);
    return given;
  });
  return granted.length === 0 ? { queue, granted } : { queue: { ...queue, entries }, granted };
}

const sameSlot = (slot: SlotTaken, application: string, email: string): boolean =>
  slot.application === application && slot.email.toLowerCase() === email.toLowerCase();

export function slotOf(queue: AccountQueue, application: string, email: string): SlotTaken | undefined {
  return (queue.slots ?? []).find((slot) => sameSlot(slot, application, email));
}

/** A slot still held: its request was sent (until it is seen ended), or it was taken less than `slotTtlMs` ago. */
const liveSlot = (slot: SlotTaken, nowMs: number, slotTtlMs: number): boolean =>
  slot.requestId !== undefined || nowMs - Date.parse(slot.takenAt) < slotTtlMs;

/**
 * The CreateAccount requests in flight as appvend counts them: its own slots still held, plus the
 * requests AWS lists IN_PROGRESS that are not appvend's own (by request id): other tools', people's.
 */
export function slotsInUse(
  queue: AccountQueue,
  inProgress: readonly RequestInFlight[],
  nowMs: number,
  slotTtlMs: number,
): number {
  const slots = (queue.slots ?? []).filter((slot) => liveSlot(slot, nowMs, slotTtlMs));
  const own = new Set(slots.map((slot) => slot.requestId).filter((id) => id !== undefined));
  return slots.length + inProgress.filter((request) => !request.Id || !own.has(request.Id)).length;
}

/**
 * Frees the slots whose request has ended: recorded before `listedAtMs` (when ListCreateAccountStatus
 * was read) and not in its IN_PROGRESS list. Drops expired slots that never got a request id, and
 * gives a slot without an id the id of an IN_PROGRESS request under its account name (its sender
 * crashed between CreateAccount and the record), so that request counts as appvend's own.
 */
export function settleSlots(
  queue: AccountQueue,
  inProgress: readonly RequestInFlight[],
  params: { listedAtMs: number; nowMs: number; slotTtlMs: number },
): AccountQueue {
  const slots = queue.slots ?? [];
  if (slots.length === 0) return queue;
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
  return changed ? { ...queue, slots: kept } : queue;
}

/**
 * The account takes a CreateAccount slot, atomically with the line (one conditional write): only
 * when the requests in flight (appvend's own slots and other tools' requests) plus the accounts
 * ahead of it in line (every entry, for an account not in line) leave one free: first come, first
 * served. Taking a slot takes the account out of line. An account never holds two slots: a call
 * that finds its account's slot taken and not yet used is refused (QUEUED), so never two
 * CreateAccount requests for one account.
 */
export function takeSlot(
  queue: AccountQueue,
  taker: { application: string; email: string; name: string; execution?: string },
  params: { concurrency: number; inProgress: readonly RequestInFlight[]; nowMs: number; slotTtlMs: number },
): { queue: AccountQueue; taken: boolean } {
  const at = new Date(params.nowMs).toISOString();
  const own = slotOf(queue, taker.application, taker.email);
  if (own && own.requestId === undefined && liveSlot(own, params.nowMs, params.slotTtlMs)) {
    // A slot of the same execution's: an earlier attempt took it and failed with no answer from
    // AWS (a 5xx, a timeout), so it may or may not have sent CreateAccount. Step Functions runs an
    // execution's attempts of a task one after another (a Retry starts once the failed attempt
    // has ended), and the caller found no request in flight under the account's name nor the
    // account: this attempt goes on in the same slot, without waiting in line behind itself.
    if (taker.execution !== undefined && own.execution === taker.execution) {
      const kept: SlotTaken = { ...own, takenAt: at };
      const slots = (queue.slots ?? []).map((slot) => (slot === own ? kept : slot));
      return { queue: { ...dequeue(queue, taker.application, taker.email), slots }, taken: true };
    }
    // Another call for this account (not an attempt of the same execution's) took it and may be
    // sending CreateAccount now; this one must not send a second. The slot expires if that call
    // crashed, and the account is granted one again in line.
    return { queue, taken: false };
  }
  // A slot whose request was recorded and is neither in progress nor made the account (the caller
  // looked for both): that request ended; the account takes a slot anew, like any other.
  if (own) queue = freeSlot(queue, taker);
  const used = slotsInUse(queue, params.inProgress, params.nowMs, params.slotTtlMs);
  if (used + heldBack(queue, taker.application, taker.email) >= params.concurrency) {
    return { queue, taken: false };
  }
  const live = (queue.slots ?? []).filter((slot) => liveSlot(slot, params.nowMs, params.slotTtlMs));
  const slot: SlotTaken = { ...taker, takenAt: at };
  const left = dequeue(queue, taker.application, taker.email);
  return { queue: { ...left, slots: [...live, slot] }, taken: true };
}

/**
 * The account's request was sent: its slot records the request id (a slot is added for a request
 * found in flight under the account's name that has none, a retry after a lost record), and the
 * account is out of line.
 */
export function recordRequest(
  queue: AccountQueue,
  sent: { application: string; email: string; name: string; requestId: string },
  at: string,
  /** Leave the line too (false for the sender itself: its take already did, and an entry now is a later call's). */
  leave = true,
): AccountQueue {
  const left = leave ? dequeue(queue, sent.application, sent.email) : queue;
  const slots = left.slots ?? [];
  const own = slotOf(left, sent.application, sent.email);
  if (own?.requestId === sent.requestId) return left;
  const { application, email, name, requestId } = sent;
  const recorded: SlotTaken = {
    application,
    email,
    name,
    takenAt: own?.takenAt ?? at,
    requestId,
    sentAt: at,
  };
  const others = slots.filter((slot) => slot !== own && slot.requestId !== requestId);
  return { ...left, slots: [...others, recorded] };
}

/** Frees the account's slot (its request ended, or it was never sent, or the account exists). */
export function freeSlot(
  queue: AccountQueue,
  which: { requestId: string } | { application: string; email: string },
): AccountQueue {
  const slots = queue.slots ?? [];
  const kept = slots.filter((slot) =>
    'requestId' in which
      ? slot.requestId !== which.requestId
      : !sameSlot(slot, which.application, which.email),
  );
  return kept.length === slots.length ? queue : { ...queue, slots: kept };
}

/**
 * The application's execution has ended: slots of its accounts that never got a request id are
 * free again. Their CreateAccount got no answer from AWS (or was never sent); no later attempt of
 * that execution will use them, and the next execution (a resume) is another taker. A request that
 * was sent after all is in ListCreateAccountStatus, counted as another tool's until it ends, and
 * found by its account name when the account is started again.
 */
export function freeUnsentSlots(queue: AccountQueue, application: string): AccountQueue {
  const slots = queue.slots ?? [];
  const kept = slots.filter((slot) => slot.application !== application || slot.requestId !== undefined);
  return kept.length === slots.length ? queue : { ...queue, slots: kept };
}
