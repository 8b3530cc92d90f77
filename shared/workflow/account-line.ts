import { awsClients } from '../aws/client-factory';
import { taskTokens } from '../aws/task-tokens';
import { ledgerFor } from '../ledger';
import type { AccountQueueDeps } from './steps/account-queue';

/** The CreateAccount line as the account steps' handlers reach it: the ledger, Organizations, tokens. */
export function accountLine(env: {
  APPVEND_LEDGER_TABLE: string;
  APPVEND_CREATE_ACCOUNT_CONCURRENCY: number;
}): AccountQueueDeps {
  const clients = awsClients();
  return {
    ledger: ledgerFor(env.APPVEND_LEDGER_TABLE),
    organizations: clients.organizations(),
    tokens: taskTokens(),
    now: () => clients.now(),
    concurrency: env.APPVEND_CREATE_ACCOUNT_CONCURRENCY,
  };
}
