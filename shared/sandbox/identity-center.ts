import type * as idstore from '@aws-sdk/client-identitystore';
import type * as sso from '@aws-sdk/client-sso-admin';
import type { CallContext, HandlerTable, Out, SandboxSettings } from './context';
import { awsError } from './errors';
import type { PendingEvent } from './events';
import { paginate, type PageRules } from './pagination';
import type {
  AccountAssignmentRequestState,
  AccountAssignmentState,
  IdentityCenterState,
  SandboxStateJson,
} from './state';

/**
 * IAM Identity Center (sso-admin) and its identity store: the instance, groups and permission sets
 * an administrator made (`Sandbox.setUpIdentityCenter`), and the account assignments appvend
 * creates and deletes. Assignment requests are asynchronous: IN_PROGRESS when accepted, SUCCEEDED
 * (the permission set provisioned to the account) or FAILED `latency.accountAssignment` later.
 * Every behaviour is cited in docs/aws-behaviours.md ("IAM Identity Center access and alternate contacts").
 */

const ACCOUNT_ID = /^\d{12}$/;
const REQUEST_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const hex = (n: number, width: number): string => n.toString(16).padStart(width, '0');
/** Deterministic ids in AWS's shapes. */
export const identityStoreId = (n: number): string => `d-${hex(n, 10)}`;
export const instanceArn = (n: number): string => `arn:aws:sso:::instance/ssoins-${hex(n, 16)}`;
export const permissionSetArn = (instance: string, n: number): string =>
  `arn:aws:sso:::permissionSet/${instance.split('/')[1]}/ps-${hex(n, 16)}`;
export const groupId = (n: number): string => `${hex(n, 8)}-0000-4000-8000-0000${hex(n, 8)}`;
const requestId = (kind: 'create' | 'delete', n: number): string =>
  `${kind === 'create' ? 'c' : 'd'}${hex(n, 7)}-0000-4000-8000-${hex(n, 12)}`;

const SSO_PAGES: PageRules = {
  defaultSize: 10,
  maxSize: 100,
  invalidToken: () => awsError('sso-admin', 'ValidationException', 'The NextToken is not valid.'),
  invalidSize: (size) =>
    awsError('sso-admin', 'ValidationException', `MaxResults ${size} must be between 1 and 100.`),
};
const IDSTORE_PAGES: PageRules = {
  defaultSize: 10,
  maxSize: 100,
  invalidToken: () => awsError('identitystore', 'ValidationException', 'The NextToken is not valid.'),
  invalidSize: (size) =>
    awsError('identitystore', 'ValidationException', `MaxResults ${size} must be between 1 and 100.`),
};

/** The instance the caller names, seen from the account that owns it; refused otherwise. */
function instanceFor(arn: string | undefined, ctx: CallContext): IdentityCenterState {
  if (!arn) throw awsError('sso-admin', 'ValidationException', 'InstanceArn is required.');
  const ic = ctx.state.identityCenter;
  if (!ic || ic.instanceArn !== arn) {
    throw awsError('sso-admin', 'ResourceNotFoundException', `Instance ${arn} does not exist.`);
  }
  // An organization instance is administered from the management account (or a delegated
  // administrator, not modelled): another account is refused.
  if (ctx.caller.accountId !== ic.ownerAccountId) {
    throw awsError(
      'sso-admin',
      'AccessDeniedException',
      `User: ${ctx.caller.arn} is not authorized to administer instance ${arn}.`,
    );
  }
  return ic;
}

function storeFor(id: string | undefined, ctx: CallContext): IdentityCenterState {
  if (!id) throw awsError('identitystore', 'ValidationException', 'IdentityStoreId is required.');
  const ic = ctx.state.identityCenter;
  if (!ic || ic.identityStoreId !== id) {
    throw awsError('identitystore', 'ResourceNotFoundException', `Identity store ${id} does not exist.`, {
      fields: { ResourceType: 'IDENTITY_STORE', ResourceId: id },
    });
  }
  return ic;
}

