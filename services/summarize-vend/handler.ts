import { ledgerFor } from '../../shared/ledger';
import { stepHandler } from '../../shared/lambda/step-handler';
import { announceOutcome } from '../../shared/workflow/announce';
import { resumePointOf } from '../../shared/workflow/resume';
import { OutcomeEnv } from '../../shared/workflow/settings';
import { summarize, type VendState } from '../../shared/workflow/steps/summary';

export const environment = { ...OutcomeEnv };

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
    },
    env,
  ) => {
    const summary = summarize(input.state, input.status);
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
