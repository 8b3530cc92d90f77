import type { ClientFactory } from '../aws/client-factory';
import type { Ledger } from '../ledger/ledger';
import { earlierVendOf, type ApplicationRecord } from '../ledger/record';
import { errorMessage } from '../errors';
import { announceDrift } from './announce';
import type { ExecutionStarter } from './intake';
import { planVend, type PlanSettings, type PlanStep } from './plan';
import { describePlanStep } from './plan/render';
import { executionInput } from './resume';

/** One thing that is not as the vend left it, and what a vend would do about it. */
export interface DriftItem {
  kind: PlanStep['kind'];
  action: PlanStep['action'];
  subject: string;
  details: string[];
}

/** What reconcile found for one application, and what it did. */
export interface ReconcileReport {
  application: string;
  /**
   * `in-line`: nothing drifted; `drifted`: drift reported, not fixed; `fixing`: a vend to fix it
   * started (or ran, locally); `skipped`: not a vended application now (see `reason`);
   * `error`: the organization could not be read.
   */
  outcome: 'in-line' | 'drifted' | 'fixing' | 'skipped' | 'error';
  drift: DriftItem[];
  reason?: string;
  /** The execution that fixes it, when `fixing`. */
  executionName?: string;
}

/**
 * The drift in a plan: every step a vend would take that is not "keep". What the planner could
 * not look at (`unchecked`) is not drift.
 */
export function driftOf(steps: readonly PlanStep[]): DriftItem[] {
  return steps
    .filter((step) => step.action !== 'keep' && step.action !== 'unchecked')
    .map((step) => ({ kind: step.kind, action: step.action, ...describePlanStep(step) }))
    .map(({ subject, ...rest }) => ({ ...rest, subject: subject.trim() }));
}

export interface ReconcileDeps {
  clients: ClientFactory;
  ledger: Ledger;
  settings: PlanSettings;
  eventBusName: string;
  /** Given: drift is fixed by starting the vend again; absent: drift is only reported. */
  starter?: ExecutionStarter;
}

/**
 * Reconciles one vended application: plans its recorded request against the organization as it
 * is (read calls only), reports what drifted (an account moved out of the OU, the SCP edited or
 * detached, a stack instance outdated or deleted, a guardrail removed) as `Application Drift
 * Detected`, and, with a starter, starts the next attempt of the same request, whose idempotent
 * steps restore the desired state; its end is announced as `Application Drift Fixed`.
 */
export async function reconcileApplication(
  deps: ReconcileDeps,
  record: ApplicationRecord,
): Promise<ReconcileReport> {
  const application = record.name;
  if (record.status !== 'SUCCEEDED') {
    const reason =
      record.status === 'FAILED'
        ? `its last vend failed at ${record.step ?? 'an unknown step'}: resume it (appvend resume ${application})`
        : `it is being vended (${record.status})`;
    return { application, outcome: 'skipped', drift: [], reason };
  }
  let drift: DriftItem[];
  try {
    drift = driftOf(
      (await planVend(deps.clients, record.request, deps.settings, earlierVendOf(record))).steps,
    );
  } catch (error) {
    return { application, outcome: 'error', drift: [], reason: errorMessage(error) };
  }
  if (drift.length === 0) return { application, outcome: 'in-line', drift };

  let started: ApplicationRecord | undefined;
  if (deps.starter) {
    started = await deps.ledger.reopenForReconcile(application, record.requestId);
    if (started) {
      const { executionArn } = await deps.starter.start(started.executionName, {
        ...executionInput(started),
        trigger: 'reconcile',
      });
      await deps.ledger.markStarted(application, started.requestId, executionArn);
    }
  }
  await announceDrift(
    {
      application,
      requestId: record.requestId,
      drift: drift.map(({ kind, action, subject }) => ({ kind, action, subject })),
      fixing: started !== undefined,
    },
    { eventBusName: deps.eventBusName },
  );
  if (!started) {
    return {
      application,
      outcome: 'drifted',
      drift,
      ...(deps.starter && { reason: 'the application changed while it was being reconciled' }),
    };
  }
  return { application, outcome: 'fixing', drift, executionName: started.executionName };
}

/** How many applications the scheduled reconcile reads from the ledger at a time. */
export const RECONCILE_PAGE_SIZE = 10;

/** What one invocation of the scheduled reconcile did, and where the next one goes on. */
export interface ReconcileStretch {
  reports: ReconcileReport[];
  /** The ledger's cursor after the last page reconciled; absent when the ledger was read to its end. */
  next?: string;
}

/**
 * Reconciles the ledger's applications page by page from `from` (the start when absent), as long
 * as `timeLeft` says the time left is more than `reserveMs`, which must cover one page; at least
 * one page is always reconciled, so every invocation makes progress. The scheduled reconcile runs
 * in one Lambda invocation of bounded duration and each application's plan takes a few dozen
 * reads, so it cannot read a ledger of any size at once: where it stops, the next invocation goes
 * on (`next`).
 */
export async function reconcileStretch(
  deps: ReconcileDeps,
  options: { from?: string; pageSize: number; timeLeft: () => number; reserveMs: number },
): Promise<ReconcileStretch> {
  const reports: ReconcileReport[] = [];
  let cursor = options.from;
  for (let pages = 0; ; pages += 1) {
    if (pages > 0 && options.timeLeft() <= options.reserveMs) return { reports, next: cursor! };
    const page = await deps.ledger.list({ limit: options.pageSize, ...(cursor && { cursor }) });
    for (const record of page.items) reports.push(await reconcileApplication(deps, record));
    if (!page.cursor) return { reports };
    cursor = page.cursor;
  }
}