function listInstances(
  input: sso.ListInstancesCommandInput,
  ctx: CallContext,
): Out<sso.ListInstancesCommandOutput> {
  const ic = ctx.state.identityCenter;
  // "created in or visible to the account calling this API": the organization's instance is
  // visible to the management account that owns it.
  const visible = ic && ic.ownerAccountId === ctx.caller.accountId ? [ic] : [];
  const page = paginate(visible, input.NextToken, input.MaxResults, SSO_PAGES);
  return {
    Instances: page.items.map((i) => ({
      InstanceArn: i.instanceArn,
      IdentityStoreId: i.identityStoreId,
      OwnerAccountId: i.ownerAccountId,
      Status: 'ACTIVE',
      CreatedDate: new Date(i.createdAt),
    })),
    ...(page.nextToken && { NextToken: page.nextToken }),
  };
}

function listPermissionSets(
  input: sso.ListPermissionSetsCommandInput,
  ctx: CallContext,
): Out<sso.ListPermissionSetsCommandOutput> {
  const ic = instanceFor(input.InstanceArn, ctx);
  const page = paginate(Object.keys(ic.permissionSets), input.NextToken, input.MaxResults, SSO_PAGES);
  return { PermissionSets: page.items, ...(page.nextToken && { NextToken: page.nextToken }) };
}

function permissionSetOf(ic: IdentityCenterState, arn: string | undefined) {
  const set = arn ? ic.permissionSets[arn] : undefined;
  if (!arn || !set) {
    throw awsError(
      'sso-admin',
      'ResourceNotFoundException',
      `Could not find PermissionSet with arn ${arn ?? ''}.`,
    );
  }
  return set;
}

function describePermissionSet(
  input: sso.DescribePermissionSetCommandInput,
  ctx: CallContext,
): Out<sso.DescribePermissionSetCommandOutput> {
  const ic = instanceFor(input.InstanceArn, ctx);
  const set = permissionSetOf(ic, input.PermissionSetArn);
  return {
    PermissionSet: {
      Name: set.name,
      PermissionSetArn: input.PermissionSetArn,
      CreatedDate: new Date(set.createdAt),
      SessionDuration: 'PT1H',
    },
  };
}

/** Checks an assignment's target and principal as CreateAccountAssignment and DeleteAccountAssignment do. */
function checkAssignment(
  ic: IdentityCenterState,
  input: {
    TargetId?: string | undefined;
    TargetType?: string | undefined;
    PermissionSetArn?: string | undefined;
    PrincipalType?: string | undefined;
    PrincipalId?: string | undefined;
  },
): AccountAssignmentState {
  if (!input.TargetId || !ACCOUNT_ID.test(input.TargetId)) {
    throw awsError('sso-admin', 'ValidationException', 'TargetId must be a 12-digit AWS account id.');
  }
  if (input.TargetType !== 'AWS_ACCOUNT') {
    throw awsError('sso-admin', 'ValidationException', 'TargetType must be AWS_ACCOUNT.');
  }
  if (input.PrincipalType !== 'USER' && input.PrincipalType !== 'GROUP') {
    throw awsError('sso-admin', 'ValidationException', 'PrincipalType must be USER or GROUP.');
  }
  permissionSetOf(ic, input.PermissionSetArn);
  if (!input.PrincipalId) throw awsError('sso-admin', 'ValidationException', 'PrincipalId is required.');
  return {
    accountId: input.TargetId,
    permissionSetArn: input.PermissionSetArn!,
    principalType: input.PrincipalType,
    principalId: input.PrincipalId,
  };
}

const sameAssignment = (a: AccountAssignmentState, b: AccountAssignmentState): boolean =>
  a.accountId === b.accountId &&
  a.permissionSetArn === b.permissionSetArn &&
  a.principalType === b.principalType &&
  a.principalId === b.principalId;

function statusView(request: AccountAssignmentRequestState): sso.AccountAssignmentOperationStatus {
  return {
    Status: request.status,
    RequestId: request.requestId,
    ...(request.failureReason && { FailureReason: request.failureReason }),
    TargetId: request.accountId,
    TargetType: 'AWS_ACCOUNT',
    PermissionSetArn: request.permissionSetArn,
    PrincipalType: request.principalType,
    PrincipalId: request.principalId,
    CreatedDate: new Date(request.createdAt),
  };
}

