import type { QueueEntry, SlotTaken } from './account-queue';

/*
 * How the CreateAccount line is kept in the ledger's table: a head item and pages of entries, so
 * that no change reads or writes the whole line (a line in one item held about 190 waiting
 * accounts with 2,048-character task tokens before DynamoDB's 400 KB item limit, and every change
 * read and wrote all of it).
 *
 * - The head (LINE_HEAD_KEY) holds the counters: the next ticket, how many entries each page
 *   holds, the slots (appvend's CreateAccount requests in flight: at most the configured
 *   concurrency, plus slots expiring), the grants not yet used, and the version every change
 *   writes on (a conditional write: two changes at once, one wins).
 * - Entries live in pages by ticket: page n holds tickets n*PAGE_TICKETS … (n+1)*PAGE_TICKETS-1,
 *   in ticket order. Pages rather than one item per entry: the table has a partition key only (no
 *   sort key to Query entries in ticket order), and a line walked from its front needs its first
 *   entries in order; with pages the head's counts say which pages hold entries and one GetItem
 *   reads the first of them. A page holds at most PAGE_TICKETS entries (tickets only grow), so it
 *   stays far under 400 KB whatever the length of the line.
 * - An index item per waiting account names its ticket: an account's entry is found with two
 *   GetItems, without walking the line.
 *
 * Every change writes the head (its version + 1) and the pages and index items it changed in one
 * TransactWriteItems, the head's write conditioned on the version read: pages and index items are
 * only ever written in a transaction that also moves the head's version, so a change whose reads
 * straddled another's write fails its condition, reads again and decides again.
 */

/**
 * The head's name: the reserved name the one-item line of earlier versions used (no application
 * name can take it: names start with a letter). A head found in that older shape (with `entries`)
 * keeps its tickets and slots; its waiting entries are not carried over (their tokens get no more
 * heartbeats, their tasks fail States.HeartbeatTimeout and the Catch puts them back in line).
 */
export const LINE_HEAD_KEY = '#account-queue';
const PAGE_PREFIX = `${LINE_HEAD_KEY}#page#`;
const INDEX_PREFIX = `${LINE_HEAD_KEY}#account#`;

/** Whether a ledger item belongs to the line (the head, a page or an index item): never an application. */
export const isLineItem = (name: string): boolean => name.startsWith(LINE_HEAD_KEY);

/**
 * Tickets per page. An entry is at most about 2.5 KB (a 2,048-character token, an email address
 * of up to 254 characters, the application's name and the times), so a full page is at most about
 * 125 KB: a third of DynamoDB's 400 KB item, and 30 of them fit the 4 MB of one transaction.
 */
export const PAGE_TICKETS = 50;

/**
 * The line's one limit left: the pages holding entries, counted in the head (about 10 bytes each
 * there, so 20,000 of them keep the head near 200 KB). Each page holds at least one waiting
 * account, so the line holds at least 20,000 waiting accounts whatever their tokens, and up to
 * 1,000,000 when they leave in about the order they came.
 */
export const MAX_LINE_PAGES = 20_000;

/** A slot handed to an entry in line, held until the account starts or the grant expires. */
export interface Grant {
  ticket: number;
  application: string;
  email: string;
  grantedAt: string;
}

export interface LineHead {
  name: typeof LINE_HEAD_KEY;
  nextTicket: number;
  /** Entries held by each page that holds any (page number → count). */
  pages: Record<string, number>;
  slots: SlotTaken[];
  grants: Grant[];
  version: number;
}

/** A page's entries, in ticket order; the token is the entry's, a grant is the head's. */
export interface LinePage {
  name: string;
  entries: Omit<QueueEntry, 'grantedAt'>[];
}

export interface LineIndex {
  name: string;
  ticket: number;
}

export type LineItem = LineHead | LinePage | LineIndex;

/** One action of a line change's transaction: an item put, or an item deleted (by name). */
export type LineWrite = { put: LineItem } | { delete: string };

export const emptyHead = (): LineHead => ({
  name: LINE_HEAD_KEY,
  nextTicket: 1,
  pages: {},
  slots: [],
  grants: [],
  version: 0,
});

/** The head as stored, or an empty one; the one-item line of earlier versions keeps its tickets and slots. */
export function headOf(item: Record<string, unknown> | undefined): LineHead {
  if (!item) return emptyHead();
  const stored = item as Partial<LineHead> & { version: number; nextTicket: number };
  return {
    name: LINE_HEAD_KEY,
    nextTicket: stored.nextTicket,
    pages: stored.pages ?? {},
    slots: stored.slots ?? [],
    grants: stored.grants ?? [],
    version: stored.version,
  };
}

export const pageOf = (ticket: number): number => Math.floor(ticket / PAGE_TICKETS);
export const pageKey = (page: number): string => `${PAGE_PREFIX}${page}`;
export const indexKey = (application: string, email: string): string =>
  `${INDEX_PREFIX}${application}#${email.toLowerCase()}`;

/** The page numbers that hold entries, front of the line first. */
export const pagesInOrder = (head: LineHead): number[] =>
  Object.keys(head.pages)
    .map(Number)
    .sort((a, b) => a - b);

export const waitingCount = (head: LineHead): number =>
  Object.values(head.pages).reduce((sum, count) => sum + count, 0);

type Stored = Omit<QueueEntry, 'grantedAt'>;

/**
 * One change of the line: the head read, the pages and index items read through it (each at most
 * once), and what the change did to them, as the items a transaction writes. Its reads are not
 * atomic with each other: what makes the change right is that its transaction is conditioned on
 * the head's version (see above).
 */
