import { awsClients } from '../../shared/aws/client-factory';
import { stepHandler } from '../../shared/lambda/step-handler';
import { MemberAccessEnv, QuarantineEnv } from '../../shared/workflow/settings';
import type { AccountCreation } from '../../shared/workflow/types';
import { moveAccount } from '../../shared/workflow/steps/account';

export const environment = { ...MemberAccessEnv, ...QuarantineEnv };

export const handler = stepHandler(
  'move-account',
  environment,
  (input: { creation: AccountCreation; ouId: string; application: string }, env) =>
    moveAccount(awsClients(), {
      ...input,
      memberRoleName: env.APPVEND_MEMBER_ROLE,
      executionRoleName: env.APPVEND_STACKSET_EXECUTION_ROLE_NAME,
    }),
);
