import { ledgerFor } from '../../shared/ledger';
import { logger, stepHandler } from '../../shared/lambda/step-handler';
import { IntakeEnv } from '../../shared/workflow/settings';
import { StepFunctionsStarter, submitApplication } from '../../shared/workflow/intake';

export const environment = { ...IntakeEnv };

/** An `Application Requested` event (the detail is the request), or `{ request }` from another caller. */
type IntakeEvent = { detail: unknown } | { request: unknown };

/**
 * The EventBridge door. Events arrive at least once: the ledger makes a repeat the same vend. An
 * invalid or refused request is logged and answered, not thrown: EventBridge would only retry it
 * and then park it in the dead-letter queue, and a retry cannot fix it.
 */
export const handler = stepHandler('submit-application', environment, async (event: IntakeEvent, env) => {
  const request = 'detail' in event ? event.detail : event.request;
  const result = await submitApplication(
    ledgerFor(env.APPVEND_LEDGER_TABLE),
    new StepFunctionsStarter(env.APPVEND_STATE_MACHINE_ARN),
    request,
  );
  if (result.outcome === 'invalid' || result.outcome === 'conflict') {
    logger.warn('application request refused', { result });
  } else {
    logger.info('application request accepted', { outcome: result.outcome, requestId: result.requestId });
  }
  const { record: _record, ...answer } = result as typeof result & { record?: unknown };
  return answer;
});
