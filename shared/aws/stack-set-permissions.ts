import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import type { ClientFactory } from './client-factory';

/** How the vend's stack sets get their permissions (`APPVEND_STACKSETS_MODE`). */
export type StackSetsMode = 'SELF_MANAGED' | 'SERVICE_MANAGED';

/** Who a service-managed call acts as: the management account, or the StackSets delegated administrator. */
export type CallAs = 'SELF' | 'DELEGATED_ADMIN';

const callers = new WeakMap<ClientFactory, Promise<string>>();

/** The account the factory's own credentials belong to, as STS says (asked once per factory). */
function callerAccount(clients: ClientFactory): Promise<string> {
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
 * CallAs for the stack sets' calls: none with self-managed permissions; with service-managed ones,
 * SELF when the service runs in the management account and DELEGATED_ADMIN anywhere else (AWS
 * then accepts it only from the registered StackSets delegated administrator). Which account the
 * service runs in comes from STS, not from any setting or input.
 */
export async function stackSetsCallAs(
  clients: ClientFactory,
  settings: { mode: StackSetsMode; managementAccountId?: string },
): Promise<CallAs | undefined> {
  if (settings.mode === 'SELF_MANAGED') return undefined;
  if (!settings.managementAccountId) {
    throw new Error('APPVEND_MANAGEMENT_ACCOUNT_ID is required with APPVEND_STACKSETS_MODE=SERVICE_MANAGED');
  }
  return (await callerAccount(clients)) === settings.managementAccountId ? 'SELF' : 'DELEGATED_ADMIN';
}
