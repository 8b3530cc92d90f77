import { awsClients } from '../../shared/aws/client-factory';
import { ledgerFor } from '../../shared/ledger';
import { stepHandler } from '../../shared/lambda/step-handler';
import { prepareOffboarding } from '../../shared/workflow/offboard/prepare';
import { SuspendedOuEnv } from '../../shared/workflow/offboard/settings';
import { LedgerEnv } from '../../shared/workflow/settings';

export const environment = { ...LedgerEnv, ...SuspendedOuEnv };

export const handler = stepHandler(
  'prepare-offboarding',
  environment,
  async (input: { application: string; executionName: string }, env) =>
    prepareOffboarding(awsClients(), {
      record: await ledgerFor(env.APPVEND_LEDGER_TABLE).get(input.application),
      application: input.application,
      executionName: input.executionName,
      suspendedOuId: env.APPVEND_SUSPENDED_OU_ID,
    }),
);
