import { awsClients } from '../../shared/aws/client-factory';
import { stepHandler } from '../../shared/lambda/step-handler';
import { accountLine } from '../../shared/workflow/account-line';
import { AccountCreationEnv, LedgerEnv } from '../../shared/workflow/settings';
import type { AccountCreation } from '../../shared/workflow/types';
import { checkAccount } from '../../shared/workflow/steps/account';

export const environment = {
  APPVEND_CREATE_ACCOUNT_CONCURRENCY: AccountCreationEnv.APPVEND_CREATE_ACCOUNT_CONCURRENCY,
  ...LedgerEnv,
};

/** Step 4b: one look at the request; one that ended frees its slot for the first in line. */
export const handler = stepHandler('check-account-creation', environment, (input: AccountCreation, env) =>
  checkAccount(awsClients(), input, accountLine(env)),
);
