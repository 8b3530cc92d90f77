import { awsClients } from '../../shared/aws/client-factory';
import { ledgerFor } from '../../shared/ledger';
import { appendCorrelationKeys, stepHandler } from '../../shared/lambda/step-handler';
import { prepareOffboarding } from '../../shared/workflow/offboard/prepare';
import { SuspendedOuEnv } from '../../shared/workflow/offboard/settings';
import { LedgerEnv } from '../../shared/workflow/settings';

export const environment = { ...LedgerEnv, ...SuspendedOuEnv };

export const handler = stepHandler(
  'prepare-offboarding',
  environment,
  async (input: { application: string; executionName: string }, env) => {
    const record = await ledgerFor(env.APPVEND_LEDGER_TABLE).get(input.application);
    // The request id is known from here on (the later steps get it with the target).
    appendCorrelationKeys({ requestId: record?.requestId });
    return prepareOffboarding(awsClients(), {
      record,
      application: input.application,
      executionName: input.executionName,
      suspendedOuId: env.APPVEND_SUSPENDED_OU_ID,
    });
  },
);
