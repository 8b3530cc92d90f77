import { ledgerFor } from '../../shared/ledger';
import { freeUnsentSlots } from '../../shared/ledger/account-queue';

import { count, countAtStep, METRIC, seconds } from '../../shared/lambda/metrics';
import { logger, stepHandler } from '../../shared/lambda/step-handler';
import { announceOutcome } from '../../shared/workflow/announce';
import { resumePointOf } from '../../shared/workflow/resume';
import { OutcomeEnv } from '../../shared/workflow/settings';
import { summarize, type VendState } from '../../shared/workflow/steps/summary';
import type { VendSummary } from '../../shared/workflow/types';

export const environment = { ...OutcomeEnv };

/** The vend's outcome, its duration and, on failure, the step that failed (dimension Step). */
function recordVendMetrics(summary: VendSummary, startedAt: string | undefined): void {
  if (summary.status === 'SUCCEEDED') count(METRIC.vendSucceeded);
  else {
    count(METRIC.vendFailed);
    countAtStep(METRIC.vendFailed, summary.error?.step ?? 'unknown');
  }
  const started = startedAt === undefined ? Number.NaN : Date.parse(startedAt);
  // The context object's StartTime is wall-clock time (on AWS and in the local runner alike).
  if (!Number.isNaN(started)) seconds(METRIC.vendDuration, (Date.now() - started) / 1000);
}

/**
 * A failed vend's accounts may hold CreateAccount slots whose request got no answer (a 5xx, a
 * timeout): only a later attempt of the same execution may use such a slot, and this execution is
 * ending, so they are freed for the next in line and for the resume. A failure here is logged, not
 * raised: the slot would otherwise expire (SLOT_TTL_MS), and the summary must still be recorded.
 */
async function freeSlotsLeftUnsent(table: string, application: string): Promise<void> {
  try {
    await ledgerFor(table).changeAccountLine(async (line) => {
      line.slots = freeUnsentSlots(line.slots, application);
    });
  } catch (error) {
    logger.warn('freeing the CreateAccount slots of a failed vend failed; they expire', {
      error: error as Error,
    });
  }
}

/**
 * The last step of a vend, successful or not: the summary, recorded in the ledger (for requests that
 * came through it, with where a retry continues after a failure) and announced on the bus and the
 * notifications topic.
 */
export const handler = stepHandler(
  'summarize-vend',
  environment,
  async (
    input: {
      state: VendState & { requestId?: string; trigger?: 'reconcile' };
      status: 'SUCCEEDED' | 'FAILED';
      /** The execution's name and start (ISO 8601), from the state machine's context object. */
      execution?: string;
      startedAt?: string;
    },
    env,
  ) => {
    const summary = summarize(input.state, input.status);
    recordVendMetrics(summary, input.startedAt);
    if (summary.status === 'FAILED') await freeSlotsLeftUnsent(env.APPVEND_LEDGER_TABLE, summary.application);
    const requestId = input.state.requestId;
    if (requestId) {
      const resume = summary.error ? resumePointOf(input.state, summary.error.step) : undefined;
      await ledgerFor(env.APPVEND_LEDGER_TABLE).recordOutcome(
        summary.application,
        requestId,
        summary,
        resume,
      );
    }
    await announceOutcome(summary, {
      eventBusName: env.APPVEND_EVENT_BUS_NAME,
      topicArn: env.APPVEND_VEND_TOPIC_ARN,
      ...(requestId && { requestId }),
      ...(input.state.trigger && { trigger: input.state.trigger }),
    });
    return summary;
  },
);
