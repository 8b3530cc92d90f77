import { awsClients, awsNow } from '../../shared/aws/client-factory';
import type { AccountSpec } from '../../shared/domain/naming';
import { count, METRIC, seconds } from '../../shared/lambda/metrics';
import { stepHandler } from '../../shared/lambda/step-handler';
import { accountLine } from '../../shared/workflow/account-line';
import { AccountCreationEnv, LedgerEnv, MemberAccessEnv } from '../../shared/workflow/settings';
import { startAccount } from '../../shared/workflow/steps/account';
import { waitForSlot } from '../../shared/workflow/steps/account-queue';
import type { AccountCreation } from '../../shared/workflow/types';

export const environment = { ...MemberAccessEnv, ...AccountCreationEnv, ...LedgerEnv };

/** An account's creation, with when it was first queued behind the quota (ms), while it waits. */
type Queued = AccountCreation & { queuedAt?: number };

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
      previous?: Queued;
      wait?: { token: string };
      /** `$$.Execution.Id`: a later attempt of the same execution keeps its CreateAccount slot. */
      execution?: string;
      /** The application's OU, from the vend's own step: where an earlier vend's account is. */
      ouId?: string;
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
    const creation = await startAccount(awsClients(), {
      account: input.account,
      application: input.application,
      tags: input.tags,
      roleName: env.APPVEND_MEMBER_ROLE,
      concurrency: env.APPVEND_CREATE_ACCOUNT_CONCURRENCY,
      pageBudget: env.APPVEND_ACCOUNT_SEARCH_PAGES,
      queued: input.queued === true,
      ...(input.previous && { previous: input.previous }),
      ...(input.execution !== undefined && { execution: input.execution }),
      ...(input.ouId !== undefined && { ouId: input.ouId }),
      line,
    });
    // The time in the CreateAccount queue: carried in the state from the first QUEUED answer
    // (the wait for a slot leaves it there, and the state machine hands it back as `previous`)
    // to the answer that sends the request.
    const queuedAt = input.previous?.queuedAt;
    if (creation.state === 'QUEUED') {
      if (queuedAt === undefined) count(METRIC.createAccountQueued);
      return { ...creation, queuedAt: queuedAt ?? awsNow() };
    }
    if (queuedAt !== undefined) seconds(METRIC.createAccountQueueTime, (awsNow() - queuedAt) / 1000);
    return creation;
  },
);
