import { ledgerFor } from '../../shared/ledger';
import { appendCorrelationKeys, logger, stepHandler } from '../../shared/lambda/step-handler';
import { accountPrincipal } from '../../shared/ledger/principal';
import { IntakeEnv } from '../../shared/workflow/settings';
import { StepFunctionsStarter, submitApplication } from '../../shared/workflow/intake';
import { APPLICATION_REQUESTED } from '../../shared/workflow/application-requested';

export const environment = { ...IntakeEnv };

/** An `Application Requested` event as EventBridge delivers it (the detail is the request). */
interface IntakeEvent {
  source?: unknown;
  'detail-type'?: unknown;
  account?: unknown;
  region?: unknown;
  detail?: unknown;
}

/** What the door answers an event it does not take: nothing recorded, nothing started. */
export interface RejectedEvent {
  outcome: 'rejected';
  reason: string;
}

/**
 * The EventBridge door. Events arrive at least once: the ledger makes a repeat the same vend. An
 * invalid or refused request is logged and answered, not thrown: EventBridge would only retry it
 * and then park it in the dead-letter queue, and a retry cannot fix it.
 *
 * The door checks the envelope itself (the rule's pattern is not its only guard): `source` and
 * `detail-type` must be those of `Application Requested`, and `account` (set by EventBridge to the
 * account that put the event, not by the sender) a 12-digit account id. That account is who asks:
 * an application it does not own is refused (`not-owner`), logged, and nothing changes.
 */
export const handler = stepHandler('submit-application', environment, async (event: IntakeEvent, env) => {
  const rejected = rejectionOf(event);
  if (rejected) {
    logger.warn('application request rejected', { reason: rejected.reason });
    return rejected;
  }
  const actor = {
    principal: accountPrincipal(
      event.account as string,
      typeof event.region === 'string' ? event.region : undefined,
    ),
    // Platform administrators are IAM roles; an event vouches for an account only.
    admin: false,
  };
  const result = await submitApplication(
    ledgerFor(env.APPVEND_LEDGER_TABLE),
    new StepFunctionsStarter(env.APPVEND_STATE_MACHINE_ARN),
    event.detail,
    actor,
  );
  appendCorrelationKeys({
    application: (event.detail as { name?: unknown } | undefined)?.name,
    requestId: (result as { requestId?: string }).requestId,
  });
  if (result.outcome === 'invalid' || result.outcome === 'conflict') {
    logger.warn('application request refused', { result, account: event.account });
  } else {
    logger.info('application request accepted', { outcome: result.outcome, requestId: result.requestId });
  }
  const { record: _record, ...answer } = result as typeof result & { record?: unknown };
  return answer;
});

/** Why an event is not an `Application Requested` event this door takes, or undefined. */
export function rejectionOf(event: IntakeEvent | null | undefined): RejectedEvent | undefined {
  if (event === null || typeof event !== 'object')
    return { outcome: 'rejected', reason: 'not an EventBridge event' };
  if (
    event.source !== APPLICATION_REQUESTED.source ||
    event['detail-type'] !== APPLICATION_REQUESTED.detailType
  ) {
    return {
      outcome: 'rejected',
      reason: `source and detail-type must be "${APPLICATION_REQUESTED.source}" and "${APPLICATION_REQUESTED.detailType}"`,
    };
  }
  if (typeof event.account !== 'string' || !/^\d{12}$/.test(event.account)) {
    return { outcome: 'rejected', reason: 'account must be the 12-digit account id EventBridge sets' };
  }
  return undefined;
}
