import { awsClients } from '../../shared/aws/client-factory';
import { stepHandler } from '../../shared/lambda/step-handler';
import type { AccountCreation } from '../../shared/workflow/types';
import { checkAccount } from '../../shared/workflow/steps/account';

export const environment = {};

export const handler = stepHandler('check-account-creation', environment, (input: AccountCreation) =>
  checkAccount(awsClients(), input),
);
