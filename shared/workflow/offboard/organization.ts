import type { ClientFactory } from '../../aws/client-factory';
import {
  moveToSuspendedOu,
  removeApplicationOu,
  removeApplicationPolicy,
} from '../../aws/organizations/offboarding';
import { scpName } from '../../domain/naming';
import type { AccountSuspension, OffboardTarget, OuRemoval, PolicyRemoval } from './types';

/** Detaches the application's SCP and deletes it (only if it carries the application's tag). */
export async function removeServiceControlPolicy(
  clients: ClientFactory,
  target: Pick<OffboardTarget, 'application' | 'serviceControlPolicyId'>,
): Promise<PolicyRemoval> {
  const name = scpName(target.application);
  const removal = await removeApplicationPolicy(clients.organizations(), {
    name,
    application: target.application,
    ...(target.serviceControlPolicyId && { policyId: target.serviceControlPolicyId }),
  });
  return {
    name,
    ...(removal.id && { id: removal.id }),
    outcome: removal.outcome,
    ...(removal.outcome === 'kept' && { reason: removal.reason }),
    detachedFrom: removal.detachedFrom,
  };
}

/** Moves each of the application's accounts from its OU to the suspended OU, one after another. */
export async function suspendAccounts(
  clients: ClientFactory,
  target: Pick<OffboardTarget, 'accounts' | 'organizationalUnitId' | 'suspendedOuId'>,
): Promise<AccountSuspension[]> {
  const results: AccountSuspension[] = [];
  for (const account of target.accounts) {
    const suspension = await moveToSuspendedOu(clients.organizations(), {
      accountId: account.id,
      suspendedOuId: target.suspendedOuId,
      ...(target.organizationalUnitId && { applicationOuId: target.organizationalUnitId }),
    });
    results.push({
      ...account,
      outcome: suspension.outcome,
      ...(suspension.outcome === 'kept' && { reason: suspension.reason }),
    });
  }
  return results;
}

/** Deletes the application's OU if it is empty and carries the application's tag. */
export async function removeOrganizationalUnit(
  clients: ClientFactory,
  target: Pick<OffboardTarget, 'application' | 'organizationalUnitId'>,
): Promise<OuRemoval> {
  if (!target.organizationalUnitId) return { outcome: 'absent' };
  const removal = await removeApplicationOu(clients.organizations(), {
    ouId: target.organizationalUnitId,
    application: target.application,
  });
  return {
    id: target.organizationalUnitId,
    outcome: removal.outcome,
    ...(removal.outcome === 'kept' && { reason: removal.reason }),
  };
}
