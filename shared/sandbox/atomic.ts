/**
 * AWS calls are atomic: one that fails changes nothing. A handler may throw after it has begun to
 * change the state, so a failing call must be undone. Copying the whole organization before every
 * mutating call did that at a cost proportional to the organization's size on every call, which
 * made a run of N vends cost O(N²). Instead the handler sees the state through proxies that note
 * the previous value of every property it sets or deletes (an undo journal); a failure replays the
 * journal backwards, and the cost is proportional to what the call touched.
 */

type Json = Record<PropertyKey, unknown>;

interface UndoEntry {
  target: Json;
  key: PropertyKey;
  had: boolean;
  previous: unknown;
  /** For a deleted key of a plain object: the keys in order, to put it back where it was. */
  order?: string[];
}

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null;

/** Plain objects and arrays: the only containers a JSON state holds, and the only ones walked. */
const isContainer = (value: unknown): value is Json => {
  if (!isObject(value)) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === Array.prototype || proto === null;
};

/** Each live proxy's transaction and the object behind it. */
const owners = new WeakMap<object, { transaction: Transaction; raw: Json }>();

/** How many times a call wrote one of an object's own properties (what `recordValues` caches on). */
const writes = new WeakMap<object, number>();
const noteWrite = (target: object) => writes.set(target, (writes.get(target) ?? 0) + 1);

/** Bumped by changes made outside a call (settled events, the sandbox's own setters). */
let epoch = 0;

/** One call's view of the state: proxies over it, the journal of their writes, and the way back. */
class Transaction {
  private readonly journal: UndoEntry[] = [];
  private readonly proxies = new WeakMap<object, object>();

  public wrap<T>(value: T): T {
    if (!isObject(value)) return value;
    const existing = this.proxies.get(value);
    if (existing) return existing as T;
    const proxy = new Proxy(value, {
      get: (target, key) => this.wrap(Reflect.get(target, key) as unknown),
      set: (target, key, next) => {
        this.note(target, key);
        const done = Reflect.set(target, key, this.unwrapDeep(next));
        touched(target, key);
        return done;
      },
      deleteProperty: (target, key) => {
        this.note(target, key, true);
        const done = Reflect.deleteProperty(target, key);
        touched(target, key);
        return done;
      },
      defineProperty: (target, key, descriptor) => {
        this.note(target, key);
        const value = descriptor.value as unknown;
        const done = Reflect.defineProperty(
          target,
          key,
          'value' in descriptor ? { ...descriptor, value: this.unwrapDeep(value) } : descriptor,
        );
        touched(target, key);
        return done;
      },
    });
    this.proxies.set(value, proxy);
    owners.set(proxy, { transaction: this, raw: value });
    return proxy;
  }

  /**
   * The value with every proxy replaced by the object behind it, so that the state (and the
   * call's output) never holds a proxy. Objects behind proxies are state, already proxy-free.
   */
  public unwrapDeep<T>(value: T): T {
    if (!isObject(value)) return value;
    const owner = owners.get(value);
    if (owner) return owner.raw as T;
    if (!isContainer(value)) return value;
    const container: Json = value;
    for (const key of Object.keys(container)) {
      const child = container[key];
      if (isObject(child)) {
        const unwrapped = this.unwrapDeep(child);
        if (unwrapped !== child) container[key] = unwrapped;
      }
    }
    return value;
  }

  /**
   * Objects the call created and put in the state may have been given proxies afterwards, through
   * the call's own reference to them: walk what the call wrote once more before it is kept.
   */
  public commit(): void {
    for (const { target, key } of this.journal) {
      if (Object.prototype.hasOwnProperty.call(target, key)) {
        const value = target[key];
        if (isObject(value)) target[key] = this.unwrapDeep(value);
      }
    }
    this.flush();
  }

  /**
   * An object the call created and put in the state is written through the call's own reference
   * to it, not through a proxy, so the indexes do not see those writes, which may come after the
   * object was put there: every place the call wrote is looked at again before an index answers,
   * and when the call ends. A call writes a few places; the records it indexes hold thousands.
   */
  public flush(): void {
    for (const { target, key } of this.journal) touched(target, key);
  }

  public rollback(): void {
    for (let i = this.journal.length - 1; i >= 0; i -= 1) {
      const { target, key, had, previous, order } = this.journal[i]!;
      noteWrite(target);
      if (had) target[key] = previous;
      else delete target[key];
      touched(target, key);
      // Object keys keep insertion order (and listings follow it): the keys that came after the
      // deleted one go back behind it.
      if (order) {
        for (const later of order.slice(order.indexOf(key as string) + 1)) {
          if (!Object.prototype.hasOwnProperty.call(target, later)) continue;
          const value = target[later];
          delete target[later];
          touched(target, later);
          target[later] = value;
          touched(target, later);
        }
      }
    }
  }

