import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { AccountQueue } from './account-queue';
import { ItemTooLargeError, MAX_ITEM_BYTES, itemSize } from './item-size';
import type { LedgerStore } from './ledger';
import type { ApplicationRecord } from './record';

/**
 * The ledger store of local runs: items in memory, optionally saved to a JSON file after each
 * write (next to the sandbox's state), with the same conditional-write contract as DynamoDB.
 */
export class MemoryLedgerStore implements LedgerStore {
  private readonly items = new Map<string, ApplicationRecord>();
  private queue: AccountQueue | undefined;

  public constructor(
    private readonly file?: string,
    /** Called before each save to the file (the CLI saves the sandbox's organization first). */
    private readonly options: { beforeSave?: () => void } = {},
  ) {
    if (file && existsSync(file)) {
      const saved = JSON.parse(readFileSync(file, 'utf8')) as {
        applications?: ApplicationRecord[];
        accountQueue?: AccountQueue;
      };
      for (const item of saved.applications ?? []) this.items.set(item.name, item);
      this.queue = saved.accountQueue && frozen(saved.accountQueue);
    }
  }

  public async read(name: string): Promise<ApplicationRecord | undefined> {
    const item = this.items.get(name);
    return item && structuredClone(item);
  }

  public async write(record: ApplicationRecord, expectedVersion: number): Promise<boolean> {
    const current = this.items.get(record.name);
    if ((current?.version ?? 0) !== expectedVersion) return false;
    refuseOverLimit(record);
    this.items.set(record.name, structuredClone(record));
    this.save();
    return true;
  }

  public async list(options: { limit: number; cursor?: string }) {
    const names = [...this.items.keys()].sort();
    const start = options.cursor ? names.findIndex((n) => n > options.cursor!) : 0;
    const page = start < 0 ? [] : names.slice(start, start + options.limit);
    const last = page.at(-1);
    const more = last !== undefined && names.indexOf(last) < names.length - 1;
    return {
      items: page.map((n) => structuredClone(this.items.get(n)!)),
      ...(more && { cursor: last }),
    };
  }

  /**
   * The line as stored, frozen rather than copied: it is read on every change of the line, and a
   * copy of a line of hundreds of entries per read was most of a 100-application local run's time.
   * The line's functions are pure (shared/ledger/account-queue.ts); a writer that mutated what it
   * read would throw, not change the store behind the conditional write.
   */
  public async readQueue(): Promise<AccountQueue | undefined> {
    return this.queue;
  }

  public async writeQueue(queue: AccountQueue, expectedVersion: number): Promise<boolean> {
    if ((this.queue?.version ?? 0) !== expectedVersion) return false;
    refuseOverLimit(queue);
    this.queue = frozen(queue);
    this.save();
    return true;
  }

  private save(): void {
    if (!this.file) return;
    this.options.beforeSave?.();
    mkdirSync(dirname(this.file), { recursive: true });
    // This write's own temporary file: two writers never rename each other's.
    const temporary = `${this.file}.${process.pid}.${randomUUID()}.tmp`;
    writeFileSync(
      temporary,
      `${JSON.stringify({ applications: [...this.items.values()], ...(this.queue && { accountQueue: this.queue }) }, undefined, 2)}
`,
    );
    // Rename is atomic: a crash leaves the old file or the new one, never half of one.
    renameSync(temporary, this.file);
  }
}

/** DynamoDB refuses an item over 400 KB (ValidationException), after the condition held. */
function refuseOverLimit(item: object): void {
  if (itemSize(item as Record<string, unknown>) > MAX_ITEM_BYTES) throw new ItemTooLargeError();
}

/**
 * Freezes the line and its entries and slots; the entries a change kept are the same (already
 * frozen) objects, so only the new ones cost anything.
 */
function frozen(queue: AccountQueue): AccountQueue {
  for (const list of [queue.entries, queue.slots ?? []]) {
    if (Object.isFrozen(list)) continue;
    for (const item of list) if (!Object.isFrozen(item)) Object.freeze(item);
    Object.freeze(list);
  }
  return Object.freeze(queue);
}
