import { awsClients } from '../../shared/aws/client-factory';
import { previousAnswer } from '../../shared/lambda/correlation';
import { count, METRIC } from '../../shared/lambda/metrics';
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
export const handler = stepHandler(
  'check-account-creation',
  environment,
  async (payload: { previous: AccountCreation; correlation: unknown } | AccountCreation, env) => {
    const input = previousAnswer(payload);
    const creation = await checkAccount(awsClients(), input, accountLine(env));
    // The CreateAccount request this vend sent has completed: a new account.
    if (input.state === 'IN_PROGRESS' && creation.state === 'SUCCEEDED') count(METRIC.accountsCreated);
    return creation;
  },
);
