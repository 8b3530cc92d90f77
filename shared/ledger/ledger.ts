import { madeAfter, type MadeAccess } from '../domain/access-made';
import type { ApplicationRequest } from '../request/schema';
import type { ResumePoint } from '../workflow/resume';
import type { VendSummary } from '../workflow/types';
import {
  LINE_HEAD_KEY,
  LineChange,
  MAX_LINE_PAGES,
  headOf,
  pageKey,
  pagesInOrder,
  waitingCount,
  type LineHead,
  type LinePage,
  type LineWrite,
} from './account-line';
import { type AccountQueue, type QueueEntry } from './account-queue';
import type { Actor } from './principal';
import {
  type ApplicationStatus,
  accessMadeOf,
  decideSubmission,
  mayAct,
  notOwnerMessage,
  executionNameOf,
  idsOf,
  requestDigest,
  requestIdOf,
  sameCallback,
  type ApplicationRecord,
  type ConflictReason,
  type OffboardingRecord,
  type PendingCallback,
} from './record';

/**
 * Storage behind the ledger: read an item, write it only if it still has the version that was
 * read (0 = absent), list. DynamoDB does it with a condition expression; the local store in
 * memory. All the rules live in {@link Ledger}, once.
 */
export interface LedgerStore {
  read(name: string): Promise<ApplicationRecord | undefined>;
  /** False when the item changed since it was read (another door got there first). */
  write(record: ApplicationRecord, expectedVersion: number): Promise<boolean>;
  list(options: { limit: number; cursor?: string }): Promise<{ items: ApplicationRecord[]; cursor?: string }>;
  /** An item of the CreateAccount line (shared/ledger/account-line.ts), by name; undefined if absent. */
  readLine(name: string): Promise<Record<string, unknown> | undefined>;
  /**
   * The line's items written all or nothing (DynamoDB TransactWriteItems), the head's put only if
   * the head still has `headVersion` (0 = absent): false when it changed since it was read, and
   * then nothing was written.
   */
  writeLine(writes: readonly LineWrite[], headVersion: number): Promise<boolean>;
}

/**
 * A request the ledger refuses: an application the caller does not own (`not-owner`, HTTP 403), or
 * a change while a vend or an offboarding runs (`in-progress`, HTTP 409).
 */
export class LedgerConflictError extends Error {
  public override readonly name = 'LedgerConflictError';
  public constructor(
    message: string,
    public readonly reason: ConflictReason,
    public readonly current: ApplicationRecord,
  ) {
    super(message);
  }
}

/**
 * The CreateAccount line changed under every attempt to change it: many accounts at once. The
 * account steps' Retry takes it (shared/domain/retry.ts), with backoff and jitter.
 */
export class AccountLineContendedError extends Error {
  public override readonly name = 'AccountLineContendedError';
  public constructor() {
    super('The CreateAccount line in the ledger kept changing; try again');
  }
}

/**
 * The CreateAccount line would hold entries in more pages than its head counts
 * ({@link MAX_LINE_PAGES}: at least 20,000 waiting accounts, whatever their tokens). Nothing was
 * written; the account that tried to join (or the change) failed.
 */
export class AccountLineTooLongError extends Error {
  public override readonly name = 'AccountLineTooLongError';
  public constructor(waiting: number, pages: number) {
    super(
      `The CreateAccount line would hold ${waiting} waiting accounts in ${pages} pages, over the ` +
        `${MAX_LINE_PAGES} pages its head item counts: start fewer applications at once, or wait ` +
        `for the line to shorten and resume`,
    );
  }
}

/** An application the ledger has never seen (HTTP 404). */
export class UnknownApplicationError extends Error {
  public override readonly name = 'UnknownApplicationError';
  public constructor(public readonly application: string) {
    super(`no application named "${application}" in the ledger`);
  }
}

/** What {@link Ledger.beginOffboarding} decided. */
export interface OffboardingStart {
  /**
   * `started`: an offboarding must run; `offboarded`: it already was, as asked (nothing to run);
   * `running`: one is under way (nothing to start: a second execution would race the first).
   */
  outcome: 'started' | 'offboarded' | 'running';
  record: ApplicationRecord;
}

