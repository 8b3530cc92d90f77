import type { ClientFactory } from '../../aws/client-factory';
import {
  ensurePolicyDetached,
  findServiceControlPolicy,
} from '../../aws/organizations/service-control-policy';
import { QUARANTINE_POLICY_NAME } from '../../domain/quarantine';
import type { VendedAccount } from '../types';

export interface QuarantineRelease {
  /** The accounts the quarantine was taken off by this call (a retry finds none left). */
  released: string[];
}

/**
 * The last step before the summary: the baseline stacks and guardrails are in place, so the
 * quarantine SCP comes off every account of the application that still carries it.
 */
export async function releaseQuarantine(
  clients: ClientFactory,
  params: { accounts: VendedAccount[] },
): Promise<QuarantineRelease> {
  const client = clients.organizations();
  const policy = await findServiceControlPolicy(client, QUARANTINE_POLICY_NAME);
  if (!policy?.Id) return { released: [] };
  const released: string[] = [];
  for (const account of params.accounts) {
    const { detached } = await ensurePolicyDetached(client, { policyId: policy.Id, targetId: account.id });
    if (detached) released.push(account.id);
  }
  return { released };
}
