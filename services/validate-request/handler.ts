import { identityCenterClients } from '../../shared/aws/identity-center';
import { stepHandler } from '../../shared/lambda/step-handler';
import { IdentityCenterEnv } from '../../shared/workflow/settings';
import { validateApplicationAndAccess } from '../../shared/workflow/steps/validate';

export const environment = { ...IdentityCenterEnv };

/**
 * Validates the request (throws InvalidRequestError naming each field), checks that the Identity
 * Center groups and permission sets it names exist (AccessNotFoundError), and lists its accounts.
 */
export const handler = stepHandler('validate-request', environment, (input: { request: unknown }, env) =>
  validateApplicationAndAccess(
    input.request,
    identityCenterClients,
    env.APPVEND_IDENTITY_CENTER_INSTANCE_ARN,
  ),
);