/** A vend of the application may be running: these statuses are never offboarded. */
const VENDING: readonly ApplicationStatus[] = ['REQUESTED', 'IN_PROGRESS'];
/** Statuses a vend's own writes leave alone: an offboarding owns the item from its start. */
const OFFBOARD: readonly ApplicationStatus[] = ['OFFBOARDING', 'OFFBOARDED'];

/** Offboarding executions: unique per application and attempt, like the vend's. */
export const offboardExecutionNameOf = (requestId: string, attempt: number): string =>
  `${requestId}-offboard-${attempt}`;

export interface Submission {
  /** `started`: a new execution must start; `existing`: this request is already known (nothing to start). */
  outcome: 'started' | 'existing';
  record: ApplicationRecord;
}

/** Attempts at a conditional write before giving up: each lost race re-reads and decides again. */
const MAX_RACES = 5;
/**
 * The CreateAccount line's head is one item every queued account and every releaser writes: more
 * of them race at once than on an application's item, so a change re-reads more times before
 * giving up.
 */
const MAX_QUEUE_RACES = 100;

export class Ledger {
  public constructor(
    private readonly store: LedgerStore,
    private readonly now: () => Date = () => new Date(),
  ) {}

  public get(name: string): Promise<ApplicationRecord | undefined> {
    return this.store.read(name);
  }

  public list(options: { limit?: number; cursor?: string } = {}) {
    return this.store.list({ limit: options.limit ?? 25, ...(options.cursor && { cursor: options.cursor }) });
  }

  /** Every application, page by page, by name. */
  public async all(): Promise<ApplicationRecord[]> {
    const records: ApplicationRecord[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.store.list({ limit: 100, ...(cursor && { cursor }) });
      records.push(...page.items);
      cursor = page.cursor;
    } while (cursor);
    return records.sort((a, b) => a.name.localeCompare(b.name));
  }

  /**
   * Records a request and says whether a vend must start. Safe under concurrent delivery: of two
   * doors writing at once, one wins the conditional write and the other re-reads and finds it.
   * `actor` is who asked, as the door established it: a new application is recorded as its; an
   * existing one is acted on only by its owners, its managers and platform administrators
   * ({@link LedgerConflictError} `not-owner` otherwise, and nothing is written).
   * The request comes validated (`parseRequest`): the ledger itself carries no schema, so that the
   * Lambda handlers that only read and write records do not bundle the validation library.
   */
  public async submit(request: ApplicationRequest, actor: Actor): Promise<Submission> {
    const digest = requestDigest(request);
    for (let race = 0; race < MAX_RACES; race += 1) {
      const existing = await this.store.read(request.name);
      const decision = decideSubmission(existing, { actor, digest, stages: request.stages });
      if (decision.kind === 'conflict') {
        throw new LedgerConflictError(decision.message, decision.reason, existing!);
      }
      if (decision.kind === 'existing') return { outcome: 'existing', record: existing! };
      const at = this.now().toISOString();
      const requestId = requestIdOf(request.name, digest);
      // A re-vend after an offboarding keeps counting: the same request's execution names must differ.
      const attempt =
        decision.kind === 'retry' || (decision.kind === 'start' && decision.reason === 'revend')
          ? existing!.attempt + 1
          : 1;
      const record: ApplicationRecord = {
        name: request.name,
        owner: request.owner,
        requestId,
        requestDigest: digest,
        request,
        // The owners stay those that asked first (legacy records: none, see ApplicationRecord).
        ...(existing
          ? existing.principals && { principals: existing.principals }
          : { principals: [actor.principal] }),
        status: 'REQUESTED',
        attempt,
        executionName: executionNameOf(requestId, attempt),
        createdAt: existing?.createdAt ?? at,
        updatedAt: at,
        version: (existing?.version ?? 0) + 1,
        // Custom-resource requests not yet answered stay until their own vend's end answers them.
        ...(existing?.callbacks?.length && { callbacks: existing.callbacks }),
        // A retry of the same request continues where the failed vend stopped.
        ...(decision.kind === 'retry' && existing?.resume && { resume: existing.resume }),
        // What appvend made of the access stays its own to remove, whatever the new request asks;
        // after an offboarding (which removed it) nothing is.
        ...(existing && existing.status !== 'OFFBOARDED' && madeSomething(accessMadeOf(existing))),
        // What earlier vends made stays on record until this vend's outcome replaces it: the
        // execution input carries it (executionInput), so the steps look there first.
        ...(existing?.ids && { ids: existing.ids }),
        // The offboardings of an earlier life of the name stay on record.
        ...(existing?.history?.length && { history: existing.history }),
        ...(existing?.offboardingAttempts && { offboardingAttempts: existing.offboardingAttempts }),
      };
      if (await this.store.write(record, existing?.version ?? 0)) return { outcome: 'started', record };
    }
    throw new Error(`The ledger entry of "${request.name}" kept changing; try again`);
  }

