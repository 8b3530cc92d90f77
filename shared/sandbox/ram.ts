import type * as ram from '@aws-sdk/client-ram';
import type { CallContext, HandlerTable, Out } from './context';
import { awsError } from './errors';
import { UuidKind, uuid } from './ids';
import type { ResourceShareState, SandboxStateJson } from './state';

/**
 * AWS RAM: the calls appvend makes to share the pipeline's connection with the tooling account
 * (CreateResourceShare, GetResourceShares, GetResourceShareAssociations, AssociateResourceShare,
 * DeleteResourceShare). Shares live in `state.resourceShares`; the caller's clientTokens are kept
 * in the state (they are the caller's own, deterministic values, not the SDK's).
 */

/** RAM shares global resources only from US East (N. Virginia) (see docs/aws-behaviours.md). */
const GLOBAL_RESOURCE_REGION = 'us-east-1';
const GLOBAL_RESOURCE = /^arn:aws[\w-]*:codeconnections:/;
const ACCOUNT_ID = /^\d{12}$/;
const ORGANIZATION_PRINCIPAL = /^arn:aws[\w-]*:organizations::\d{12}:(organization|ou)\//;
const RESOURCE_ARN = /^arn:aws[\w-]*:[a-z0-9-]+:[a-z0-9-]*:(\d{12}):.+$/;

const shares = (state: SandboxStateJson): Record<string, ResourceShareState> => (state.resourceShares ??= {});

function view(share: ResourceShareState): ram.ResourceShare {
  return {
    resourceShareArn: share.arn,
    name: share.name,
    owningAccountId: share.owningAccountId,
    allowExternalPrincipals: share.allowExternalPrincipals,
    status: share.status,
    tags: share.tags.map((t) => ({ key: t.Key, value: t.Value })),
    creationTime: new Date(share.createdAt),
    lastUpdatedTime: new Date(share.updatedAt),
    featureSet: 'STANDARD',
  };
}

/** A share the caller owns, or UnknownResourceException as RAM answers. */
function ownShare(arn: string | undefined, ctx: CallContext): ResourceShareState {
  const share = arn ? shares(ctx.state)[arn] : undefined;
  if (!share || share.owningAccountId !== ctx.caller.accountId || share.status === 'DELETED') {
    throw awsError('ram', 'UnknownResourceException', `ResourceShare ${arn ?? ''} could not be found.`);
  }
  return share;
}

/**
 * Principals as RAM accepts them: an account of the organization (with allowExternalPrincipals
 * false, no other), or the organization or an OU once sharing within the organization is enabled.
 */
function checkPrincipals(principals: string[], allowExternal: boolean, ctx: CallContext): void {
  for (const principal of principals) {
    if (ACCOUNT_ID.test(principal)) {
      if (!allowExternal && !ctx.state.accounts[principal]) {
        throw awsError(
          'ram',
          'OperationNotPermittedException',
          `Principal ${principal} is not in your organization and the resource share does not allow external principals.`,
        );
      }
    } else if (ORGANIZATION_PRINCIPAL.test(principal)) {
      if (!ctx.state.ramSharingWithOrganization) {
        throw awsError(
          'ram',
          'OperationNotPermittedException',
          'Unable to share with the organization or an organizational unit: sharing within your organization is not enabled (EnableSharingWithAwsOrganization).',
        );
      }
    } else {
      throw awsError('ram', 'MalformedArnException', `The principal ${principal} is not valid.`);
    }
  }
}

/** Resources the caller owns; a global one (a connection) only from us-east-1. */
function checkResources(resourceArns: string[], ctx: CallContext): void {
  for (const arn of resourceArns) {
    const match = RESOURCE_ARN.exec(arn);
    if (!match) throw awsError('ram', 'MalformedArnException', `The resource ARN ${arn} is not valid.`);
    if (match[1] !== ctx.caller.accountId) {
      throw awsError('ram', 'UnknownResourceException', `Resource ${arn} could not be found.`);
    }
    if (GLOBAL_RESOURCE.test(arn) && ctx.region !== GLOBAL_RESOURCE_REGION) {
      throw awsError(
        'ram',
        'InvalidParameterException',
        `Resource ${arn} is a global resource: resource shares that contain global resources must be created in ${GLOBAL_RESOURCE_REGION}.`,
      );
    }
  }
}

function createResourceShare(
  input: ram.CreateResourceShareCommandInput,
  ctx: CallContext,
): Out<ram.CreateResourceShareCommandOutput> {
  if (!input.name) throw awsError('ram', 'MissingRequiredParameterException', 'name is required.');
  const principals = input.principals ?? [];
  const resources = input.resourceArns ?? [];
  // AWS's default is true.
  const allowExternal = input.allowExternalPrincipals ?? true;
  const parameters = JSON.stringify([input.name, principals, resources, input.tags ?? [], allowExternal]);
  if (input.clientToken) {
    const earlier = ctx.state.ramClientTokens?.[input.clientToken];
    if (earlier) {
      // "Passing the same value to a later call to an operation requires that you also pass the same
      // value for all other parameters."
      if (earlier.parameters !== parameters) {
        throw awsError(
          'ram',
          'IdempotentParameterMismatchException',
          `The client token ${input.clientToken} was used with other parameters.`,
        );
      }
      const share = shares(ctx.state)[earlier.resourceShareArn];
      if (share) return { resourceShare: view(share), clientToken: input.clientToken };
    }
  }
  checkPrincipals(principals, allowExternal, ctx);
  checkResources(resources, ctx);
  const n = Object.keys(shares(ctx.state)).length + 1;
  const arn = `arn:aws:ram:${ctx.region}:${ctx.caller.accountId}:resource-share/${uuid(UuidKind.resourceShare, n)}`;
  const share: ResourceShareState = {
    arn,
    name: input.name,
    owningAccountId: ctx.caller.accountId,
    region: ctx.region,
    allowExternalPrincipals: allowExternal,
    status: 'ACTIVE',
    tags: (input.tags ?? []).map((t) => ({ Key: t.key ?? '', Value: t.value ?? '' })),
    principals: [...principals],
    resources: [...resources],
    createdAt: ctx.now,
    updatedAt: ctx.now,
  };
  shares(ctx.state)[arn] = share;
  if (input.clientToken) {
    ctx.state.ramClientTokens ??= {};
    ctx.state.ramClientTokens[input.clientToken] = { resourceShareArn: arn, parameters };
  }
  return { resourceShare: view(share), ...(input.clientToken && { clientToken: input.clientToken }) };
}

