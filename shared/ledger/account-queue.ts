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

export interface AccountQueue {
  name: typeof ACCOUNT_QUEUE_KEY;
  nextTicket: number;
  /** In ticket order. */
  entries: QueueEntry[];
  version: number;
}

export const emptyQueue = (): AccountQueue => ({
  name: ACCOUNT_QUEUE_KEY,
  nextTicket: 1,
  entries: [],
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
