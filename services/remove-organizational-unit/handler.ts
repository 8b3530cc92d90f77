import { awsClients } from '../../shared/aws/client-factory';
import { stepHandler } from '../../shared/lambda/step-handler';
import { removeOrganizationalUnit } from '../../shared/workflow/offboard/organization';
import type { OffboardTarget } from '../../shared/workflow/offboard/types';

export const environment = {};

export const handler = stepHandler(
  'remove-organizational-unit',
  environment,
  (input: { target: OffboardTarget }) => removeOrganizationalUnit(awsClients(), input.target),
);
