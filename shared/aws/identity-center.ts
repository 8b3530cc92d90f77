import { GetGroupIdCommand, IdentitystoreClient } from '@aws-sdk/client-identitystore';
import {
  CreateAccountAssignmentCommand,
  DeleteAccountAssignmentCommand,
  DescribeAccountAssignmentCreationStatusCommand,
  DescribeAccountAssignmentDeletionStatusCommand,
  DescribePermissionSetCommand,
  SSOAdminClient,
  paginateListAccountAssignments,
  paginateListInstances,
  paginateListPermissionSets,
  type AccountAssignmentOperationStatus,
} from '@aws-sdk/client-sso-admin';
import { AppvendError } from '../errors';
import { managementClient } from './client-factory';
import { collect, isAwsError } from './paginate';

/** Identity Center is not set up as appvend needs it (no instance, several, or the named one missing). */
export class IdentityCenterSetupError extends AppvendError {}

/** A group or permission set the request names does not exist; nothing was created. */
export class AccessNotFoundError extends AppvendError {}

/** An account assignment request ended FAILED; the reason is AWS's. */
export class AccountAssignmentFailedError extends AppvendError {}

export interface IdentityCenterInstance {
  instanceArn: string;
  identityStoreId: string;
}

/** The clients, made once per process like every other management-account client. */
export const identityCenterClients = (): { sso: SSOAdminClient; store: IdentitystoreClient } => ({
  sso: managementClient(SSOAdminClient),
  store: managementClient(IdentitystoreClient),
});

/**
 * The instance the settings name, or the only one the account sees. An organization instance lives
 * in the management account (or its delegated administrator), which is where appvend runs.
 */
export async function findInstance(
  sso: SSOAdminClient,
  instanceArn?: string,
): Promise<IdentityCenterInstance> {
  const instances = await collect(paginateListInstances({ client: sso }, {}), (page) => page.Instances);
  const usable = instances.filter((i) => i.InstanceArn && i.IdentityStoreId);
  const found = instanceArn ? usable.filter((i) => i.InstanceArn === instanceArn) : usable;
  if (found.length !== 1) {
    const reason = instanceArn
      ? `the instance ${instanceArn} (APPVEND_IDENTITY_CENTER_INSTANCE_ARN) is not visible to this account`
      : found.length === 0
        ? 'no IAM Identity Center instance is visible to this account: enable Identity Center in the management account'
        : `${found.length} IAM Identity Center instances are visible: name one in APPVEND_IDENTITY_CENTER_INSTANCE_ARN`;
    throw new IdentityCenterSetupError(`The request asks for access, but ${reason}`);
  }
  return { instanceArn: found[0]!.InstanceArn!, identityStoreId: found[0]!.IdentityStoreId! };
}

/** Permission set ARNs by name, for the names asked; those not found are in `missing`. */
export async function resolvePermissionSets(
  sso: SSOAdminClient,
  instanceArn: string,
  names: string[],
): Promise<{ found: Record<string, string>; missing: string[] }> {
  const found: Record<string, string> = {};
  if (names.length === 0) return { found, missing: [] };
  const arns = await collect(
    paginateListPermissionSets({ client: sso }, { InstanceArn: instanceArn }),
    (page) => page.PermissionSets,
  );
  // ListPermissionSets returns ARNs only: each is described for its name, until all are found.
  for (const arn of arns) {
    if (names.every((n) => found[n] !== undefined)) break;
    const { PermissionSet } = await sso.send(
      new DescribePermissionSetCommand({ InstanceArn: instanceArn, PermissionSetArn: arn }),
    );
    const name = PermissionSet?.Name;
    if (name !== undefined && names.includes(name) && found[name] === undefined) found[name] = arn;
  }
  return { found, missing: names.filter((n) => found[n] === undefined) };
}

/** Group ids by display name (GetGroupId); those not found are in `missing`. */
export async function resolveGroups(
  store: IdentitystoreClient,
  identityStoreId: string,
  names: string[],
): Promise<{ found: Record<string, string>; missing: string[] }> {
  const found: Record<string, string> = {};
  const missing: string[] = [];
  for (const name of names) {
    try {
      const { GroupId } = await store.send(
        new GetGroupIdCommand({
          IdentityStoreId: identityStoreId,
          AlternateIdentifier: { UniqueAttribute: { AttributePath: 'displayName', AttributeValue: name } },
        }),
      );
      if (GroupId) found[name] = GroupId;
      else missing.push(name);
    } catch (error) {
      if (!isAwsError(error, 'ResourceNotFoundException')) throw error;
      missing.push(name);
    }
  }
  return { found, missing };
}

