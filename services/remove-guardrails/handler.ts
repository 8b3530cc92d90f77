import { awsClients } from '../../shared/aws/client-factory';
import { stepHandler } from '../../shared/lambda/step-handler';
import { removeGuardrails } from '../../shared/workflow/offboard/guardrails';
import type { OffboardTarget } from '../../shared/workflow/offboard/types';

export const environment = {};

export const handler = stepHandler('remove-guardrails', environment, (input: { target: OffboardTarget }) =>
  removeGuardrails(awsClients(), input.target),
);
