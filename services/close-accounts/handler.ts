import { awsClients } from '../../shared/aws/client-factory';
import { ledgerFor } from '../../shared/ledger';
import { count, METRIC } from '../../shared/lambda/metrics';
import { stepHandler } from '../../shared/lambda/step-handler';
import { closeApplicationAccounts } from '../../shared/workflow/offboard/closure';
import { ClosureEnv } from '../../shared/workflow/offboard/settings';
import type { AccountSuspension, OffboardTarget } from '../../shared/workflow/offboard/types';
import { LedgerEnv } from '../../shared/workflow/settings';

export const environment = { ...LedgerEnv, ...ClosureEnv };

export const handler = stepHandler(
  'close-accounts',
  environment,
  async (input: { target: OffboardTarget; accounts: AccountSuspension[] }, env) => {
    const result = await closeApplicationAccounts(awsClients(), {
      target: input.target,
      accounts: input.accounts,
      share: env.APPVEND_CLOSURE_SHARE,
      ledger: ledgerFor(env.APPVEND_LEDGER_TABLE),
      now: new Date(),
    });
    count(METRIC.accountsClosed, result.closed.length);
    return result;
  },
);