  /**
   * Reconcile found drift in a vended application: the next attempt of the same request is
   * recorded (REQUESTED), so that a new execution brings the organization back in line. Refused
   * (undefined) unless the application stands SUCCEEDED under that request: a vend in progress or
   * a failed one (resume it) is not reconciled, nor is a newer request.
   */
  public async reopenForReconcile(name: string, requestId: string): Promise<ApplicationRecord | undefined> {
    let reopened = false;
    const record = await this.update(name, requestId, (r) => {
      if (r.status !== 'SUCCEEDED') return r;
      reopened = true;
      const attempt = r.attempt + 1;
      return { ...r, status: 'REQUESTED', attempt, executionName: executionNameOf(r.requestId, attempt) };
    });
    return reopened ? record : undefined;
  }

  /** The execution started: REQUESTED → IN_PROGRESS. Ignored when a newer request replaced this one. */
  public markStarted(
    name: string,
    requestId: string,
    executionArn: string,
  ): Promise<ApplicationRecord | undefined> {
    return this.update(name, requestId, (r) =>
      // Already recorded (many deliveries of one request mark the same start): no write, so that
      // they do not race each other into "kept changing".
      OFFBOARD.includes(r.status) || (r.status === 'IN_PROGRESS' && r.executionArn === executionArn)
        ? r
        : { ...r, status: 'IN_PROGRESS', executionArn },
    );
  }

  /**
   * The access step is about to create these assignments and put these contacts: recorded before
   * it does (write-ahead), so that what appvend made stays recorded even when the step then fails
   * or its answer is lost, and a retry finds the assignment in place and takes it for one it found
   * (`kept`). No write when the application has no item (a vend outside the ledger) or is being
   * offboarded.
   */
  public recordAccessMaking(name: string, making: MadeAccess): Promise<ApplicationRecord | undefined> {
    return this.updateWhere(
      name,
      (r) => !OFFBOARD.includes(r.status),
      (r) => {
        const before = accessMadeOf(r);
        const after = madeAfter(before, {
          grants: making.grants.map((g) => ({ ...g, outcome: 'creating' })),
          contacts: making.contacts,
        });
        return JSON.stringify(after) === JSON.stringify(before) ? r : { ...r, accessMade: after };
      },
    );
  }

  /** The step now running (progress for `GET /applications/{name}` and `appvend status`). */
  public markStep(name: string, requestId: string, step: string): Promise<ApplicationRecord | undefined> {
    return this.update(name, requestId, (r) =>
      r.status === 'SUCCEEDED' || r.status === 'FAILED' || OFFBOARD.includes(r.status)
        ? r
        : { ...r, status: 'IN_PROGRESS', step },
    );
  }

  /**
   * The vend ended: its status, the ids made so far and, on failure, the step, the reason and where
   * a retry continues.
   */
  public recordOutcome(
    name: string,
    requestId: string,
    summary: VendSummary,
    resume?: ResumePoint,
  ): Promise<ApplicationRecord | undefined> {
    return this.update(name, requestId, (r) => {
      // A late outcome of a vend must not undo an offboarding that has started since.
      if (OFFBOARD.includes(r.status)) return r;
      const { error: _previous, step: _running, resume: _earlier, accessMade: _before, ...rest } = r;
      return {
        ...rest,
        status: summary.status,
        ids: idsOf(summary),
        summary: keepAccessMadeEarlier(summary, r.summary),
        ...madeSomething(madeAfter(accessMadeOf(r), summary.access)),
        ...(summary.error && { error: summary.error, step: summary.error.step }),
        ...(summary.status === 'FAILED' && resume && { resume }),
      };
    });
  }

