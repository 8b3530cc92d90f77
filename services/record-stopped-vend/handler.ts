import { ledgerFor } from '../../shared/ledger';
import { appendCorrelationKeys, logger, stepHandler } from '../../shared/lambda/step-handler';
import { StepFunctionsProgress } from '../../shared/workflow/current-step';
import { answerPendingCallbacks, putResponse } from '../../shared/workflow/custom-resource-response';
import { LedgerEnv } from '../../shared/workflow/settings';
import { recordStoppedVend, type ExecutionStatusChange } from '../../shared/workflow/stopped-vend';

export const environment = { ...LedgerEnv };

/**
 * Step Functions' own `Execution Status Change` event for a vend that FAILED, TIMED_OUT or was
 * ABORTED: when the workflow could not record its outcome itself, the ledger is told here, so no
 * application stands IN_PROGRESS for ever.
 */
export const handler = stepHandler(
  'record-stopped-vend',
  environment,
  async (event: { detail: ExecutionStatusChange }, env) => {
    const ledger = ledgerFor(env.APPVEND_LEDGER_TABLE);
    const result = await recordStoppedVend(ledger, new StepFunctionsProgress(), event.detail);
    appendCorrelationKeys({ ...result, execution: event.detail.name });
    logger.info('vend execution stopped', { result, executionArn: event.detail.executionArn });
    // No outcome event follows a stopped execution: a Service Catalog launch waiting for this vend
    // is answered FAILED here, from the ledger, instead of waiting for CloudFormation's timeout.
    // Also when the outcome was recorded already (a retried event): the ledger decides what to send.
    const callbacks = await answerPendingCallbacks(
      { application: result.application, requestId: result.requestId },
      { ledger, send: putResponse },
    );
    return { ...result, callbacks };
  },
);
