import { awsClients } from '../../shared/aws/client-factory';
import type { AccountSpec } from '../../shared/domain/naming';
import { stepHandler } from '../../shared/lambda/step-handler';
import { accountLine } from '../../shared/workflow/account-line';
import { AccountCreationEnv, LedgerEnv, MemberAccessEnv } from '../../shared/workflow/settings';
import { startAccount } from '../../shared/workflow/steps/account';
import { waitForSlot } from '../../shared/workflow/steps/account-queue';
import type { AccountCreation } from '../../shared/workflow/types';

export const environment = { ...MemberAccessEnv, ...AccountCreationEnv, ...LedgerEnv };

/**
 * Step 4a, and the queued account's wait: with `wait.token` (the `.waitForTaskToken` task
 * WaitForAccountSlot), the account joins appvend's CreateAccount line with its execution's token
 * and returns at once; Step Functions holds the execution until a releaser sends the token.
 */
export const handler = stepHandler(
  'start-account-creation',
  environment,
  async (
    input: {
      account: AccountSpec;
      application: string;
      tags?: Record<string, string>;
      queued?: boolean;
      previous?: AccountCreation;
      wait?: { token: string };
    },
    env,
  ) => {
    const line = accountLine(env);
    if (input.wait) {
      return waitForSlot(line, {
        application: input.application,
        email: input.account.email,
        token: input.wait.token,
      });
    }
    return startAccount(awsClients(), {
      account: input.account,
      application: input.application,
      tags: input.tags,
      roleName: env.APPVEND_MEMBER_ROLE,
      concurrency: env.APPVEND_CREATE_ACCOUNT_CONCURRENCY,
      pageBudget: env.APPVEND_ACCOUNT_SEARCH_PAGES,
      queued: input.queued === true,
      ...(input.previous && { previous: input.previous }),
      line,
    });
  },
);