/** What the request names, resolved; refuses with every missing group and permission set named. */
export async function resolveIdentities(
  clients: { sso: SSOAdminClient; store: IdentitystoreClient },
  names: { groups: string[]; permissionSets: string[] },
  instanceArn?: string,
): Promise<
  IdentityCenterInstance & { groups: Record<string, string>; permissionSets: Record<string, string> }
> {
  const instance = await findInstance(clients.sso, instanceArn);
  const sets = await resolvePermissionSets(clients.sso, instance.instanceArn, names.permissionSets);
  const groups = await resolveGroups(clients.store, instance.identityStoreId, names.groups);
  const problems = [
    ...groups.missing.map((g) => `group "${g}" is not in the identity store ${instance.identityStoreId}`),
    ...sets.missing.map((p) => `permission set "${p}" is not in the instance ${instance.instanceArn}`),
  ];
  if (problems.length > 0) {
    throw new AccessNotFoundError(
      `The request's access names what Identity Center does not have: ${problems.join('; ')}`,
      {
        missingGroups: groups.missing,
        missingPermissionSets: sets.missing,
      },
    );
  }
  return { ...instance, groups: groups.found, permissionSets: sets.found };
}

/** Whether a group holds a permission set in an account. */
export async function hasAssignment(
  sso: SSOAdminClient,
  instanceArn: string,
  assignment: { accountId: string; permissionSetArn: string; groupId: string },
): Promise<boolean> {
  const found = await collect(
    paginateListAccountAssignments(
      { client: sso },
      {
        InstanceArn: instanceArn,
        AccountId: assignment.accountId,
        PermissionSetArn: assignment.permissionSetArn,
      },
    ),
    (page) => page.AccountAssignments,
  );
  return found.some((a) => a.PrincipalType === 'GROUP' && a.PrincipalId === assignment.groupId);
}

const target = (
  instanceArn: string,
  a: { accountId: string; permissionSetArn: string; groupId: string },
) => ({
  InstanceArn: instanceArn,
  TargetId: a.accountId,
  TargetType: 'AWS_ACCOUNT' as const,
  PermissionSetArn: a.permissionSetArn,
  PrincipalType: 'GROUP' as const,
  PrincipalId: a.groupId,
});

/** Starts an assignment's creation; its request id is followed with {@link assignmentStatus}. */
export async function startAssignment(
  sso: SSOAdminClient,
  instanceArn: string,
  assignment: { accountId: string; permissionSetArn: string; groupId: string },
): Promise<AccountAssignmentOperationStatus> {
  const { AccountAssignmentCreationStatus } = await sso.send(
    new CreateAccountAssignmentCommand(target(instanceArn, assignment)),
  );
  return AccountAssignmentCreationStatus ?? {};
}

/** Starts an assignment's deletion. */
export async function startUnassignment(
  sso: SSOAdminClient,
  instanceArn: string,
  assignment: { accountId: string; permissionSetArn: string; groupId: string },
): Promise<AccountAssignmentOperationStatus> {
  const { AccountAssignmentDeletionStatus } = await sso.send(
    new DeleteAccountAssignmentCommand(target(instanceArn, assignment)),
  );
  return AccountAssignmentDeletionStatus ?? {};
}

/** One look at a creation or deletion request. */
export async function assignmentStatus(
  sso: SSOAdminClient,
  instanceArn: string,
  request: { requestId: string; kind: 'create' | 'delete' },
): Promise<AccountAssignmentOperationStatus> {
  if (request.kind === 'create') {
    const { AccountAssignmentCreationStatus } = await sso.send(
      new DescribeAccountAssignmentCreationStatusCommand({
        InstanceArn: instanceArn,
        AccountAssignmentCreationRequestId: request.requestId,
      }),
    );
    return AccountAssignmentCreationStatus ?? {};
  }
  const { AccountAssignmentDeletionStatus } = await sso.send(
    new DescribeAccountAssignmentDeletionStatusCommand({
      InstanceArn: instanceArn,
      AccountAssignmentDeletionRequestId: request.requestId,
    }),
  );
  return AccountAssignmentDeletionStatus ?? {};
}
