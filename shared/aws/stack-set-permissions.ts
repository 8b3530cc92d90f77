import type { ClientFactory } from './client-factory';
import { callerAccount } from './service-account';

/** How the vend's stack sets get their permissions (`APPVEND_STACKSETS_MODE`). */
export type StackSetsMode = 'SELF_MANAGED' | 'SERVICE_MANAGED';

/** Who a service-managed call acts as: the management account, or the StackSets delegated administrator. */
export type CallAs = 'SELF' | 'DELEGATED_ADMIN';

/**
 * CallAs for the stack sets' calls: none with self-managed permissions; with service-managed ones,
 * SELF when the service runs in the management account and DELEGATED_ADMIN anywhere else (AWS
 * then accepts it only from the registered StackSets delegated administrator). Which account the
 * service runs in is the account of the role it runs as (ClientFactory.identity), not any input.
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