  private note(target: Json, key: PropertyKey, deleting = false): void {
    noteWrite(target);
    const had = Object.prototype.hasOwnProperty.call(target, key);
    this.journal.push({
      target,
      key,
      had,
      previous: target[key],
      ...(deleting && had && typeof key === 'string' && !Array.isArray(target)
        ? { order: Object.keys(target) }
        : {}),
    });
  }
}

/**
 * Runs `work` on `state` as one atomic change: if it throws, every property it set or deleted,
 * at any depth, is put back as it was and the error is rethrown. Its output is returned free of
 * proxies. `work` must reach the state only through the argument it is given.
 */
export function atomically<S extends object, T>(state: S, work: (state: S) => T): T {
  const transaction = new Transaction();
  let output: T;
  try {
    output = work(transaction.wrap(state));
  } catch (error) {
    transaction.rollback();
    throw error;
  }
  transaction.commit();
  return transaction.unwrapDeep(output);
}

/**
 * Runs `work` on `state` with its writes noted, as `atomically` does, but keeps them if it throws:
 * for what is not undone on failure (a read that makes an account's empty Config settings, AWS
 * applying an asynchronous change), so that the record caches and indexes still see every write.
 */
export function tracked<S extends object, T>(state: S, work: (state: S) => T): T {
  const transaction = new Transaction();
  try {
    return transaction.unwrapDeep(work(transaction.wrap(state)));
  } finally {
    transaction.commit();
  }
}

/** The state changed outside any call (an asynchronous event applied, a setter of the sandbox). */
export function changedOutsideCalls(): void {
  epoch += 1;
}

const valuesCache = new WeakMap<object, { writes: number; epoch: number; values: unknown[] }>();

/**
 * `Object.values(record)` of a record of the state (accounts by id, operations by id, …), cached
 * until the record gains or loses a member. Enumerating an object with thousands of keys costs
 * V8 a few hundred microseconds, and the sandbox did it on most calls, over records that grow
 * with every vend. Inside a call the values come wrapped like everything else the call reaches,
 * so that what it changes through them is undone if it fails. The array is the caller's own.
 */
export function recordValues<T>(record: Record<string, T>): T[] {
  const { owner, values } = cachedValues<T>(record);
  return owner ? values.map((value) => owner.transaction.wrap(value) as T) : values.slice();
}

/** The transaction a (possibly wrapped) record belongs to, and its members as they are, cached. */
function cachedValues<T>(record: object): { owner: ReturnType<typeof owners.get>; values: T[] } {
  const owner = owners.get(record);
  const raw = owner ? owner.raw : record;
  const count = writes.get(raw) ?? 0;
  let hit = valuesCache.get(raw);
  if (!hit || hit.writes !== count || hit.epoch !== epoch) {
    hit = { writes: count, epoch, values: Object.values(raw) };
    valuesCache.set(raw, hit);
  }
  return { owner, values: hit.values as T[] };
}

/**
 * The members of a record (or of an array of the state, such as the attachments) that `test`
 * accepts, like `recordValues(record).filter(test)`, but only those are wrapped inside a call:
 * `test` sees the members as they are and must only read them (compare ids, not objects). Scans
 * of thousands of members then cost no proxy each.
 */
export function membersWhere<T>(record: Record<string, T> | readonly T[], test: (member: T) => boolean): T[] {
  const { owner, values } = cachedValues<T>(record);
  const matches = values.filter(test);
  return owner ? matches.map((value) => owner.transaction.wrap(value)) : matches;
}

/**
 * A page of a record's members, chosen by `choose` from the members as they are (it must only
 * read them): only the page comes wrapped inside a call. Listing one page of 5,000 accounts then
 * costs a proxy for each account on the page, not for each account in the organization.
 */
export function pageOf<T, P extends { items: T[] }>(
  record: Record<string, T>,
  choose: (members: readonly T[]) => P,
): P {
  const { owner, values } = cachedValues<T>(record);
  const page = choose(values);
  return owner ? { ...page, items: page.items.map((member) => owner.transaction.wrap(member)) } : page;
}

/** How many members of a record `test` accepts; `test` sees them as they are and must only read. */
export function countWhere<T>(record: Record<string, T>, test: (member: T) => boolean): number {
  let count = 0;
  for (const member of cachedValues<T>(record).values) if (test(member)) count += 1;
  return count;
}

