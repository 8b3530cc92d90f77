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
