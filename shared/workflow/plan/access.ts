import { AccountClient } from '@aws-sdk/client-account';
import { IdentitystoreClient } from '@aws-sdk/client-identitystore';
import { SSOAdminClient } from '@aws-sdk/client-sso-admin';
import { getContact } from '../../aws/alternate-contacts';
import type { ClientFactory } from '../../aws/client-factory';
import {
  AccessNotFoundError,
  IdentityCenterSetupError,
  hasAssignment,
  resolveGroups,
  resolveIdentities,
  resolvePermissionSets,
} from '../../aws/identity-center';
import { isAwsError } from '../../aws/paginate';
import {
  desiredContacts,
  desiredGrants,
  droppedContacts,
  droppedGrants,
  namedIdentities,
  type DesiredContact,
  type MadeAccess,
} from '../../domain/access';
import type { ApplicationRequest } from '../../request/schema';
import type { AccessAssignmentPlan, AccountPlan, AlternateContactPlan, PlanBlocker } from './types';

/**
 * The access branch as a plan: each assignment the request asks for (create, or keep when the
 * group already holds the permission set there) and each alternate contact (create, update when it
 * differs, keep), and what appvend made for an earlier request of the application (`made`, the
 * ledger's record) that this one no longer asks for (remove, when it is still there). A group or
 * permission set that does not exist is a blocker at ValidateRequest, as the vend refuses it
 * there. Only reads: ListInstances, ListPermissionSets,
 * DescribePermissionSet, GetGroupId, ListAccountAssignments, GetAlternateContact.
 */
export async function planAccess(
  clients: ClientFactory,
  request: ApplicationRequest,
  accounts: readonly AccountPlan[],
  instanceArn?: string,
  made?: MadeAccess,
): Promise<{
  steps: (AccessAssignmentPlan | AlternateContactPlan)[];
  blockers: PlanBlocker[];
  notes: string[];
}> {
  const steps: (AccessAssignmentPlan | AlternateContactPlan)[] = [];
  const accountOf = (stage: string) => accounts.find((a) => a.stage === stage)?.id;
  const grants = desiredGrants(request);
  const dropped = droppedGrants(made, request, accountOf);
  if (grants.length > 0 || dropped.length > 0) {
    const sso = clients.managementClient(SSOAdminClient);
    let ids;
    try {
      ids = await resolveIdentities(
        { sso, store: clients.managementClient(IdentitystoreClient) },
        namedIdentities(request),
        instanceArn,
      );
    } catch (error) {
      if (error instanceof AccessNotFoundError || error instanceof IdentityCenterSetupError) {
        return { steps: [], blockers: [{ step: 'ValidateRequest', message: error.message }], notes: [] };
      }
      if (isAwsError(error, 'AccessDeniedException')) {
        return {
          steps: [],
          blockers: [],
          notes: [`Identity Center access not checked: ${(error as Error).message}`],
        };
      }
      throw error;
    }
    for (const grant of grants) {
      const accountId = accountOf(grant.stage);
      const present =
        accountId !== undefined &&
        (await hasAssignment(sso, ids.instanceArn, {
          accountId,
          permissionSetArn: ids.permissionSets[grant.permissionSet]!,
          groupId: ids.groups[grant.group]!,
        }));
      steps.push({
        kind: 'account-assignment',
        step: 'DeployStackSets',
        action: present ? 'keep' : 'create',
        group: grant.group,
        permissionSet: grant.permissionSet,
        stage: grant.stage,
        ...(accountId && { accountId }),
      });
    }
    // The groups and permission sets only the dropped grants name: one Identity Center no longer
    // has leaves nothing appvend could remove.
    const sets = await resolvePermissionSets(
      sso,
      ids.instanceArn,
      [...new Set(dropped.map((g) => g.permissionSet))].filter((p) => !ids.permissionSets[p]),
    );
    const groups = await resolveGroups(
      clients.managementClient(IdentitystoreClient),
      ids.identityStoreId,
      [...new Set(dropped.map((g) => g.group))].filter((g) => !ids.groups[g]),
    );
    for (const grant of dropped) {
      const permissionSetArn = ids.permissionSets[grant.permissionSet] ?? sets.found[grant.permissionSet];
      const groupId = ids.groups[grant.group] ?? groups.found[grant.group];
      const present =
        permissionSetArn !== undefined &&
        groupId !== undefined &&
        (await hasAssignment(sso, ids.instanceArn, {
          accountId: grant.accountId,
          permissionSetArn,
          groupId,
        }));
      if (!present) continue;
      steps.push({
        kind: 'account-assignment',
        step: 'DeployStackSets',
        action: 'remove',
        group: grant.group,
        permissionSet: grant.permissionSet,
        stage: grant.stage,
        accountId: grant.accountId,
      });
    }
  }
  const contacts = desiredContacts(request);
  if (contacts.length > 0) {
    const client = clients.managementClient(AccountClient);
    for (const account of accounts) {
      for (const contact of contacts) {
        const { type, ...wanted } = contact;
        const current = account.id ? await getContact(client, account.id, type) : undefined;
        const same = current && JSON.stringify(current) === JSON.stringify(wanted);
        steps.push({
          kind: 'alternate-contact',
          step: 'DeployStackSets',
          action: !current ? 'create' : same ? 'keep' : 'update',
          type,
          stage: account.stage,
          ...(account.id && { accountId: account.id }),
        });
      }
    }
  }
  const droppedTypes = droppedContacts(made, request);
  if (droppedTypes.length > 0) {
    const client = clients.managementClient(AccountClient);
    for (const { accountId, types } of droppedTypes) {
      const stage = accounts.find((a) => a.id === accountId)?.stage ?? accountId;
      for (const type of types) {
        if (!(await getContact(client, accountId, type as DesiredContact['type']))) continue;
        steps.push({
          kind: 'alternate-contact',
          step: 'DeployStackSets',
          action: 'remove',
          type,
          stage,
          accountId,
        });
      }
    }
  }
  return { steps, blockers: [], notes: [] };
}