  /**
   * The execution stopped without recording its outcome (it failed outside the steps' own failure
   * handling, timed out, or was aborted): the vend is FAILED at `step`, so that it does not stand
   * IN_PROGRESS for ever and the same request can start it again. Ignored when the outcome was
   * recorded (the usual failure path records it first), or another execution is running.
   */
  public recordStopped(
    name: string,
    requestId: string,
    executionName: string,
    error: { step: string; message: string },
  ): Promise<ApplicationRecord | undefined> {
    return this.update(name, requestId, (r) => {
      if (r.executionName !== executionName || (r.status !== 'IN_PROGRESS' && r.status !== 'REQUESTED'))
        return r;
      const { resume: _none, ...rest } = r;
      return { ...rest, status: 'FAILED', error, step: error.step };
    });
  }

  /**
   * Keeps a custom-resource request on the application's item until the vend of
   * `callback.requestId` ends. Not kept (`kept: false`, with the current item) when that vend has
   * already ended, or another request has replaced it: the caller answers at once.
   */
  public async keepCallback(
    name: string,
    callback: PendingCallback,
  ): Promise<{ kept: boolean; record?: ApplicationRecord }> {
    let kept = false;
    const record = await this.update(name, callback.requestId, (r) => {
      kept = r.status === 'REQUESTED' || r.status === 'IN_PROGRESS';
      if (!kept) return r;
      const others = (r.callbacks ?? []).filter((c) => !sameCallback(c, callback));
      return { ...r, callbacks: [...others, callback] };
    });
    const current = record ?? (await this.store.read(name));
    return { kept: kept && record !== undefined, ...(current && { record: current }) };
  }

  /** The callbacks waiting for the vend of `requestId` (any request when omitted). */
  public async pendingCallbacks(name: string, requestId?: string): Promise<PendingCallback[]> {
    const record = await this.store.read(name);
    return (record?.callbacks ?? []).filter((c) => !requestId || c.requestId === requestId);
  }

  /** Removes callbacks that were answered (or are no longer wanted); a conditional write, like every write. */
  public async removeCallbacks(name: string, answered: readonly PendingCallback[]): Promise<void> {
    if (answered.length === 0) return;
    for (let race = 0; race < MAX_RACES; race += 1) {
      const current = await this.store.read(name);
      if (!current?.callbacks?.length) return;
      const remaining = current.callbacks.filter((c) => !answered.some((a) => sameCallback(a, c)));
      if (remaining.length === current.callbacks.length) return;
      const { callbacks: _all, ...rest } = current;
      const next: ApplicationRecord = {
        ...rest,
        ...(remaining.length > 0 && { callbacks: remaining }),
        updatedAt: this.now().toISOString(),
        version: current.version + 1,
      };
      if (await this.store.write(next, current.version)) return;
    }
    throw new Error(`The ledger entry of "${name}" kept changing; try again`);
  }

  /**
   * Starts offboarding an application: SUCCEEDED or FAILED → OFFBOARDING, with the execution to
   * run. An offboarding that failed is started again, with the next attempt; one under way without
   * a failure is `running` (nothing to start), unless `restartRunning` says it cannot be (a local
   * run that was interrupted). Refused while a vend may be running. An application already
   * OFFBOARDED is left as it is (`offboarded`), unless accounts are now to be closed that were not:
   * that offboarding runs again, and every step finds its part done except the closure. Only the
   * application's owners, its managers and platform administrators may offboard it (`actor`).
   */
  public async beginOffboarding(
    name: string,
    options: {
      closeAccounts: boolean;
      restartRunning?: boolean;
      actor: Actor;
      /**
       * Called with the record just before an offboarding would be marked (never for one that is
       * running, offboarded or refused): a check of the offboarding's configuration that throws
       * leaves the record as it was.
       */
      checkBeforeStart?: (current: ApplicationRecord) => Promise<void>;
    },
  ): Promise<OffboardingStart> {
    for (let race = 0; race < MAX_RACES; race += 1) {
      const current = await this.store.read(name);
      if (!current) throw new UnknownApplicationError(name);
      if (!mayAct(current, options.actor)) {
        throw new LedgerConflictError(notOwnerMessage(current, options.actor), 'not-owner', current);
      }
      if (VENDING.includes(current.status)) {
        throw new LedgerConflictError(
          `application "${name}" is being vended (request ${current.requestId}, ${current.status}); offboard it when the vend has ended`,
          'in-progress',
          current,
        );
      }
      if (current.status === 'OFFBOARDING' && !current.offboarding?.error && !options.restartRunning) {
        return { outcome: 'running', record: current };
      }
      const lastClosed = current.history?.at(-1)?.closeAccounts ?? false;
      if (current.status === 'OFFBOARDED' && (!options.closeAccounts || lastClosed)) {
        return { outcome: 'offboarded', record: current };
      }
      await options.checkBeforeStart?.(current);
      const at = this.now().toISOString();
      const attempt = (current.offboardingAttempts ?? 0) + 1;
      const next: ApplicationRecord = {
        ...current,
        status: 'OFFBOARDING',
        offboardingAttempts: attempt,
        offboarding: {
          attempt,
          executionName: offboardExecutionNameOf(current.requestId, attempt),
          closeAccounts: options.closeAccounts,
          startedAt: at,
        },
        updatedAt: at,
        version: current.version + 1,
      };
      if (await this.store.write(next, current.version)) return { outcome: 'started', record: next };
    }
    throw new Error(`The ledger entry of "${name}" kept changing; try again`);
  }

