import {
  CreateOrganizationalUnitCommand,
  DescribeOrganizationalUnitCommand,
  ListParentsCommand,
  ListRootsCommand,
  ListTagsForResourceCommand,
  TagResourceCommand,
  paginateListOrganizationalUnitsForParent,
  type OrganizationalUnit,
  type OrganizationsClient,
  type Tag,
} from '@aws-sdk/client-organizations';
import { OrganizationSetupError } from '../../errors';
import { findInPages, isAwsError } from '../paginate';
import { toAwsTags } from '../tags';

export interface OrganizationalUnitRef {
  id: string;
  name: string;
  /** False when the OU was already there. */
  created: boolean;
}

/** The organization's root id, which is the default parent of application OUs. */
export async function findRootId(client: OrganizationsClient): Promise<string> {
  const { Roots } = await client.send(new ListRootsCommand({}));
  const root = Roots?.[0];
  if (!root?.Id)
    throw new OrganizationSetupError('The organization has no root; is AWS Organizations enabled?');
  const scp = root.PolicyTypes?.find((p) => p.Type === 'SERVICE_CONTROL_POLICY');
  if (scp?.Status !== 'ENABLED') {
    throw new OrganizationSetupError('Service control policies are not enabled in this organization', {
      rootId: root.Id,
    });
  }
  return root.Id;
}

/** The OU with this name under the parent, if any (a read only: the plan looks it up the same way). */
export async function findOrganizationalUnit(
  client: OrganizationsClient,
  parentId: string,
  name: string,
): Promise<OrganizationalUnit | undefined> {
  return findInPages(
    paginateListOrganizationalUnitsForParent({ client }, { ParentId: parentId }),
    (page) => page.OrganizationalUnits,
    (ou) => ou.Name === name,
  );
}

/**
 * Creates the OU under its parent, or finds it there by name when AWS says it exists; then makes
 * sure it carries the tags. Created first, not looked for first: the parent of every application's
 * OU holds them all, 20 a page (ListOrganizationalUnitsForParent), so looking first would cost
 * every new application a read that grows with the number of applications. A name that is taken
 * (DuplicateOrganizationalUnitException: a vend again, a create whose answer was lost, a
 * concurrent create) is looked for by name; safe to run twice either way. An earlier vend's OU is
 * looked at by the id it recorded (`recordedId`) before anything is created, and used only when it
 * has the name and sits under the parent.
 */
export async function ensureOrganizationalUnit(
  client: OrganizationsClient,
  params: { parentId: string; name: string; tags?: Record<string, string>; recordedId?: string },
): Promise<OrganizationalUnitRef> {
  const tags = toAwsTags(params.tags);
  if (params.recordedId !== undefined && (await isTheOu(client, params.recordedId, params))) {
    await ensureTags(client, params.recordedId, params.tags);
    return { id: params.recordedId, name: params.name, created: false };
  }
  try {
    const { OrganizationalUnit: ou } = await client.send(
      new CreateOrganizationalUnitCommand({ ParentId: params.parentId, Name: params.name, Tags: tags }),
    );
    if (!ou?.Id) throw new Error(`CreateOrganizationalUnit for ${params.name} returned no id`);
    return { id: ou.Id, name: params.name, created: true };
  } catch (error) {
    if (!isAwsError(error, 'DuplicateOrganizationalUnitException')) throw error;
    const existing = await findOrganizationalUnit(client, params.parentId, params.name);
    if (!existing?.Id) throw error;
    await ensureTags(client, existing.Id, params.tags);
    return { id: existing.Id, name: params.name, created: false };
  }
}

/** Whether the OU of this id exists with this name under this parent (reads only). */
export async function isTheOu(
  client: OrganizationsClient,
  id: string,
  wanted: { parentId: string; name: string },
): Promise<boolean> {
  try {
    const { OrganizationalUnit: ou } = await client.send(
      new DescribeOrganizationalUnitCommand({ OrganizationalUnitId: id }),
    );
    if (ou?.Name !== wanted.name) return false;
    const { Parents } = await client.send(new ListParentsCommand({ ChildId: id }));
    return Parents?.[0]?.Id === wanted.parentId;
  } catch (error) {
    if (isAwsError(error, 'OrganizationalUnitNotFoundException')) return false;
    throw error;
  }
}

/** The tags of an Organizations resource (root, OU, account, policy). */
export async function tagsOf(client: OrganizationsClient, resourceId: string): Promise<Tag[] | undefined> {
  const { Tags } = await client.send(new ListTagsForResourceCommand({ ResourceId: resourceId }));
  return Tags;
}

/** Adds missing or changed tags; leaves other tags alone (someone else may own them). */
export async function ensureTags(
  client: OrganizationsClient,
  resourceId: string,
  wanted: Record<string, string> | undefined,
): Promise<void> {
  const entries = Object.entries(wanted ?? {});
  if (entries.length === 0) return;
  const current = new Map(((await tagsOf(client, resourceId)) ?? []).map((t) => [t.Key, t.Value]));
  const missing = entries.filter(([key, value]) => current.get(key) !== value);
  if (missing.length === 0) return;
  await client.send(
    new TagResourceCommand({ ResourceId: resourceId, Tags: missing.map(([Key, Value]) => ({ Key, Value })) }),
  );
}
