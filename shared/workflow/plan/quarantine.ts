import { paginateListTargetsForPolicy, type OrganizationsClient } from '@aws-sdk/client-organizations';
import { collect } from '../../aws/paginate';
import { findQuarantinePolicyId } from '../../aws/organizations/quarantine-policy';
import type { AccountPlan, QuarantinePlan } from './types';

/**
 * The release-quarantine step as a plan. A new account is quarantined and released within the
 * vend, so it ends as it would without; what the plan shows is an existing account of the
 * application that still carries the quarantine SCP (an earlier vend stopped before its last step),
 * which the vend takes it off. The policy is found as the vend finds it: by the id the root's tag
 * records, and searched for by name among all SCPs only when the root records none.
 */
export async function planQuarantineRelease(
  client: OrganizationsClient,
  accounts: AccountPlan[],
): Promise<QuarantinePlan[]> {
  const policyId = await findQuarantinePolicyId(client);
  if (policyId === undefined) return [];
  const targets = await collect(
    paginateListTargetsForPolicy({ client }, { PolicyId: policyId }),
    (page) => page.Targets,
  );
  const quarantined = new Set(targets.map((t) => t.TargetId));
  return accounts.flatMap((account): QuarantinePlan[] =>
    account.id && quarantined.has(account.id)
      ? [
          {
            kind: 'quarantine',
            step: 'ReleaseQuarantine',
            action: 'update',
            stage: account.stage,
            accountId: account.id,
            policyId,
          },
        ]
      : [],
  );
}
