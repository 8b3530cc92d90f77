import { RAMClient } from '@aws-sdk/client-ram';
import type { ClientFactory } from '../../aws/client-factory';
import { RAM_REGION, deleteConnectionShare } from '../../aws/connection-share';
import {
  moveToSuspendedOu,
  removeApplicationOu,
  removeApplicationPolicy,
} from '../../aws/organizations/offboarding';
import { connectionShareName, scpName } from '../../domain/naming';
import type { AccountSuspension, OffboardTarget, OuRemoval, PolicyRemoval, ShareRemoval } from './types';

/**
 * Detaches the application's SCP and deletes it (only if it carries the application's tag); then
 * deletes the AWS RAM share of the pipeline's connection, likewise only if it carries the tag (the
 * pipeline that used it went with the stack sets, the step before).
 */
export async function removeServiceControlPolicy(
  clients: ClientFactory,
  target: Pick<OffboardTarget, 'application' | 'serviceControlPolicyId'>,
): Promise<PolicyRemoval> {
  const connectionShare = await removeConnectionShare(clients, target.application);
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
    connectionShare,
  };
}

/** Deletes the application's connection share (found by name) if it carries the application's tag. */
export async function removeConnectionShare(
  clients: ClientFactory,
  application: string,
): Promise<ShareRemoval> {
  const name = connectionShareName(application);
  const removal = await deleteConnectionShare(clients.managementClient(RAMClient, { region: RAM_REGION }), {
    application,
    name,
  });
  if (removal.deleted) return { name, arn: removal.deleted, outcome: 'deleted' };
  if (removal.skipped)
    return { name, arn: removal.skipped.resourceShareArn, outcome: 'kept', reason: removal.skipped.reason };
  return { name, outcome: 'absent' };
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
