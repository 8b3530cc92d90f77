import { awsClients } from '../../shared/aws/client-factory';
import { stepHandler } from '../../shared/lambda/step-handler';
import { suspendAccounts } from '../../shared/workflow/offboard/organization';
import type { OffboardTarget } from '../../shared/workflow/offboard/types';

export const environment = {};

export const handler = stepHandler('suspend-accounts', environment, (input: { target: OffboardTarget }) =>
  suspendAccounts(awsClients(), input.target),
);