  /** The offboarding's execution started (on AWS: its ARN, for `appvend status`). */
  public markOffboardingStarted(
    name: string,
    executionName: string,
    executionArn: string,
  ): Promise<ApplicationRecord | undefined> {
    return this.updateOffboarding(name, executionName, (r) => ({
      ...r,
      offboarding: { ...r.offboarding!, executionArn },
    }));
  }

  /** The offboarding ended: OFFBOARDED, with what it removed and closed added to the history. */
  public recordOffboarded(
    name: string,
    executionName: string,
    entry: OffboardingRecord,
  ): Promise<ApplicationRecord | undefined> {
    return this.updateOffboarding(name, executionName, (r) => {
      // The offboarding removed the assignments appvend made: none is left to remove.
      const { offboarding: _done, error: _earlier, accessMade: _removed, ...rest } = r;
      return { ...rest, status: 'OFFBOARDED', history: [...(r.history ?? []), entry] };
    });
  }

  /** The offboarding failed: still OFFBOARDING (no vend may start), with the step and the reason. */
  public recordOffboardingFailure(
    name: string,
    executionName: string,
    error: { step: string; message: string },
  ): Promise<ApplicationRecord | undefined> {
    return this.updateOffboarding(name, executionName, (r) => ({
      ...r,
      offboarding: { ...r.offboarding!, error },
    }));
  }

  /** Every offboarding of every application, for the closure quota's count of recent closures. */
  public async allOffboardings(): Promise<{ application: string; entry: OffboardingRecord }[]> {
    return (await this.all()).flatMap((record) =>
      (record.history ?? []).map((entry) => ({ application: record.name, entry })),
    );
  }

  /** A write of the running offboarding only: a stale execution (an earlier attempt) changes nothing. */
  private updateOffboarding(
    name: string,
    executionName: string,
    change: (record: ApplicationRecord) => ApplicationRecord,
  ): Promise<ApplicationRecord | undefined> {
    return this.updateWhere(
      name,
      (r) => r.status === 'OFFBOARDING' && r.offboarding?.executionName === executionName,
      change,
    );
  }

  /**
   * The whole CreateAccount line, read page by page: for tests and reports only (a change reads
   * only the head and the pages it needs, see {@link changeAccountLine}). Its reads are not one
   * snapshot: a line changing meanwhile may be seen half before, half after a change.
   */
  public async accountQueue(): Promise<AccountQueue> {
    const head = await this.accountLineHead();
    const entries: QueueEntry[] = [];
    for await (const entry of this.waitingAccounts(head)) entries.push(entry);
    return {
      name: LINE_HEAD_KEY,
      nextTicket: head.nextTicket,
      entries,
      slots: head.slots,
      version: head.version,
    };
  }

  /** The line's head: counts, slots and grants, without an entry (one small read). */
  public async accountLineHead(): Promise<LineHead> {
    return headOf(await this.store.readLine(LINE_HEAD_KEY));
  }

