import { countBy, membersBy, sizeOf, survivors } from './atomic';
import type * as org from '@aws-sdk/client-organizations';
import { MAX_OU_DEPTH, MAX_OUS } from './aws-constants';
import type { CallContext, HandlerTable, Out } from './context';
import { next, ouId } from './ids';
import {
  ACCOUNT_ID_PATTERN,
  ORG_PAGES,
  accountArn,
  attachFullAwsAccess,
  checkLength,
  checkParentIdShape,
  checkTags,
  invalidInput,
  isParent,
  orgError,
  organizationArn,
  ouArn,
  requireManagement,
  requireString,
  rootArn,
  targetType,
} from './org-common';
import { paginate } from './pagination';
import type { AccountState, OuState, SandboxStateJson } from './state';
import { byParent } from './state-indexes';

/** Organizations: the organization, its root and OUs, moves between them, and tags. */

const SCP_ENABLED = [{ Type: 'SERVICE_CONTROL_POLICY' as const, Status: 'ENABLED' as const }];

const parentNotFound = () =>
  orgError('ParentNotFoundException', "We can't find a root or OU with the ParentId that you specified.");

function ouNotFound(): Error {
  return orgError(
    'OrganizationalUnitNotFoundException',
    "We can't find an OU with the OrganizationalUnitId that you specified.",
  );
}

const ouView = (state: SandboxStateJson, ou: OuState): org.OrganizationalUnit => ({
  Id: ou.id,
  Arn: ouArn(state, ou.id),
  Name: ou.name,
});

function requireParent(ctx: CallContext, value: unknown, member = 'ParentId'): string {
  const id = requireString(value, member);
  checkParentIdShape(id, member);
  if (!isParent(ctx.state, id)) throw parentNotFound();
  return id;
}

function depthOf(state: SandboxStateJson, parentId: string): number {
  let depth = 0;
  for (let id = parentId; state.ous[id]; id = state.ous[id]!.parentId) depth += 1;
  return depth;
}

function describeOrganization(
  _input: org.DescribeOrganizationCommandInput,
  ctx: CallContext,
): Out<org.DescribeOrganizationCommandOutput> {
  // Member accounts may describe their organization; everything else is management-only.
  const { state } = ctx;
  const management = state.accounts[state.organization.managementAccountId]!;
  return {
    Organization: {
      Id: state.organization.id,
      Arn: organizationArn(state),
      FeatureSet: 'ALL',
      MasterAccountArn: accountArn(state, management.id),
      MasterAccountId: management.id,
      MasterAccountEmail: management.email,
      AvailablePolicyTypes: SCP_ENABLED,
    },
  };
}

/**
 * The services with trusted access: those EnableAWSServiceAccess (or the service's own call, such
 * as CloudFormation's ActivateOrganizationsAccess) enabled, and AWS RAM once
 * EnableSharingWithAwsOrganization was called (as RAM's documentation says, it enables sharing
 * within the organization; on AWS it also enables trusted access for ram.amazonaws.com).
 */
function listAwsServiceAccess(
  _input: org.ListAWSServiceAccessForOrganizationCommandInput,
  ctx: CallContext,
): Out<org.ListAWSServiceAccessForOrganizationCommandOutput> {
  requireManagement(ctx);
  const principals = [
    ...(ctx.state.ramSharingWithOrganization ? ['ram.amazonaws.com'] : []),
    ...(ctx.state.trustedServices ?? []),
  ];
  return {
    EnabledServicePrincipals: [...new Set(principals)].map((ServicePrincipal) => ({
      ServicePrincipal,
      DateEnabled: new Date(ctx.state.organization.createdAt),
    })),
  };
}

function listRoots(input: org.ListRootsCommandInput, ctx: CallContext): Out<org.ListRootsCommandOutput> {
  requireManagement(ctx);
  const root = {
    Id: ctx.state.organization.rootId,
    Arn: rootArn(ctx.state),
    Name: 'Root',
    PolicyTypes: SCP_ENABLED,
  };
  const page = paginate([root], input.NextToken, input.MaxResults, ORG_PAGES);
  return { Roots: page.items, NextToken: page.nextToken };
}

function listOusForParent(
  input: org.ListOrganizationalUnitsForParentCommandInput,
  ctx: CallContext,
): Out<org.ListOrganizationalUnitsForParentCommandOutput> {
  requireManagement(ctx);
  const parentId = requireParent(ctx, input.ParentId);
  const ous = membersBy<OuState>(ctx.state.ous, byParent, parentId);
  const page = paginate(ous, input.NextToken, input.MaxResults, ORG_PAGES);
  return { OrganizationalUnits: page.items.map((ou) => ouView(ctx.state, ou)), NextToken: page.nextToken };
}

