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
}

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null;

/** Plain objects and arrays: the only containers a JSON state holds, and the only ones walked. */
const isContainer = (value: unknown): value is Json => {
  if (!isObject(value)) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === Array.prototype || proto === null;
};

/** One call's view of the state: proxies over it, the journal of their writes, and the way back. */
class Transaction {
  private readonly journal: UndoEntry[] = [];
  private readonly proxies = new WeakMap<object, object>();
  private readonly raws = new WeakMap<object, Json>();

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
        this.note(target, key);
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
    this.raws.set(proxy, value);
    return proxy;
  }

  /**
   * The value with every proxy replaced by the object behind it, so that the state (and the
   * call's output) never holds a proxy. Objects behind proxies are state, already proxy-free.
   */
  public unwrapDeep<T>(value: T): T {
    if (!isObject(value)) return value;
    const raw = this.raws.get(value);
    if (raw) return raw as T;
    if (!isContainer(value)) return value;
    for (const key of Object.keys(value)) {
      const child = value[key];
      if (isObject(child)) {
        const unwrapped = this.unwrapDeep(child);
        if (unwrapped !== child) value[key] = unwrapped;
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
      const { target, key, had, previous } = this.journal[i]!;
      if (had) target[key] = previous;
      else delete target[key];
    }
  }

  private note(target: Json, key: PropertyKey): void {
    this.journal.push({
      target,
      key,
      had: Object.prototype.hasOwnProperty.call(target, key),
      previous: target[key],
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
