import { TagResourceCommand, type OrganizationsClient } from '@aws-sdk/client-organizations';
import { NAME_PREFIX } from '../../domain/naming';
import {
  QUARANTINE_POLICY_DESCRIPTION,
  QUARANTINE_POLICY_NAME,
  QUARANTINE_POLICY_ROOT_TAG,
  renderQuarantinePolicy,
} from '../../domain/quarantine';
import { DEFAULT_SCP_SIZE_QUOTA } from '../../domain/scp';
import { APPLICATION_TAG } from '../application-tag';
import { findRootId, tagsOf } from './organizational-unit';
import {
  ensureServiceControlPolicy,
  locateServiceControlPolicy,
  type PolicyRef,
} from './service-control-policy';

/** The root's id and the quarantine policy id its tag records, if any. */
async function recorded(client: OrganizationsClient): Promise<{ rootId: string; id?: string }> {
  const rootId = await findRootId(client);
  const id = (await tagsOf(client, rootId))?.find((tag) => tag.Key === QUARANTINE_POLICY_ROOT_TAG)?.Value;
  return id === undefined ? { rootId } : { rootId, id };
}

/**
 * Makes sure the quarantine SCP exists with the document for these exempt roles, and that the
 * root records its id (written only when it records another, or none).
 */
export async function ensureQuarantinePolicy(
  client: OrganizationsClient,
  exemptRoles: readonly string[],
): Promise<PolicyRef> {
  const { rootId, id } = await recorded(client);
  const policy = await ensureServiceControlPolicy(client, {
    name: QUARANTINE_POLICY_NAME,
    description: QUARANTINE_POLICY_DESCRIPTION,
    content: renderQuarantinePolicy(exemptRoles),
    sizeQuota: DEFAULT_SCP_SIZE_QUOTA,
    // The application tag (with the reserved name "appvend") lets the vending roles attach it.
    tags: { [APPLICATION_TAG]: NAME_PREFIX, 'appvend:purpose': 'quarantine' },
    ...(id !== undefined && { where: { id } }),
  });
  if (policy.id !== id) {
    await client.send(
      new TagResourceCommand({
        ResourceId: rootId,
        Tags: [{ Key: QUARANTINE_POLICY_ROOT_TAG, Value: policy.id }],
      }),
    );
  }
  return policy;
}

/** The quarantine SCP's id, if it exists: where the root says, else searched for by name. */
export async function findQuarantinePolicyId(client: OrganizationsClient): Promise<string | undefined> {
  const { id } = await recorded(client);
  return locateServiceControlPolicy(client, QUARANTINE_POLICY_NAME, id === undefined ? {} : { id });
}
