import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { LINE_HEAD_KEY, type LineWrite } from './account-line';
import { ItemTooLargeError, MAX_ITEM_BYTES, itemSize } from './item-size';
import type { LedgerStore } from './ledger';
import type { ApplicationRecord } from './record';

/**
 * The ledger store of local runs: items in memory, optionally saved to a JSON file after each
 * write (next to the sandbox's state), with the same conditional-write contract as DynamoDB.
 */
export class MemoryLedgerStore implements LedgerStore {
  private readonly items = new Map<string, ApplicationRecord>();
  /** The CreateAccount line's items (head, pages, index items), by name, each frozen as written. */
  private readonly line = new Map<string, Readonly<Record<string, unknown>>>();

  public constructor(
    private readonly file?: string,
    /** Called before each save to the file (the CLI saves the sandbox's organization first). */
    private readonly options: { beforeSave?: () => void } = {},
  ) {
    if (file && existsSync(file)) {
      const saved = JSON.parse(readFileSync(file, 'utf8')) as {
        applications?: ApplicationRecord[];
        accountLine?: Record<string, unknown>[];
        /** The one-item line of earlier versions: read as the head (its tickets and slots kept). */
        accountQueue?: Record<string, unknown>;
      };
      for (const item of saved.applications ?? []) this.items.set(item.name, item);
      for (const item of saved.accountLine ?? []) this.line.set(item.name as string, deepFrozen(item));
      if (saved.accountQueue && !this.line.has(LINE_HEAD_KEY)) {
        this.line.set(LINE_HEAD_KEY, deepFrozen(saved.accountQueue));
      }
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
   * A line item as stored, frozen rather than copied: the line's changes never mutate what they
   * read (shared/ledger/account-line.ts), and one that did would throw rather than change the
   * store behind the transaction.
   */
  public async readLine(name: string): Promise<Record<string, unknown> | undefined> {
    return this.line.get(name);
  }

  /**
   * TransactWriteItems as DynamoDB runs it (docs/aws-behaviours.md, "The CreateAccount line in
   * pages"): refused whole (ValidationException) over 100 actions, with two actions on one item,
   * with an item over 400 KB or over 4 MB in all; cancelled whole when the head's condition fails.
   */
  public async writeLine(writes: readonly LineWrite[], headVersion: number): Promise<boolean> {
    refuseTransaction(writes);
    const head = this.line.get(LINE_HEAD_KEY) as { version?: number } | undefined;
    if ((head?.version ?? 0) !== headVersion) return false;
    for (const write of writes) {
      if ('put' in write)
        this.line.set(write.put.name, deepFrozen(write.put as unknown as Record<string, unknown>));
      else this.line.delete(write.delete);
    }
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
      `${JSON.stringify({ applications: [...this.items.values()], ...(this.line.size > 0 && { accountLine: [...this.line.values()] }) }, undefined, 2)}
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

/** TransactWriteItems' limits (AWS's words in docs/aws-behaviours.md). */
export const MAX_TRANSACTION_ACTIONS = 100;
export const MAX_TRANSACTION_BYTES = 4 * 1024 * 1024;

/** DynamoDB's refusals of a whole transaction, before any condition is looked at. */
class TransactionRefusedError extends Error {
  public override readonly name = 'ValidationException';
}

function refuseTransaction(writes: readonly LineWrite[]): void {
  if (writes.length > MAX_TRANSACTION_ACTIONS) {
    throw new TransactionRefusedError(
      `1 validation error detected at 'transactItems' failed to satisfy constraint: Member must have length less than or equal to ${MAX_TRANSACTION_ACTIONS}`,
    );
  }
  const names = writes.map((write) => ('put' in write ? write.put.name : write.delete));
  if (new Set(names).size !== names.length) {
    throw new TransactionRefusedError('Transaction request cannot include multiple operations on one item');
  }
  let bytes = 0;
  for (const write of writes) {
    if (!('put' in write)) continue;
    const size = itemSize(write.put as unknown as Record<string, unknown>);
    if (size > MAX_ITEM_BYTES) throw new ItemTooLargeError();
    bytes += size;
  }
  if (bytes > MAX_TRANSACTION_BYTES) {
    throw new TransactionRefusedError('Transaction request size exceeded the maximum allowed size of 4 MB');
  }
}

/** Freezes an item and everything in it (a line item is small: a page holds at most PAGE_TICKETS entries). */
function deepFrozen<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    for (const inner of Object.values(value)) deepFrozen(inner);
    Object.freeze(value);
  }
  return value;
}