function getResourceShares(
  input: ram.GetResourceSharesCommandInput,
  ctx: CallContext,
): Out<ram.GetResourceSharesCommandOutput> {
  if (input.resourceOwner !== 'SELF' && input.resourceOwner !== 'OTHER-ACCOUNTS') {
    throw awsError('ram', 'InvalidParameterException', 'resourceOwner must be SELF or OTHER-ACCOUNTS.');
  }
  const found = Object.values(shares(ctx.state)).filter((share) => {
    if (share.region !== ctx.region) return false;
    const mine = share.owningAccountId === ctx.caller.accountId;
    if (input.resourceOwner === 'SELF' ? !mine : mine || !share.principals.includes(ctx.caller.accountId))
      return false;
    if (input.name !== undefined && share.name !== input.name) return false;
    if (input.resourceShareStatus !== undefined && share.status !== input.resourceShareStatus) return false;
    if (input.resourceShareArns && !input.resourceShareArns.includes(share.arn)) return false;
    return true;
  });
  return { resourceShares: found.map(view) };
}

function getResourceShareAssociations(
  input: ram.GetResourceShareAssociationsCommandInput,
  ctx: CallContext,
): Out<ram.GetResourceShareAssociationsCommandOutput> {
  const type = input.associationType;
  if (type !== 'PRINCIPAL' && type !== 'RESOURCE') {
    throw awsError('ram', 'InvalidParameterException', 'associationType must be PRINCIPAL or RESOURCE.');
  }
  const associations = (input.resourceShareArns ?? []).flatMap((arn) => {
    const share = ownShare(arn, ctx);
    const entities = type === 'PRINCIPAL' ? share.principals : share.resources;
    return entities.map((entity) => ({
      resourceShareArn: share.arn,
      resourceShareName: share.name,
      associatedEntity: entity,
      associationType: type,
      status: 'ASSOCIATED' as const,
      creationTime: new Date(share.createdAt),
      lastUpdatedTime: new Date(share.updatedAt),
      external: false,
    }));
  });
  return { resourceShareAssociations: associations };
}

function associateResourceShare(
  input: ram.AssociateResourceShareCommandInput,
  ctx: CallContext,
): Out<ram.AssociateResourceShareCommandOutput> {
  const share = ownShare(input.resourceShareArn, ctx);
  const principals = input.principals ?? [];
  const resources = input.resourceArns ?? [];
  checkPrincipals(principals, share.allowExternalPrincipals, ctx);
  checkResources(resources, ctx);
  for (const p of principals) if (!share.principals.includes(p)) share.principals.push(p);
  for (const r of resources) if (!share.resources.includes(r)) share.resources.push(r);
  share.updatedAt = ctx.now;
  const association = (entity: string, associationType: 'PRINCIPAL' | 'RESOURCE') => ({
    resourceShareArn: share.arn,
    resourceShareName: share.name,
    associatedEntity: entity,
    associationType,
    status: 'ASSOCIATING' as const,
  });
  return {
    resourceShareAssociations: [
      ...principals.map((p) => association(p, 'PRINCIPAL')),
      ...resources.map((r) => association(r, 'RESOURCE')),
    ],
    ...(input.clientToken && { clientToken: input.clientToken }),
  };
}

function deleteResourceShare(
  input: ram.DeleteResourceShareCommandInput,
  ctx: CallContext,
): Out<ram.DeleteResourceShareCommandOutput> {
  const share = ownShare(input.resourceShareArn, ctx);
  share.status = 'DELETED';
  share.updatedAt = ctx.now;
  return { returnValue: true, ...(input.clientToken && { clientToken: input.clientToken }) };
}

function enableSharingWithAwsOrganization(
  _input: ram.EnableSharingWithAwsOrganizationCommandInput,
  ctx: CallContext,
): Out<ram.EnableSharingWithAwsOrganizationCommandOutput> {
  // "You must call this operation from an IAM role or user in the organization's management account."
  if (ctx.caller.accountId !== ctx.state.organization.managementAccountId) {
    throw awsError(
      'ram',
      'OperationNotPermittedException',
      "EnableSharingWithAwsOrganization must be called from the organization's management account.",
    );
  }
  ctx.state.ramSharingWithOrganization = true;
  return { returnValue: true };
}

export const RAM_HANDLERS: HandlerTable = {
  CreateResourceShare: createResourceShare,
  GetResourceShares: getResourceShares,
  GetResourceShareAssociations: getResourceShareAssociations,
  AssociateResourceShare: associateResourceShare,
  DeleteResourceShare: deleteResourceShare,
  EnableSharingWithAwsOrganization: enableSharingWithAwsOrganization,
};
