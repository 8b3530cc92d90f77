import { ledgerFor } from '../../shared/ledger';
import { logger, stepHandler } from '../../shared/lambda/step-handler';
import {
  answerPendingCallbacks,
  putResponse,
  type OutcomeDetail,
} from '../../shared/workflow/custom-resource-response';
import { LedgerEnv } from '../../shared/workflow/settings';

export const environment = { ...LedgerEnv };

/** An `Application Vended` or `Application Vending Failed` event from the `appvend` bus. */
interface OutcomeEvent {
  'detail-type'?: string;
  detail: OutcomeDetail;
}

/**
 * Answers the Service Catalog product's custom-resource requests that waited for this vend, then
 * removes them from the ledger item. An answer that could not be delivered is thrown, so that the
 * event is tried again; the other answers are not sent twice.
 */
export const handler = stepHandler(
  'service-catalog-outcome',
  environment,
  async (event: OutcomeEvent, env) => {
    const report = await answerPendingCallbacks(event.detail ?? {}, {
      ledger: ledgerFor(env.APPVEND_LEDGER_TABLE),
      send: putResponse,
    });
    if (report.answered + report.refused > 0) {
      logger.info('answered the custom resource requests waiting for the vend', { report });
    }
    return report;
  },
);
