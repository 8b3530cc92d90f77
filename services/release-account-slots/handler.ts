import { stepHandler } from '../../shared/lambda/step-handler';
import { accountLine } from '../../shared/workflow/account-line';
import { AccountCreationEnv, LedgerEnv } from '../../shared/workflow/settings';
import { sweepAccountQueue } from '../../shared/workflow/steps/account-queue';

export const environment = {
  APPVEND_CREATE_ACCOUNT_CONCURRENCY: AccountCreationEnv.APPVEND_CREATE_ACCOUNT_CONCURRENCY,
  ...LedgerEnv,
};

/**
 * The CreateAccount line's sweep, on a schedule and on Organizations' CreateAccountResult events:
 * hands the slots freed by any request's end (appvend's or another tool's) to the first in line,
 * and keeps the waiting tokens alive. The event is only a trigger: the slots are counted from
 * ListCreateAccountStatus, never read from the event, so a forged or repeated event frees nothing.
 */
export const handler = stepHandler('release-account-slots', environment, (_event: unknown, env) =>
  sweepAccountQueue(accountLine(env)),
);
