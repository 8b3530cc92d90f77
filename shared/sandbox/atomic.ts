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
        return Reflect.set(target, key, this.unwrapDeep(next));
      },
      deleteProperty: (target, key) => {
        this.note(target, key, true);
        return Reflect.deleteProperty(target, key);
      },
      defineProperty: (target, key, descriptor) => {
        this.note(target, key);
        const value = descriptor.value as unknown;
        return Reflect.defineProperty(
          target,
          key,
          'value' in descriptor ? { ...descriptor, value: this.unwrapDeep(value) } : descriptor,
        );
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
  }

  public rollback(): void {
    for (let i = this.journal.length - 1; i >= 0; i -= 1) {
      const { target, key, had, previous, order } = this.journal[i]!;
      noteWrite(target);
      if (had) target[key] = previous;
      else delete target[key];
      // Object keys keep insertion order (and listings follow it): the keys that came after the
      // deleted one go back behind it.
      if (order) {
        for (const later of order.slice(order.indexOf(key as string) + 1)) {
          if (!Object.prototype.hasOwnProperty.call(target, later)) continue;
          const value = target[later];
          delete target[later];
          target[later] = value;
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
