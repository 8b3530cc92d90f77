import { awsClients } from '../../shared/aws/client-factory';
import type { AccountSpec } from '../../shared/domain/naming';
import { stepHandler } from '../../shared/lambda/step-handler';
import { AccountCreationEnv, MemberAccessEnv } from '../../shared/workflow/settings';
import { startAccount } from '../../shared/workflow/steps/account';
import type { AccountCreation } from '../../shared/workflow/types';

export const environment = { ...MemberAccessEnv, ...AccountCreationEnv };

export const handler = stepHandler(
  'start-account-creation',
  environment,
  (
    input: {
      account: AccountSpec;
      application: string;
      tags?: Record<string, string>;
      queued?: boolean;
      previous?: AccountCreation;
    },
    env,
  ) =>
    startAccount(awsClients(), {
      account: input.account,
      application: input.application,
      tags: input.tags,
      roleName: env.APPVEND_MEMBER_ROLE,
      concurrency: env.APPVEND_CREATE_ACCOUNT_CONCURRENCY,
      pageBudget: env.APPVEND_ACCOUNT_SEARCH_PAGES,
      queued: input.queued === true,
      ...(input.previous && { previous: input.previous }),
    }),
);