function startRequest(
  ic: IdentityCenterState,
  kind: 'create' | 'delete',
  assignment: AccountAssignmentState,
  ctx: CallContext,
): AccountAssignmentRequestState {
  ic.requestCount += 1;
  const request: AccountAssignmentRequestState = {
    ...assignment,
    requestId: requestId(kind, ic.requestCount),
    kind,
    status: 'IN_PROGRESS',
    createdAt: ctx.now,
    endsAt: ctx.now + ctx.settings.latency.accountAssignment,
  };
  ic.requests[request.requestId] = request;
  return request;
}

function createAccountAssignment(
  input: sso.CreateAccountAssignmentCommandInput,
  ctx: CallContext,
): Out<sso.CreateAccountAssignmentCommandOutput> {
  const ic = instanceFor(input.InstanceArn, ctx);
  const assignment = checkAssignment(ic, input);
  const request = startRequest(ic, 'create', assignment, ctx);
  return { AccountAssignmentCreationStatus: statusView(request) };
}

function deleteAccountAssignment(
  input: sso.DeleteAccountAssignmentCommandInput,
  ctx: CallContext,
): Out<sso.DeleteAccountAssignmentCommandOutput> {
  const ic = instanceFor(input.InstanceArn, ctx);
  const assignment = checkAssignment(ic, input);
  const request = startRequest(ic, 'delete', assignment, ctx);
  return { AccountAssignmentDeletionStatus: statusView(request) };
}

function requestOf(
  ic: IdentityCenterState,
  id: string | undefined,
  kind: 'create' | 'delete',
): AccountAssignmentRequestState {
  if (!id || !REQUEST_ID.test(id)) {
    throw awsError('sso-admin', 'ValidationException', `The request id ${id ?? ''} is not a valid UUID.`);
  }
  const request = ic.requests[id];
  if (!request || request.kind !== kind) {
    throw awsError('sso-admin', 'ResourceNotFoundException', `Could not find the request ${id}.`);
  }
  return request;
}

function describeCreationStatus(
  input: sso.DescribeAccountAssignmentCreationStatusCommandInput,
  ctx: CallContext,
): Out<sso.DescribeAccountAssignmentCreationStatusCommandOutput> {
  const ic = instanceFor(input.InstanceArn, ctx);
  const request = requestOf(ic, input.AccountAssignmentCreationRequestId, 'create');
  return { AccountAssignmentCreationStatus: statusView(request) };
}

function describeDeletionStatus(
  input: sso.DescribeAccountAssignmentDeletionStatusCommandInput,
  ctx: CallContext,
): Out<sso.DescribeAccountAssignmentDeletionStatusCommandOutput> {
  const ic = instanceFor(input.InstanceArn, ctx);
  const request = requestOf(ic, input.AccountAssignmentDeletionRequestId, 'delete');
  return { AccountAssignmentDeletionStatus: statusView(request) };
}

function listAccountAssignments(
  input: sso.ListAccountAssignmentsCommandInput,
  ctx: CallContext,
): Out<sso.ListAccountAssignmentsCommandOutput> {
  const ic = instanceFor(input.InstanceArn, ctx);
  if (!input.AccountId || !ACCOUNT_ID.test(input.AccountId)) {
    throw awsError('sso-admin', 'ValidationException', 'AccountId must be a 12-digit AWS account id.');
  }
  permissionSetOf(ic, input.PermissionSetArn);
  const found = ic.assignments.filter(
    (a) => a.accountId === input.AccountId && a.permissionSetArn === input.PermissionSetArn,
  );
  const page = paginate(found, input.NextToken, input.MaxResults, SSO_PAGES);
  return {
    AccountAssignments: page.items.map((a) => ({
      AccountId: a.accountId,
      PermissionSetArn: a.permissionSetArn,
      PrincipalType: a.principalType,
      PrincipalId: a.principalId,
    })),
    ...(page.nextToken && { NextToken: page.nextToken }),
  };
}

