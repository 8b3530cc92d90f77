import type { ClientFactory } from '../../aws/client-factory';
import { ensurePolicyDetached } from '../../aws/organizations/service-control-policy';
import { findQuarantinePolicyId } from '../../aws/organizations/quarantine-policy';
import { ensureTags, tagsOf } from '../../aws/organizations/organizational-unit';
import { notTaggedReason, taggedFor } from '../../aws/application-tag';
import { BASELINED_TAG } from '../../domain/quarantine';
import type { VendedAccount } from '../types';

export interface QuarantineRelease {
  /** The accounts the quarantine was taken off by this call (a retry finds none left). */
  released: string[];
  /** Accounts neither marked nor released, with why: they do not carry the application's tag. */
  kept: { id: string; reason: string }[];
}

/**
 * The last step before the summary: the baseline stacks and guardrails are in place, so every
 * account appvend created for the application is marked baselined (never to be quarantined again)
 * and the quarantine SCP comes off those that still carry it.
 *
 * Only accounts tagged `appvend:application=<application>` are touched. IAM lets this step tag and
 * detach on any account that carries appvend's tag key (the application's name is not known when
 * the service is deployed); the value is checked here, so that the step cannot mark or release
 * another application's account. An account without the tag was adopted, never quarantined.
 */
export async function releaseQuarantine(
  clients: ClientFactory,
  params: { accounts: VendedAccount[]; application: string },
): Promise<QuarantineRelease> {
  const client = clients.organizations();
  const policyId = await findQuarantinePolicyId(client);
  const released: string[] = [];
  const kept: QuarantineRelease['kept'] = [];
  for (const account of params.accounts) {
    if (!taggedFor(await tagsOf(client, account.id), params.application)) {
      kept.push({ id: account.id, reason: notTaggedReason(params.application) });
      continue;
    }
    // Marked first: an account marked but still quarantined (a crash in between) is released by
    // the next run, while one released but unmarked could be quarantined again later.
    await ensureTags(client, account.id, { [BASELINED_TAG]: 'true' });
    if (!policyId) continue;
    const { detached } = await ensurePolicyDetached(client, { policyId, targetId: account.id });
    if (detached) released.push(account.id);
  }
  return { released, kept };
}
