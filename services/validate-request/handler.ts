import { identityCenterClients } from '../../shared/aws/identity-center';
import { stepHandler } from '../../shared/lambda/step-handler';
import { IdentityCenterEnv } from '../../shared/workflow/settings';
import { validateApplicationAndAccess, withRecorded } from '../../shared/workflow/steps/validate';

export const environment = { ...IdentityCenterEnv };

/**
 * Validates the request (throws InvalidRequestError naming each field), checks that the Identity
 * Center groups and permission sets it names exist (AccessNotFoundError), and lists its accounts,
 * with what an earlier vend recorded, if the execution input has it (`state.recorded`:
 * shared/workflow/resume.ts executionInput): each account's id, and the OU's.
 */
export const handler = stepHandler(
  'validate-request',
  environment,
  async (input: { request: unknown; state?: { recorded?: Record<string, unknown> } }, env) => {
    const validated = await validateApplicationAndAccess(
      input.request,
      identityCenterClients,
      env.APPVEND_IDENTITY_CENTER_INSTANCE_ARN,
    );
    return withRecorded(validated, input.state?.recorded);
  },
);