function getGroupId(
  input: idstore.GetGroupIdCommandInput,
  ctx: CallContext,
): Out<idstore.GetGroupIdCommandOutput> {
  const ic = storeFor(input.IdentityStoreId, ctx);
  const unique = input.AlternateIdentifier?.UniqueAttribute;
  if (!unique || unique.AttributePath !== 'displayName' || typeof unique.AttributeValue !== 'string') {
    // appvend looks groups up by display name only; other identifiers are outside the model.
    throw awsError(
      'identitystore',
      'ValidationException',
      'AlternateIdentifier must be a UniqueAttribute with AttributePath displayName and a string value.',
    );
  }
  const found = Object.entries(ic.groups).find(([, name]) => name === unique.AttributeValue);
  if (!found) {
    throw awsError('identitystore', 'ResourceNotFoundException', 'GROUP not found.', {
      fields: { ResourceType: 'GROUP' },
    });
  }
  return { GroupId: found[0], IdentityStoreId: ic.identityStoreId };
}

function listGroups(
  input: idstore.ListGroupsCommandInput,
  ctx: CallContext,
): Out<idstore.ListGroupsCommandOutput> {
  const ic = storeFor(input.IdentityStoreId, ctx);
  const filters = input.Filters ?? [];
  const matches = Object.entries(ic.groups).filter(([, name]) =>
    filters.every((f) => f.AttributePath === 'DisplayName' && f.AttributeValue === name),
  );
  const page = paginate(matches, input.NextToken, input.MaxResults, IDSTORE_PAGES);
  return {
    Groups: page.items.map(([id, name]) => ({
      GroupId: id,
      DisplayName: name,
      IdentityStoreId: ic.identityStoreId,
    })),
    ...(page.nextToken && { NextToken: page.nextToken }),
  };
}

/**
 * The earliest assignment request due: a creation ends SUCCEEDED with the assignment in place and
 * the permission set provisioned to the account, or FAILED when the account is no longer an ACTIVE
 * account of the organization (an estimate: AWS documents FAILED and a FailureReason, not its causes);
 * a deletion ends SUCCEEDED with the assignment gone.
 */
export function accountAssignmentEvents(
  state: SandboxStateJson,
  _settings: SandboxSettings,
): PendingEvent | undefined {
  const ic = state.identityCenter;
  if (!ic) return undefined;
  let due: AccountAssignmentRequestState | undefined;
  for (const request of Object.values(ic.requests)) {
    if (request.status !== 'IN_PROGRESS') continue;
    if (!due || request.endsAt < due.endsAt) due = request;
  }
  if (!due) return undefined;
  const request = due;
  return {
    at: request.endsAt,
    order: ic.requestCount,
    apply: () => {
      if (request.kind === 'create') {
        const account = state.accounts[request.accountId];
        if (!account || account.status !== 'ACTIVE') {
          request.status = 'FAILED';
          request.failureReason = `The account ${request.accountId} is not an active account of the organization.`;
          return;
        }
        if (!ic.assignments.some((a) => sameAssignment(a, request))) {
          const { accountId, permissionSetArn, principalType, principalId } = request;
          ic.assignments.push({ accountId, permissionSetArn, principalType, principalId });
        }
        const key = `${request.permissionSetArn}|${request.accountId}`;
        if (!ic.provisioned.includes(key)) ic.provisioned.push(key);
      } else {
        ic.assignments = ic.assignments.filter((a) => !sameAssignment(a, request));
      }
      request.status = 'SUCCEEDED';
    },
  };
}

export const SSO_ADMIN_HANDLERS: HandlerTable = {
  ListInstances: listInstances,
  ListPermissionSets: listPermissionSets,
  DescribePermissionSet: describePermissionSet,
  CreateAccountAssignment: createAccountAssignment,
  DescribeAccountAssignmentCreationStatus: describeCreationStatus,
  DeleteAccountAssignment: deleteAccountAssignment,
  DescribeAccountAssignmentDeletionStatus: describeDeletionStatus,
  ListAccountAssignments: listAccountAssignments,
};

export const IDENTITY_STORE_HANDLERS: HandlerTable = {
  GetGroupId: getGroupId,
  ListGroups: listGroups,
};
