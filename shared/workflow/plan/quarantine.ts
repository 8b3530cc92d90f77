import { paginateListTargetsForPolicy, type OrganizationsClient } from '@aws-sdk/client-organizations';
import { collect } from '../../aws/paginate';
import { findServiceControlPolicy } from '../../aws/organizations/service-control-policy';
import { QUARANTINE_POLICY_NAME } from '../../domain/quarantine';
import type { AccountPlan, QuarantinePlan } from './types';

/**
 * The release-quarantine step as a plan. A new account is quarantined and released within the
 * vend, so it ends as it would without; what the plan shows is an existing account of the
 * application that still carries the quarantine SCP (an earlier vend stopped before its last step),
 * which the vend takes it off.
 */
export async function planQuarantineRelease(
  client: OrganizationsClient,
  accounts: AccountPlan[],
): Promise<QuarantinePlan[]> {
  const policy = await findServiceControlPolicy(client, QUARANTINE_POLICY_NAME);
  if (!policy?.Id) return [];
  const policyId = policy.Id;
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
