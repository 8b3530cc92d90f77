import { ledgerFor } from '../../shared/ledger';
import { stepHandler } from '../../shared/lambda/step-handler';
import { announceOutcome } from '../../shared/workflow/announce';
import { OutcomeEnv } from '../../shared/workflow/settings';
import { summarize, type VendState } from '../../shared/workflow/steps/summary';

export const environment = { ...OutcomeEnv };

/**
 * The last step of a vend, successful or not: the summary, recorded in the ledger (for requests that
 * came through it) and announced on the bus and the notifications topic.
 */
export const handler = stepHandler(
  'summarize-vend',
  environment,
  async (input: { state: VendState & { requestId?: string }; status: 'SUCCEEDED' | 'FAILED' }, env) => {
    const summary = summarize(input.state, input.status);
    const requestId = input.state.requestId;
    if (requestId)
      await ledgerFor(env.APPVEND_LEDGER_TABLE).recordOutcome(summary.application, requestId, summary);
    await announceOutcome(summary, {
      eventBusName: env.APPVEND_EVENT_BUS_NAME,
      topicArn: env.APPVEND_VEND_TOPIC_ARN,
      ...(requestId && { requestId }),
    });
    return summary;
  },
);
