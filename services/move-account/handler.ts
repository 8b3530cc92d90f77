import { awsClients } from '../../shared/aws/client-factory';
import { stepHandler } from '../../shared/lambda/step-handler';
import type { AccountCreation } from '../../shared/workflow/types';
import { moveAccount } from '../../shared/workflow/steps/account';

export const environment = {};

export const handler = stepHandler(
  'move-account',
  environment,
  (input: { creation: AccountCreation; ouId: string }) => moveAccount(awsClients(), input),
);
