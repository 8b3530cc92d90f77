import { awsClients } from '../../shared/aws/client-factory';
import { stepHandler } from '../../shared/lambda/step-handler';
import { removeServiceControlPolicy } from '../../shared/workflow/offboard/organization';
import type { OffboardTarget } from '../../shared/workflow/offboard/types';

export const environment = {};

export const handler = stepHandler(
  'remove-service-control-policy',
  environment,
  (input: { target: OffboardTarget }) => removeServiceControlPolicy(awsClients(), input.target),
);
