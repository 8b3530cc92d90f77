import { awsClients } from '../../shared/aws/client-factory';
import { count, METRIC } from '../../shared/lambda/metrics';
import { stepHandler } from '../../shared/lambda/step-handler';
import type { AccountCreation } from '../../shared/workflow/types';
import { checkAccount } from '../../shared/workflow/steps/account';

export const environment = {};

export const handler = stepHandler('check-account-creation', environment, async (input: AccountCreation) => {
  const creation = await checkAccount(awsClients(), input);
  // The CreateAccount request this vend sent has completed: a new account.
  if (input.state === 'IN_PROGRESS' && creation.state === 'SUCCEEDED') count(METRIC.accountsCreated);
  return creation;
});