function listChildren(
  input: org.ListChildrenCommandInput,
  ctx: CallContext,
): Out<org.ListChildrenCommandOutput> {
  requireManagement(ctx);
  const parentId = requireParent(ctx, input.ParentId);
  const type = requireString(input.ChildType, 'ChildType');
  if (type !== 'ACCOUNT' && type !== 'ORGANIZATIONAL_UNIT') {
    throw invalidInput('INVALID_ENUM', 'ChildType must be ACCOUNT or ORGANIZATIONAL_UNIT.');
  }
  const ids = membersBy<AccountState | OuState>(
    type === 'ACCOUNT' ? ctx.state.accounts : ctx.state.ous,
    byParent,
    parentId,
  ).map((child) => child.id);
  const page = paginate(ids, input.NextToken, input.MaxResults, ORG_PAGES);
  return { Children: page.items.map((Id) => ({ Id, Type: type })), NextToken: page.nextToken };
}

function createOu(
  input: org.CreateOrganizationalUnitCommandInput,
  ctx: CallContext,
): Out<org.CreateOrganizationalUnitCommandOutput> {
  requireManagement(ctx);
  const { state } = ctx;
  const parentId = requireParent(ctx, input.ParentId);
  const name = requireString(input.Name, 'Name');
  checkLength(name, 'Name', 1, 128);
  const tags = checkTags(input.Tags);
  if (membersBy<OuState>(state.ous, byParent, parentId).some((ou) => ou.name === name)) {
    throw orgError('DuplicateOrganizationalUnitException', 'An OU with the same name already exists.');
  }
  if (depthOf(state, parentId) + 1 > MAX_OU_DEPTH) {
    throw orgError(
      'ConstraintViolationException',
      'You attempted to create an OU tree that is too many levels deep.',
      {
        fields: { Reason: 'OU_DEPTH_LIMIT_EXCEEDED' },
      },
    );
  }
  if (sizeOf(state.ous) >= MAX_OUS) {
    throw orgError(
      'ConstraintViolationException',
      'You attempted to exceed the number of OUs that you can have in an organization.',
      { fields: { Reason: 'OU_NUMBER_LIMIT_EXCEEDED' } },
    );
  }
  const ou: OuState = { id: ouId(state.organization.rootId, next(state, 'ou')), name, parentId };
  state.ous[ou.id] = ou;
  if (tags.length > 0) state.tags[ou.id] = tags;
  attachFullAwsAccess(state, ou.id);
  return { OrganizationalUnit: ouView(state, ou) };
}

function requireOu(ctx: CallContext, value: unknown): OuState {
  const id = requireString(value, 'OrganizationalUnitId');
  const ou = ctx.state.ous[id];
  if (!ou) throw ouNotFound();
  return ou;
}

function describeOu(
  input: org.DescribeOrganizationalUnitCommandInput,
  ctx: CallContext,
): Out<org.DescribeOrganizationalUnitCommandOutput> {
  requireManagement(ctx);
  return { OrganizationalUnit: ouView(ctx.state, requireOu(ctx, input.OrganizationalUnitId)) };
}

function updateOu(
  input: org.UpdateOrganizationalUnitCommandInput,
  ctx: CallContext,
): Out<org.UpdateOrganizationalUnitCommandOutput> {
  requireManagement(ctx);
  const ou = requireOu(ctx, input.OrganizationalUnitId);
  if (input.Name !== undefined) {
    checkLength(input.Name, 'Name', 1, 128);
    const clash = membersBy<OuState>(ctx.state.ous, byParent, ou.parentId).some(
      (o) => o.name === input.Name && o !== ou,
    );
    if (clash)
      throw orgError('DuplicateOrganizationalUnitException', 'An OU with the same name already exists.');
    ou.name = input.Name;
  }
  return { OrganizationalUnit: ouView(ctx.state, ou) };
}

function deleteOu(input: org.DeleteOrganizationalUnitCommandInput, ctx: CallContext): object {
  requireManagement(ctx);
  const { state } = ctx;
  const ou = requireOu(ctx, input.OrganizationalUnitId);
  const children =
    countBy<OuState>(state.ous, byParent, ou.id) + countBy<AccountState>(state.accounts, byParent, ou.id) > 0;
  if (children) {
    throw orgError(
      'OrganizationalUnitNotEmptyException',
      'The specified OU is not empty. Move all accounts to another root or to other OUs, remove all child OUs, and try the operation again.',
    );
  }
  delete state.ous[ou.id];
  delete state.tags[ou.id];
  state.attachments = survivors(state.attachments, (a) => a.targetId !== ou.id);
  return {};
}

