import {
  AttachPolicyCommand,
  CreatePolicyCommand,
  DescribePolicyCommand,
  DetachPolicyCommand,
  UpdatePolicyCommand,
  paginateListPolicies,
  paginateListPoliciesForTarget,
  type OrganizationsClient,
  type PolicySummary,
} from '@aws-sdk/client-organizations';
import { policySize } from '../../domain/scp';
import { QuotaExceededError } from '../../errors';
import { collect, findInPages, isAwsError } from '../paginate';
import { toAwsTags } from '../tags';

const SCP = 'SERVICE_CONTROL_POLICY';

export interface PolicyRef {
  id: string;
  name: string;
  action: 'created' | 'updated' | 'unchanged';
}

/** The SCP with this name, if any (names are unique per organization). */
export async function findServiceControlPolicy(
  client: OrganizationsClient,
  name: string,
): Promise<PolicySummary | undefined> {
  return findInPages(
    paginateListPolicies({ client }, { Filter: SCP }),
    (page) => page.Policies,
    (policy) => policy.Name === name,
  );
}

/** Compares policy documents by meaning, not by whitespace. */
function sameDocument(a: string | undefined, b: string): boolean {
  if (a === undefined) return false;
  try {
    return JSON.stringify(JSON.parse(a)) === JSON.stringify(JSON.parse(b));
  } catch {
    return a === b;
  }
}

/**
 * Where a policy is known to be, before any search: an id recorded for it (trusted only when
 * DescribePolicy shows the policy's name, which is unique in the organization), or a target it is
 * attached to (at most five SCPs there).
 */
export interface PolicyWhereabouts {
  id?: string;
  attachedTo?: string;
}

/**
 * The policy named `name` at its known whereabouts, if it is there: its id, and its document when
 * the look read it (DescribePolicy of a recorded id), so that comparing it costs no second read.
 */
async function knownPolicy(
  client: OrganizationsClient,
  name: string,
  where: PolicyWhereabouts,
): Promise<{ id: string; content?: string } | undefined> {
  if (where.id !== undefined) {
    try {
      const { Policy } = await client.send(new DescribePolicyCommand({ PolicyId: where.id }));
      if (Policy?.PolicySummary?.Name === name) {
        return { id: where.id, ...(Policy.Content !== undefined && { content: Policy.Content }) };
      }
    } catch (error) {
      if (!isAwsError(error, 'PolicyNotFoundException')) throw error;
    }
  }
  if (where.attachedTo !== undefined) {
    const id = (await scpsAttachedTo(client, where.attachedTo)).find((policy) => policy.Name === name)?.Id;
    return id === undefined ? undefined : { id };
  }
  return undefined;
}

/**
 * Creates the SCP, or updates it when its content differs. The size is checked against the quota
 * first, so an over-long policy fails with a clear error and nothing is changed in AWS.
 *
 * Found without reading every policy of the organization (ListPolicies, 20 a page: a cost that
 * grows with the number of applications): first where it is known to be (`where`), then by
 * creating it, which AWS refuses with DuplicatePolicyException when the name is taken; only then
 * are the organization's policies searched for it by name.
 */
export async function ensureServiceControlPolicy(
  client: OrganizationsClient,
  params: {
    name: string;
    description: string;
    content: string;
    sizeQuota: number;
    tags?: Record<string, string>;
    where?: PolicyWhereabouts;
  },
): Promise<PolicyRef> {
  const size = policySize(params.content);
  if (size > params.sizeQuota) {
    throw new QuotaExceededError(
      `SCP ${params.name} is ${size} characters; the organization's quota is ${params.sizeQuota}`,
      { size, quota: params.sizeQuota },
    );
  }
  const known = params.where && (await knownPolicy(client, params.name, params.where));
  if (known) return updateIfChanged(client, known.id, params, known.content);
  try {
    const { Policy } = await client.send(
      new CreatePolicyCommand({
        Name: params.name,
        Description: params.description,
        Type: SCP,
        Content: params.content,
        Tags: toAwsTags(params.tags),
      }),
    );
    const id = Policy?.PolicySummary?.Id;
    if (!id) throw new Error(`CreatePolicy for ${params.name} returned no id`);
    return { id, name: params.name, action: 'created' };
  } catch (error) {
    if (!isAwsError(error, 'DuplicatePolicyException')) throw error;
    const existing = await findServiceControlPolicy(client, params.name);
    if (!existing?.Id) throw error;
    return updateIfChanged(client, existing.Id, params);
  }
}

