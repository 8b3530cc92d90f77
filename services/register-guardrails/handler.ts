import { awsClients } from '../../shared/aws/client-factory';
import { stepHandler } from '../../shared/lambda/step-handler';
import type { ApplicationRequest } from '../../shared/request/schema';
import { GuardrailsEnv } from '../../shared/workflow/settings';
import { registerGuardrails } from '../../shared/workflow/steps/guardrails';
import type { VendedAccount } from '../../shared/workflow/types';

export const environment = { ...GuardrailsEnv };

export const handler = stepHandler(
  'register-guardrails',
  environment,
  (input: { request: ApplicationRequest; accounts: VendedAccount[] }, env) =>
    registerGuardrails(awsClients(), { ...input, deliveryBucket: env.APPVEND_CONFIG_BUCKET }),
);
