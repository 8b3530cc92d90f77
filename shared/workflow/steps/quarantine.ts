import type { ClientFactory } from '../../aws/client-factory';
import {
  ensurePolicyDetached,
  findServiceControlPolicy,
} from '../../aws/organizations/service-control-policy';
import { ensureTags } from '../../aws/organizations/organizational-unit';
import { BASELINED_TAG, QUARANTINE_POLICY_NAME } from '../../domain/quarantine';
import type { VendedAccount } from '../types';

export interface QuarantineRelease {
  /** The accounts the quarantine was taken off by this call (a retry finds none left). */
  released: string[];
}

/**
 * The last step before the summary: the baseline stacks and guardrails are in place, so every
 * account of the application is marked baselined (never to be quarantined again) and the
 * quarantine SCP comes off those that still carry it.
 */
export async function releaseQuarantine(
  clients: ClientFactory,
  params: { accounts: VendedAccount[] },
): Promise<QuarantineRelease> {
  const client = clients.organizations();
  const policy = await findServiceControlPolicy(client, QUARANTINE_POLICY_NAME);
  const released: string[] = [];
  for (const account of params.accounts) {
    // Marked first: an account marked but still quarantined (a crash in between) is released by
    // the next run, while one released but unmarked could be quarantined again later.
    await ensureTags(client, account.id, { [BASELINED_TAG]: 'true' });
    if (!policy?.Id) continue;
    const { detached } = await ensurePolicyDetached(client, { policyId: policy.Id, targetId: account.id });
    if (detached) released.push(account.id);
  }
  return { released };
}