/**
 * What a record's members are looked up by: a key computed from each member. The key may read the
 * member's own properties, and the objects `watch` names (records nested in it); a write to any of
 * them, through a call's proxies, an event's or an undo, moves the member to its new key. A key
 * made only of properties that never change once the member is in the record (`fixed`: ids, the
 * stack set an instance belongs to) spares watching the members.
 */
export interface IndexDefinition<T> {
  key(member: T): unknown;
  watch?(member: T): readonly object[];
  fixed?: boolean;
}

export const defineIndex = <T>(
  key: (member: T) => unknown,
  options: { watch?: (member: T) => readonly object[]; fixed?: boolean } = {},
): IndexDefinition<T> => ({ key, ...options });

/** One member of an indexed record, under its record key. */
interface IndexEntry {
  index: RecordIndex;
  recordKey: string;
  member: unknown;
  /** Its place in the record's order (the order `Object.values` gives). */
  ordinal: number;
  key: unknown;
  watched: readonly object[];
}

/** The members under one key, in record order once sorted. */
interface Group {
  entries: Set<IndexEntry>;
  /** Whether `entries` is in record order (a member that moved in from another key may not be). */
  sorted: boolean;
  last: number;
}

/** Array indices come first in an object's keys, in numeric order, then the rest in insertion order. */
const ARRAY_INDEX = /^(0|[1-9]\d*)$/;
const isArrayIndex = (key: string) => ARRAY_INDEX.test(key) && Number(key) < 2 ** 32 - 1;

/**
 * A record's (or an array's) members grouped by an index definition's key, kept in step with the
 * record by the writes `touched` reports instead of being recomputed: looking members up then costs
 * what they are, not what the record holds. The sandbox's records (accounts, stack instances,
 * operations, attachments…) grow with every vend, and scanning them on each call made a run of N
 * vends cost O(N²).
 */
class RecordIndex {
  public alive = true;
  public readonly entries = new Map<string, IndexEntry>();
  private readonly groups = new Map<unknown, Group>();
  private inserted = 0;

  public constructor(
    private readonly raw: Json,
    private readonly definition: IndexDefinition<unknown>,
    public readonly epoch: number,
  ) {
    for (const key of Object.keys(raw)) this.add(key, raw[key]);
  }

  /** The members under any of `keys`, in record order. */
  public membersUnder(keys: readonly unknown[]): IndexEntry[] {
    const entries = [...new Set(keys)].flatMap((key) => this.members(key));
    return keys.length > 1 ? entries.sort((a, b) => a.ordinal - b.ordinal) : entries;
  }

  public members(key: unknown): IndexEntry[] {
    const group = this.groups.get(key);
    if (!group) return [];
    if (!group.sorted) {
      group.entries = new Set([...group.entries].sort((a, b) => a.ordinal - b.ordinal));
      group.sorted = true;
    }
    return [...group.entries];
  }

  public count(key: unknown): number {
    return this.groups.get(key)?.entries.size ?? 0;
  }

  /** The record gained, lost or replaced the member under `recordKey` (or, an array, its length). */
  public keyChanged(recordKey: string): void {
    const raw = this.raw;
    if (Array.isArray(raw) && recordKey === 'length') {
      for (const [key, entry] of this.entries) if (Number(key) >= raw.length) this.remove(entry);
      return;
    }
    const has = Object.prototype.hasOwnProperty.call(raw, recordKey);
    const entry = this.entries.get(recordKey);
    if (entry && has && entry.member === raw[recordKey]) return this.rekey(entry);
    if (entry) this.remove(entry);
    // A key given a new value keeps its place; a key added again after a deletion goes last.
    if (has) this.add(recordKey, raw[recordKey], entry?.ordinal);
  }

  /** A member (or an object it watches) was written: its key may have changed. */
  public rekey(entry: IndexEntry): void {
    if (this.definition.fixed) return;
    const key = this.definition.key(entry.member);
    if (this.definition.watch) this.watch(entry);
    if (Object.is(key, entry.key)) return;
    this.leave(entry);
    entry.key = key;
    this.join(entry);
  }

  private add(recordKey: string, member: unknown, ordinal?: number): void {
    const entry: IndexEntry = {
      index: this,
      recordKey,
      member,
      ordinal: ordinal ?? (isArrayIndex(recordKey) ? Number(recordKey) - 2 ** 32 : (this.inserted += 1)),
      key: this.definition.key(member),
      watched: [],
    };
    this.entries.set(recordKey, entry);
    this.watch(entry);
    this.join(entry);
  }

