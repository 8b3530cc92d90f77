import { awsClients } from '../../shared/aws/client-factory';
import { count, METRIC } from '../../shared/lambda/metrics';
import { stepHandler } from '../../shared/lambda/step-handler';
import { MemberAccessEnv, QuarantineEnv, exemptExecutionRole } from '../../shared/workflow/settings';
import type { AccountCreation } from '../../shared/workflow/types';
import { moveAccount } from '../../shared/workflow/steps/account';

export const environment = { ...MemberAccessEnv, ...QuarantineEnv };

export const handler = stepHandler(
  'move-account',
  environment,
  async (input: { creation: AccountCreation; ouId: string; application: string }, env) => {
    const placed = await moveAccount(awsClients(), {
      ...input,
      memberRoleName: env.APPVEND_MEMBER_ROLE,
      executionRoleName: exemptExecutionRole(env),
    });
    // Found by its address (no CreateAccount request of this vend) and moved into the OU now.
    if (placed.moved && input.creation.requestId === undefined) count(METRIC.accountsAdopted);
    return placed;
  },
);