function listParents(
  input: org.ListParentsCommandInput,
  ctx: CallContext,
): Out<org.ListParentsCommandOutput> {
  requireManagement(ctx);
  const { state } = ctx;
  const childId = requireString(input.ChildId, 'ChildId');
  const child = state.ous[childId] ?? state.accounts[childId];
  if (!child)
    throw orgError(
      'ChildNotFoundException',
      "We can't find an organizational unit (OU) or AWS account with the ChildId that you specified.",
    );
  const Type: org.ParentType = child.parentId === state.organization.rootId ? 'ROOT' : 'ORGANIZATIONAL_UNIT';
  const page = paginate([{ Id: child.parentId, Type }], input.NextToken, input.MaxResults, ORG_PAGES);
  return { Parents: page.items, NextToken: page.nextToken };
}

function moveAccount(input: org.MoveAccountCommandInput, ctx: CallContext): object {
  requireManagement(ctx);
  const { state } = ctx;
  const accountId = requireString(input.AccountId, 'AccountId');
  if (!ACCOUNT_ID_PATTERN.test(accountId))
    throw invalidInput('INVALID_PATTERN', 'AccountId must be 12 digits.');
  const source = requireString(input.SourceParentId, 'SourceParentId');
  const destination = requireString(input.DestinationParentId, 'DestinationParentId');
  checkParentIdShape(source, 'SourceParentId');
  checkParentIdShape(destination, 'DestinationParentId');
  const account = state.accounts[accountId];
  if (!account)
    throw orgError(
      'AccountNotFoundException',
      "We can't find an AWS account with the AccountId that you specified.",
    );
  if (!isParent(state, destination)) {
    throw orgError(
      'DestinationParentNotFoundException',
      "We can't find the destination container (a root or OU) with the ParentId that you specified.",
    );
  }
  // Checked before the source so that a retried move (the first one's answer lost) reads as
  // "already there" rather than as a wrong source.
  if (account.parentId === destination) {
    throw orgError(
      'DuplicateAccountException',
      'That account is already present in the specified destination.',
    );
  }
  if (!isParent(state, source) || account.parentId !== source) {
    throw orgError(
      'SourceParentNotFoundException',
      "We can't find a source root or OU with the ParentId that you specified.",
    );
  }
  account.parentId = destination;
  return {};
}

function requireTaggable(ctx: CallContext, value: unknown): string {
  const id = requireString(value, 'ResourceId');
  const taggable = targetType(ctx.state, id) !== undefined || ctx.state.policies[id] !== undefined;
  if (!taggable)
    throw orgError(
      'TargetNotFoundException',
      "We can't find a root, OU, account, or policy with the TargetId that you specified.",
    );
  if (ctx.state.policies[id]?.awsManaged)
    throw invalidInput('IMMUTABLE_POLICY', 'You cannot tag an AWS managed policy.');
  return id;
}

function tagResource(input: org.TagResourceCommandInput, ctx: CallContext): object {
  requireManagement(ctx);
  const id = requireTaggable(ctx, input.ResourceId);
  ctx.state.tags[id] = checkTags(input.Tags ?? [], ctx.state.tags[id]);
  return {};
}

function untagResource(input: org.UntagResourceCommandInput, ctx: CallContext): object {
  requireManagement(ctx);
  const id = requireTaggable(ctx, input.ResourceId);
  const keys = new Set(input.TagKeys ?? []);
  const remaining = (ctx.state.tags[id] ?? []).filter((tag) => !keys.has(tag.Key));
  if (remaining.length > 0) ctx.state.tags[id] = remaining;
  else delete ctx.state.tags[id];
  return {};
}

function listTags(
  input: org.ListTagsForResourceCommandInput,
  ctx: CallContext,
): Out<org.ListTagsForResourceCommandOutput> {
  requireManagement(ctx);
  const id = requireTaggable(ctx, input.ResourceId);
  const page = paginate(ctx.state.tags[id] ?? [], input.NextToken, undefined, ORG_PAGES);
  return { Tags: page.items.map((tag) => ({ ...tag })), NextToken: page.nextToken };
}

export const ORGANIZATION_HANDLERS: HandlerTable = {
  DescribeOrganization: describeOrganization,
  ListAWSServiceAccessForOrganization: listAwsServiceAccess,
  ListRoots: listRoots,
  ListOrganizationalUnitsForParent: listOusForParent,
  ListChildren: listChildren,
  CreateOrganizationalUnit: createOu,
  DescribeOrganizationalUnit: describeOu,
  UpdateOrganizationalUnit: updateOu,
  DeleteOrganizationalUnit: deleteOu,
  ListParents: listParents,
  MoveAccount: moveAccount,
  TagResource: tagResource,
  UntagResource: untagResource,
  ListTagsForResource: listTags,
};
