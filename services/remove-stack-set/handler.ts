import { awsClients } from '../../shared/aws/client-factory';
import { stepHandler } from '../../shared/lambda/step-handler';
import { removeApplicationStackSet } from '../../shared/workflow/offboard/stack-sets';

export const environment = {};

export const handler = stepHandler(
  'remove-stack-set',
  environment,
  (input: { name: string; application: string }) => removeApplicationStackSet(awsClients(), input),
);