  /**
   * Every waiting account, front of the line first, one page read at a time (for the sweep's
   * heartbeats, which must reach every token, and for {@link accountQueue}).
   */
  public async *waitingAccounts(head?: LineHead): AsyncGenerator<QueueEntry> {
    const read = head ?? (await this.accountLineHead());
    for (const page of pagesInOrder(read)) {
      const item = (await this.store.readLine(pageKey(page))) as LinePage | undefined;
      for (const entry of item?.entries ?? []) {
        const held = read.grants.find((g) => g.ticket === entry.ticket);
        yield held ? { ...entry, grantedAt: held.grantedAt } : entry;
      }
    }
  }

  /**
   * Changes the CreateAccount line in one transaction conditioned on the head's version; a lost
   * race reads again and decides again, so `change` must decide from the line it is given alone
   * (it may run more than once). Nothing is written when it changes nothing.
   */
  public changeAccountLine<T>(change: (line: LineChange) => Promise<T>): Promise<T> {
    // One change at a time through this ledger: the local runner's concurrent executions share
    // one, and all of them reading the same version at once lost their writes to each other over
    // and over (about ten lost races per change at 50 applications). Other processes (Lambdas,
    // other CLI runs) still race on the conditional write.
    const turn = this.queueTurn.then(() => this.changeAccountLineNow(change));
    this.queueTurn = turn.catch(() => undefined);
    return turn;
  }

  private queueTurn: Promise<unknown> = Promise.resolve();

  private async changeAccountLineNow<T>(change: (line: LineChange) => Promise<T>): Promise<T> {
    const read = (name: string) => this.store.readLine(name);
    for (let race = 0; race < MAX_QUEUE_RACES; race += 1) {
      const head = await this.accountLineHead();
      const line = new LineChange(read, head);
      const result = await change(line);
      if (!line.changed) return result;
      const pages = Object.keys(line.head.pages).length;
      if (pages > MAX_LINE_PAGES) throw new AccountLineTooLongError(waitingCount(line.head), pages);
      if (await this.store.writeLine(line.writes(head.version + 1), head.version)) return result;
    }
    throw new AccountLineContendedError();
  }

  /** A write for the vend of `requestId`: a stale execution (its request was replaced) changes nothing. */
  private update(
    name: string,
    requestId: string,
    change: (record: ApplicationRecord) => ApplicationRecord,
  ): Promise<ApplicationRecord | undefined> {
    return this.updateWhere(name, (r) => r.requestId === requestId, change);
  }

  /**
   * Changes the item if `applies` to it (undefined otherwise), with a conditional write on the
   * version read; a lost race reads again and decides again.
   */
  private async updateWhere(
    name: string,
    applies: (record: ApplicationRecord) => boolean,
    change: (record: ApplicationRecord) => ApplicationRecord,
  ): Promise<ApplicationRecord | undefined> {
    for (let race = 0; race < MAX_RACES; race += 1) {
      const current = await this.store.read(name);
      if (!current || !applies(current)) return undefined;
      const changed = change(current);
      // Nothing to change (a step of an ended vend, a callback for a vend that has ended): no write.
      if (changed === current) return current;
      const next = { ...changed, updatedAt: this.now().toISOString(), version: current.version + 1 };
      if (await this.store.write(next, current.version)) return next;
    }
    throw new Error(`The ledger entry of "${name}" kept changing; try again`);
  }
}

/**
 * A vend run again finds the assignments an earlier run of it created, and reports them `kept`:
 * the record keeps them `created`, so that the offboarding still removes what appvend made (and
 * only that: an assignment no run of the vend created stays `kept`).
 */
export function keepAccessMadeEarlier(summary: VendSummary, earlier: VendSummary | undefined): VendSummary {
  const made = new Set(
    (earlier?.access?.grants ?? [])
      .filter((g) => g.outcome === 'created')
      .map((g) => JSON.stringify([g.group, g.permissionSet, g.accountId])),
  );
  if (!summary.access || made.size === 0) return summary;
  return {
    ...summary,
    access: {
      ...summary.access,
      grants: summary.access.grants.map((g) =>
        g.outcome === 'kept' && made.has(JSON.stringify([g.group, g.permissionSet, g.accountId]))
          ? { ...g, outcome: 'created' }
          : g,
      ),
    },
  };
}

/** `{ accessMade }` when appvend made any access, for a record to carry; nothing otherwise. */
function madeSomething(made: MadeAccess): { accessMade?: MadeAccess } {
  return made.grants.length > 0 || made.contacts.length > 0 ? { accessMade: made } : {};
}
