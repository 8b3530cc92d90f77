import { ledgerFor } from '../../shared/ledger';
import { logger, stepHandler } from '../../shared/lambda/step-handler';
import { StepFunctionsProgress } from '../../shared/workflow/current-step';
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
    const result = await recordStoppedVend(
      ledgerFor(env.APPVEND_LEDGER_TABLE),
      new StepFunctionsProgress(),
      event.detail,
    );
    logger.info('vend execution stopped', { result, executionArn: event.detail.executionArn });
    return result;
  },
);