export class LineChange {
  public readonly head: LineHead;
  private readonly pages = new Map<number, Stored[]>();
  private readonly indexes = new Map<string, number | undefined>();
  private readonly pagesChanged = new Set<number>();
  private readonly indexesChanged = new Set<string>();
  private headChanged = false;

  public constructor(
    private readonly read: (name: string) => Promise<Record<string, unknown> | undefined>,
    head: LineHead,
  ) {
    this.head = { ...head, pages: { ...head.pages } };
  }

  public get changed(): boolean {
    return this.headChanged;
  }

  public get waiting(): number {
    return waitingCount(this.head);
  }

  public get slots(): readonly SlotTaken[] {
    return this.head.slots;
  }

  /** Replaces the slots (a no-op when given the same array: nothing changed). */
  public set slots(slots: readonly SlotTaken[]) {
    if (slots === this.head.slots) return;
    this.head.slots = [...slots];
    this.headChanged = true;
  }

  public get grants(): readonly Grant[] {
    return this.head.grants;
  }

  public set grants(grants: readonly Grant[]) {
    if (grants === this.head.grants) return;
    this.head.grants = [...grants];
    this.headChanged = true;
  }

  /** The account's entry in line (with its grant, if it holds one), or undefined. */
  public async entryOf(application: string, email: string): Promise<QueueEntry | undefined> {
    const ticket = await this.ticketOf(application, email);
    if (ticket === undefined) return undefined;
    const stored = (await this.page(pageOf(ticket))).find((entry) => entry.ticket === ticket);
    return stored && this.withGrant(stored);
  }

  /** Entries ahead of this one: whole pages by the head's counts, and its own page read. */
  public async ahead(entry: QueueEntry): Promise<number> {
    const own = pageOf(entry.ticket);
    let count = 0;
    for (const [page, held] of Object.entries(this.head.pages)) if (Number(page) < own) count += held;
    return count + (await this.page(own)).filter((e) => e.ticket < entry.ticket).length;
  }

  /** The entries from the front of the line, one page read at a time, for as long as the caller asks. */
  public async *inOrder(): AsyncGenerator<QueueEntry> {
    for (const page of pagesInOrder(this.head)) {
      for (const stored of await this.page(page)) yield this.withGrant(stored);
    }
  }

  /** A new entry at the end of the line (the last page read, and written back with it). */
  public async add(
    waiter: { application: string; email: string; token: string },
    at: string,
  ): Promise<QueueEntry> {
    const entry: Stored = { ticket: this.head.nextTicket, ...waiter, enqueuedAt: at };
    const page = pageOf(entry.ticket);
    this.setPage(page, [...(await this.page(page)), entry]);
    this.head.nextTicket += 1;
    this.head.pages[page] = (this.head.pages[page] ?? 0) + 1;
    this.setIndex(waiter.application, waiter.email, entry.ticket);
    this.headChanged = true;
    return { ...entry };
  }

  /** The entry, same ticket, with a new token (its page rewritten). */
  public async replace(entry: QueueEntry, token: string): Promise<QueueEntry> {
    const page = pageOf(entry.ticket);
    const { grantedAt: _void, ...kept } = entry;
    const replaced: Stored = { ...kept, token };
    this.setPage(
      page,
      (await this.page(page)).map((e) => (e.ticket === entry.ticket ? replaced : e)),
    );
    this.headChanged = true;
    return replaced;
  }

  /** Takes the entry out of line: its page, its index item, the head's count. */
  public async remove(entry: QueueEntry): Promise<void> {
    const page = pageOf(entry.ticket);
    this.setPage(
      page,
      (await this.page(page)).filter((e) => e.ticket !== entry.ticket),
    );
    const left = (this.head.pages[page] ?? 1) - 1;
    if (left > 0) this.head.pages[page] = left;
    else delete this.head.pages[page];
    this.setIndex(entry.application, entry.email, undefined);
    this.headChanged = true;
  }

  /** The transaction's actions, the head's last (its put carries the condition). */
  public writes(version: number): LineWrite[] {
    const writes: LineWrite[] = [];
    for (const page of this.pagesChanged) {
      const entries = this.pages.get(page)!;
      writes.push(entries.length > 0 ? { put: { name: pageKey(page), entries } } : { delete: pageKey(page) });
    }
    for (const name of this.indexesChanged) {
      const ticket = this.indexes.get(name);
      writes.push(ticket === undefined ? { delete: name } : { put: { name, ticket } });
    }
    writes.push({ put: { ...this.head, version } });
    return writes;
  }

  private withGrant(stored: Stored): QueueEntry {
    const held = this.head.grants.find((g) => g.ticket === stored.ticket);
    return held ? { ...stored, grantedAt: held.grantedAt } : { ...stored };
  }

  private async ticketOf(application: string, email: string): Promise<number | undefined> {
    const name = indexKey(application, email);
    if (!this.indexes.has(name)) {
      const item = (await this.read(name)) as LineIndex | undefined;
      this.indexes.set(name, item?.ticket);
    }
    return this.indexes.get(name);
  }

  private async page(page: number): Promise<Stored[]> {
    let entries = this.pages.get(page);
    if (!entries) {
      const item =
        (this.head.pages[page] ?? 0) > 0
          ? ((await this.read(pageKey(page))) as LinePage | undefined)
          : undefined;
      entries = this.pages.get(page) ?? item?.entries ?? [];
      this.pages.set(page, entries);
    }
    return entries;
  }

  private setPage(page: number, entries: Stored[]): void {
    this.pages.set(page, entries);
    this.pagesChanged.add(page);
  }

  private setIndex(application: string, email: string, ticket: number | undefined): void {
    const name = indexKey(application, email);
    this.indexes.set(name, ticket);
    this.indexesChanged.add(name);
  }
}
