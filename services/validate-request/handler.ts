import { identityCenterClients } from '../../shared/aws/identity-center';
import { stepHandler } from '../../shared/lambda/step-handler';
import { IdentityCenterEnv } from '../../shared/workflow/settings';
import { validateApplicationAndAccess, withRecordedIds } from '../../shared/workflow/steps/validate';

export const environment = { ...IdentityCenterEnv };

/**
 * Validates the request (throws InvalidRequestError naming each field), checks that the Identity
 * Center groups and permission sets it names exist (AccessNotFoundError), and lists its accounts,
 * each with the account an earlier vend recorded for its stage, if the execution input has one
 * (`state.recordedAccounts`: shared/workflow/resume.ts executionInput).
 */
export const handler = stepHandler(
  'validate-request',
  environment,
  async (input: { request: unknown; state?: { recordedAccounts?: Record<string, unknown> } }, env) => {
    const validated = await validateApplicationAndAccess(
      input.request,
      identityCenterClients,
      env.APPVEND_IDENTITY_CENTER_INSTANCE_ARN,
    );
    return { ...validated, accounts: withRecordedIds(validated.accounts, input.state?.recordedAccounts) };
  },
);