/** The policy named `name`: at its known whereabouts if it is there, else searched for by name. */
export async function locateServiceControlPolicy(
  client: OrganizationsClient,
  name: string,
  where: PolicyWhereabouts,
): Promise<string | undefined> {
  return (await knownPolicy(client, name, where))?.id ?? (await findServiceControlPolicy(client, name))?.Id;
}

/** The SCPs attached to a target (root, OU or account): what attaching and detaching look at first. */
export async function scpsAttachedTo(
  client: OrganizationsClient,
  targetId: string,
): Promise<PolicySummary[]> {
  return collect(
    paginateListPoliciesForTarget({ client }, { TargetId: targetId, Filter: SCP }),
    (page) => page.Policies,
  );
}

/** The policy's document, as AWS holds it. */
export async function policyContent(
  client: OrganizationsClient,
  policyId: string,
): Promise<string | undefined> {
  const { Policy } = await client.send(new DescribePolicyCommand({ PolicyId: policyId }));
  return Policy?.Content;
}

/** Updates the policy unless its document (`current`, or read now) already means the wanted one. */
async function updateIfChanged(
  client: OrganizationsClient,
  id: string,
  params: { name: string; description: string; content: string },
  current?: string,
): Promise<PolicyRef> {
  if (sameDocument(current ?? (await policyContent(client, id)), params.content))
    return { id, name: params.name, action: 'unchanged' };
  await client.send(
    new UpdatePolicyCommand({ PolicyId: id, Content: params.content, Description: params.description }),
  );
  return { id, name: params.name, action: 'updated' };
}

/**
 * Attaches the policy to the target unless it already is. Checks the attachment quota first:
 * AWS would refuse with a ConstraintViolationException; this says which quota and what is attached.
 */
export async function ensurePolicyAttached(
  client: OrganizationsClient,
  params: { policyId: string; targetId: string; attachmentQuota: number },
): Promise<{ attached: boolean }> {
  const attached = await scpsAttachedTo(client, params.targetId);
  if (attached.some((p) => p.Id === params.policyId)) return { attached: false };
  if (attached.length >= params.attachmentQuota) {
    throw new QuotaExceededError(
      `${params.targetId} already has ${attached.length} SCPs attached (quota ${params.attachmentQuota}): ` +
        attached.map((p) => p.Name).join(', '),
      { targetId: params.targetId, attached: attached.map((p) => p.Name) },
    );
  }
  try {
    await client.send(new AttachPolicyCommand({ PolicyId: params.policyId, TargetId: params.targetId }));
    return { attached: true };
  } catch (error) {
    // A retry of an attach whose answer was lost: the attachment is there, which is what we want.
    if (isAwsError(error, 'DuplicatePolicyAttachmentException')) return { attached: false };
    throw error;
  }
}

/** Detaches the policy from the target if it is attached; a lost answer's retry is not an error. */
export async function ensurePolicyDetached(
  client: OrganizationsClient,
  params: { policyId: string; targetId: string },
): Promise<{ detached: boolean }> {
  const attached = await scpsAttachedTo(client, params.targetId);
  if (!attached.some((p) => p.Id === params.policyId)) return { detached: false };
  try {
    await client.send(new DetachPolicyCommand({ PolicyId: params.policyId, TargetId: params.targetId }));
    return { detached: true };
  } catch (error) {
    if (isAwsError(error, 'PolicyNotAttachedException')) return { detached: false };
    throw error;
  }
}
