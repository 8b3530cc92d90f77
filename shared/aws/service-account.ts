import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import type { ClientFactory } from './client-factory';

const callers = new WeakMap<ClientFactory, Promise<string>>();

/** The account the factory's own credentials belong to, as STS says (asked once per factory). */
export function callerAccount(clients: ClientFactory): Promise<string> {
  let account = callers.get(clients);
  if (!account) {
    account = clients
      .sts()
      .send(new GetCallerIdentityCommand({}))
      .then(({ Account }) => {
        if (!Account) throw new Error('GetCallerIdentity returned no account');
        return Account;
      });
    // A failed look is not kept: the next call asks again.
    account.catch(() => callers.delete(clients));
    callers.set(clients, account);
  }
  return account;
}

/**
 * The account appvend's own calls (CloudFormation, RAM, DynamoDB…) are made in. Without a
 * management role, the process's credentials make the Organizations calls too, so they are the
 * management account's; with one (`APPVEND_MANAGEMENT_ROLE_ARN`), the process may run in a platform
 * account, and which one is what STS says, not a setting.
 */
export async function serviceAccount(clients: ClientFactory, managementAccountId: string): Promise<string> {
  return clients.managementRoleArn ? callerAccount(clients) : managementAccountId;
}
