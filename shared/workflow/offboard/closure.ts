import type { ClientFactory } from '../../aws/client-factory';
import {
  accountCreatedFor,
  closeAccount,
  isClosed,
  organizationAccounts,
} from '../../aws/organizations/offboarding';
import { checkClosureQuota, recentClosures } from '../../domain/closure-quota';
import type { Ledger } from '../../ledger/ledger';
import type { AccountClosure, AccountSuspension, OffboardTarget } from './types';

/**
 * Closes the application's accounts, once they are in the suspended OU: only those appvend created
 * for the application (an account adopted by email was someone's before, and stays open). The
 * closure quota is checked for all of them first, so either every one is closed or none is.
 */
export async function closeApplicationAccounts(
  clients: ClientFactory,
  params: {
    target: Pick<OffboardTarget, 'application'>;
    accounts: AccountSuspension[];
    share: number;
    ledger: Pick<Ledger, 'allOffboardings'>;
    now: Date;
  },
): Promise<AccountClosure> {
  const client = clients.organizations();
  const { application } = params.target;
  const { managementAccountId, accounts } = await organizationAccounts(client);
  const byId = new Map(accounts.map((a) => [a.Id, a]));

  const result: AccountClosure = {
    closed: [],
    alreadyClosed: [],
    kept: [],
    quota: { quota: 0, share: params.share, memberAccounts: 0, recentClosures: 0 },
  };
  const toClose: { stage: string; id: string }[] = [];
  for (const suspension of params.accounts) {
    const { stage, id } = suspension;
    const account = byId.get(id);
    if (suspension.outcome === 'kept' || !account) {
      result.kept.push({ stage, id, reason: 'not in the suspended OU: not closed' });
    } else if (!(await accountCreatedFor(client, id, application))) {
      result.kept.push({
        stage,
        id,
        reason: `not created by appvend for ${application} (adopted by its email): not closed`,
      });
    } else if (isClosed(account)) {
      result.alreadyClosed.push({ stage, id });
    } else {
      toClose.push({ stage, id });
    }
  }

  // The quota's base: the member accounts that are open (closed ones are on their way out).
  const memberAccounts = accounts.filter((a) => a.Id !== managementAccountId && !isClosed(a)).length;
  const recorded = (await params.ledger.allOffboardings()).flatMap(({ entry }) => entry.closedAccounts);
  const recent = recentClosures({
    recorded,
    closedInAws: accounts.filter(isClosed).map((a) => a.Id!),
    now: params.now,
  });
  const { quota } = checkClosureQuota({
    toClose: toClose.length,
    recent: recent.size,
    memberAccounts,
    share: params.share,
  });
  result.quota = { quota, share: params.share, memberAccounts, recentClosures: recent.size };

  for (const account of toClose) {
    // The account was open a moment ago: "already closed" now is our own call whose answer was lost
    // (the SDK re-sent it), so it is recorded as closed by this offboarding, for the quota's count.
    await closeAccount(client, account.id);
    result.closed.push({ ...account, closedAt: params.now.toISOString() });
  }
  return result;
}