  private remove(entry: IndexEntry): void {
    this.entries.delete(entry.recordKey);
    this.leave(entry);
    for (const object of entry.watched) watchers.get(object)?.delete(entry);
  }

  private watch(entry: IndexEntry): void {
    for (const object of entry.watched) watchers.get(object)?.delete(entry);
    const member = entry.member;
    entry.watched =
      isObject(member) && !this.definition.fixed ? [member, ...(this.definition.watch?.(member) ?? [])] : [];
    for (const object of entry.watched) {
      let set = watchers.get(object);
      if (!set) watchers.set(object, (set = new Set()));
      set.add(entry);
    }
  }

  private join(entry: IndexEntry): void {
    let group = this.groups.get(entry.key);
    if (!group) this.groups.set(entry.key, (group = { entries: new Set(), sorted: true, last: -Infinity }));
    group.entries.add(entry);
    if (entry.ordinal < group.last) group.sorted = false;
    else group.last = entry.ordinal;
  }

  private leave(entry: IndexEntry): void {
    const group = this.groups.get(entry.key);
    if (!group) return;
    group.entries.delete(entry);
    if (group.entries.size === 0) this.groups.delete(entry.key);
  }
}

/** The indexes of each record (by its raw object), by definition. */
const indexes = new WeakMap<object, Map<IndexDefinition<unknown>, RecordIndex>>();
/** The index entries each object is the member of, or watched by. */
const watchers = new WeakMap<object, Set<IndexEntry>>();

/** A property of `target` was set or deleted: the indexes over it, or over what it is part of, follow. */
function touched(target: object, key: PropertyKey): void {
  if (typeof key !== 'string') return;
  const own = indexes.get(target);
  if (own) for (const index of own.values()) if (index.alive) index.keyChanged(key);
  const entries = watchers.get(target);
  if (!entries) return;
  for (const entry of [...entries]) {
    if (!entry.index.alive || entry.index.entries.get(entry.recordKey) !== entry) {
      entries.delete(entry);
      continue;
    }
    entry.index.rekey(entry);
  }
}

function indexOf(raw: object, definition: IndexDefinition<unknown>): RecordIndex {
  let byDefinition = indexes.get(raw);
  if (!byDefinition) indexes.set(raw, (byDefinition = new Map()));
  let index = byDefinition.get(definition);
  // Changes made outside calls (`changedOutsideCalls`) were not seen: the index is made again.
  if (!index || index.epoch !== epoch) {
    if (index) index.alive = false;
    index = new RecordIndex(raw as Json, definition, epoch);
    byDefinition.set(definition, index);
  }
  return index;
}

function lookUp(record: object, definition: IndexDefinition<unknown>) {
  const owner = owners.get(record);
  owner?.transaction.flush();
  return { owner, index: indexOf(owner ? owner.raw : record, definition) };
}

/**
 * The members of a record (or an array of the state) whose key under `definition` is `key`, in
 * the record's order: `membersWhere(record, (m) => definition.key(m) === key)` without looking at
 * the others. Inside a call they come wrapped, like everything the call reaches.
 */
export function membersBy<T>(
  record: Record<string, T> | readonly T[],
  definition: IndexDefinition<T>,
  key: unknown,
): T[] {
  return membersUnder(record, definition, [key]);
}

/** The members whose key is any of `keys`, in the record's order. */
export function membersUnder<T>(
  record: Record<string, T> | readonly T[],
  definition: IndexDefinition<T>,
  keys: readonly unknown[],
): T[] {
  const { owner, index } = lookUp(record, definition as IndexDefinition<unknown>);
  const members = index.membersUnder(keys).map((entry) => entry.member as T);
  return owner ? members.map((member) => owner.transaction.wrap(member)) : members;
}

/**
 * The members of an array of the state that `test` accepts, as they are and without a proxy
 * each: what is left of the array after a removal, to put back in the state in its place. The
 * caller must not change them through these references (the change would not be undone).
 */
export function survivors<T>(array: readonly T[], test: (member: T) => boolean): T[] {
  const raw = (owners.get(array)?.raw ?? array) as readonly T[];
  return raw.filter(test);
}

/** How many members of the record have `key` under `definition`. */
export function countBy<T>(
  record: Record<string, T> | readonly T[],
  definition: IndexDefinition<T>,
  key: unknown,
): number {
  return lookUp(record, definition as IndexDefinition<unknown>).index.count(key);
}

const EVERY_MEMBER = defineIndex<unknown>(() => true, { fixed: true });

/** `Object.keys(record).length`, without enumerating a record of thousands of keys each time. */
export function sizeOf(record: object): number {
  return lookUp(record, EVERY_MEMBER).index.entries.size;
}
