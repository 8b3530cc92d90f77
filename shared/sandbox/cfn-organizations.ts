import { createHash } from 'node:crypto';
import type * as cfn from '@aws-sdk/client-cloudformation';
import { membersWhere } from './atomic';
import { STACKSETS_EXEC_ROLE_PREFIX, STACKSETS_SERVICE_PRINCIPAL } from './aws-constants';
import { validationError } from './cfn-template';
import { awsError } from './errors';
import type { CallContext, HandlerTable, Out } from './context';
import { hasTrustedAccess, isDelegatedAdministrator } from './org-delegated-admins';
import type { SandboxStateJson, StackSetState } from './state';

const cfnError = (name: string, message: string) => awsError('cloudformation', name, message);

/**
 * StackSets with service-managed permissions: trusted access with Organizations, CallAs (the
 * management account as SELF, a registered delegated administrator as DELEGATED_ADMIN), and
 * deployment targets by OU with an account filter. Every rule is cited in docs/aws-behaviours.md
 * ("StackSets without the management account").
 */

export type CallAs = 'SELF' | 'DELEGATED_ADMIN';

const OU_OR_ROOT = /^(ou-[a-z0-9]{4,32}-[a-z0-9]{8,32}|r-[a-z0-9]{4,32})$/;
const FILTER_TYPES = new Set(['NONE', 'INTERSECTION', 'DIFFERENCE', 'UNION']);

export function checkCallAs(value: unknown): CallAs {
  if (value === undefined || value === 'SELF') return 'SELF';
  if (value === 'DELEGATED_ADMIN') return 'DELEGATED_ADMIN';
  throw validationError(
    `1 validation error detected: Value '${String(value)}' at 'callAs' failed to satisfy constraint: Member must satisfy enum value set: [SELF, DELEGATED_ADMIN]`,
  );
}

/**
 * "Your Amazon Web Services account must be registered as a delegated administrator in the
 * management account": anything else calling as DELEGATED_ADMIN is refused. The message is the one
 * AWS users report (Terraform's and Pulumi's StackSet documentation quote it).
 */
function requireDelegatedAdministrator(ctx: CallContext): void {
  if (!isDelegatedAdministrator(ctx.state, ctx.caller.accountId, STACKSETS_SERVICE_PRINCIPAL)) {
    throw validationError('Account used is not a delegated administrator');
  }
}

/**
 * The account whose stack sets a call reaches: the caller's own (SELF), or, for a registered
 * delegated administrator, the management account, where "StackSets with service-managed
 * permissions are created ... including StackSets that are created by delegated administrators".
 */
export function actingAccount(ctx: CallContext, callAs: unknown): { accountId: string; callAs: CallAs } {
  const as = checkCallAs(callAs);
  if (as === 'SELF') return { accountId: ctx.caller.accountId, callAs: as };
  requireDelegatedAdministrator(ctx);
  return { accountId: ctx.state.organization.managementAccountId, callAs: as };
}

/** A DELEGATED_ADMIN call reaches only service-managed stack sets (self-managed ones are the management account's own). */
export const reachable = (stackSet: StackSetState, callAs: CallAs): boolean =>
  callAs === 'SELF' || stackSet.permissionModel === 'SERVICE_MANAGED';

/**
 * Who may operate a service-managed stack set: the management account (SELF) or a registered
 * delegated administrator (DELEGATED_ADMIN), with trusted access activated. A member account
 * calling as SELF gets the error AWS users report for exactly that case.
 */
export function requireServiceManagedCaller(ctx: CallContext, callAs: CallAs): void {
  if (callAs === 'SELF' && ctx.caller.accountId !== ctx.state.organization.managementAccountId) {
    throw validationError(
      'You must be the management account or delegated admin account of an organization before operating a SERVICE_MANAGED stack set',
    );
  }
  if (!hasTrustedAccess(ctx.state, STACKSETS_SERVICE_PRINCIPAL)) {
    // Estimate: AWS documents that trusted access must be activated first, not the error's text.
    throw validationError(
      'Organizations access is not activated: activate trusted access with AWS Organizations (ActivateOrganizationsAccess) before operating a SERVICE_MANAGED stack set',
    );
  }
}

/** The name of the execution role StackSets creates in each target ("stacksets-exec-*"; the suffix is an estimate). */
export const serviceManagedExecutionRole = (managementAccountId: string): string =>
  `${STACKSETS_EXEC_ROLE_PREFIX}${createHash('md5').update(managementAccountId).digest('hex')}`;

/** The root or OU and every OU below it. */
function subtree(state: SandboxStateJson, id: string): Set<string> {
  const ids = new Set([id]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const ou of membersWhere(state.ous, (o) => ids.has(o.parentId) && !ids.has(o.id))) {
      ids.add(ou.id);
      grew = true;
    }
  }
  return ids;
}

export interface ResolvedTarget {
  account: string;
  /** The target root or OU the account is under; undefined for an account named outside them (UNION). */
  organizationalUnitId?: string;
}

type TargetInput = {
  Accounts?: string[];
  DeploymentTargets?: cfn.DeploymentTargets;
};

/**
 * The accounts a service-managed operation targets. CREATE and DELETE name OUs ("For create and
 * delete operations, specify OrganizationalUnitIds"); with OUs and Accounts both, a CREATE must say
 * how they combine, and UNION "is not supported for CreateStackInstances". The management account
 * is never a target ("CloudFormation doesn't deploy stack instances to the organization management
 * account, even if [it] is in your organization or in an OU in your organization").
 */
export function serviceManagedTargets(
  ctx: CallContext,
  input: TargetInput,
  action: 'CREATE' | 'UPDATE' | 'DELETE',
): ResolvedTarget[] {
  const { state } = ctx;
  if (input.Accounts !== undefined) {
    throw validationError(
      'StackSets with SERVICE_MANAGED permission model can only have DeploymentTargets as target (Accounts is for SELF_MANAGED permissions)',
    );
  }
  const targets = input.DeploymentTargets;
  if (targets?.AccountsUrl !== undefined) throw validationError('AccountsUrl is not modelled: list Accounts');
  const ous = targets?.OrganizationalUnitIds ?? [];
  const accounts = targets?.Accounts ?? [];
  if (ous.length === 0 && (action !== 'UPDATE' || accounts.length === 0)) {
    throw validationError('OrganizationalUnitIds are required');
  }
  for (const id of ous) {
    if (!OU_OR_ROOT.test(id)) {
      throw validationError(
        `1 validation error detected: Value '[${id}]' at 'deploymentTargets.organizationalUnitIds' failed to satisfy constraint: Member must satisfy regular expression pattern: ^(ou-[a-z0-9]{4,32}-[a-z0-9]{8,32}|r-[a-z0-9]{4,32})$`,
      );
    }
    if (id !== state.organization.rootId && !state.ous[id]) {
      // Estimate: AWS does not document the error for an OU that does not exist.
      throw validationError(`The organizational unit ${id} does not exist in the organization`);
    }
  }
  for (const account of accounts) {
    if (!/^\d{12}$/.test(account))
      throw validationError(
        `1 validation error detected: Value '${account}' at 'deploymentTargets.accounts' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[0-9]{12}$`,
      );
  }
  const given = targets?.AccountFilterType;
  if (given !== undefined && !FILTER_TYPES.has(given)) {
    throw validationError(
      `1 validation error detected: Value '${given}' at 'deploymentTargets.accountFilterType' failed to satisfy constraint: Member must satisfy enum value set: [NONE, INTERSECTION, DIFFERENCE, UNION]`,
    );
  }
  if (action === 'CREATE' && ous.length > 0 && accounts.length > 0 && given === undefined) {
    throw validationError(
      'When performing create operations, if you specify both OrganizationalUnitIds and Accounts, you must also specify the AccountFilterType property.',
    );
  }
  if (action === 'CREATE' && given === 'UNION') {
    throw validationError('AccountFilterType UNION is not supported for CreateStackInstances operations.');
  }
  // "UNION ... is the default value if AccountFilterType is not provided."
  const filter = given ?? (accounts.length > 0 ? 'UNION' : 'NONE');

  const ouOf = new Map<string, string>();
  for (const id of ous) {
    const tree = subtree(state, id);
    const inTree = membersWhere(state.accounts, (a) => a.status === 'ACTIVE' && tree.has(a.parentId));
    for (const account of inTree) if (!ouOf.has(account.id)) ouOf.set(account.id, id);
  }
  const inOus = [...ouOf.keys()];
  const listed = new Set(accounts);
  let selected: string[];
  switch (filter) {
    case 'INTERSECTION':
      selected = inOus.filter((a) => listed.has(a));
      break;
    case 'DIFFERENCE':
      selected = inOus.filter((a) => !listed.has(a));
      break;
    case 'UNION':
      selected = [...new Set([...inOus, ...accounts])];
      break;
    default:
      selected = inOus;
  }
  return selected
    .filter((a) => a !== state.organization.managementAccountId)
    .map((account) => ({
      account,
      ...(ouOf.has(account) && { organizationalUnitId: ouOf.get(account)! }),
    }));
}

/** "Activate trusted access with AWS Organizations": only the management account can. */
function activateOrganizationsAccess(
  _input: cfn.ActivateOrganizationsAccessCommandInput,
  ctx: CallContext,
): Out<cfn.ActivateOrganizationsAccessCommandOutput> {
  if (ctx.caller.accountId !== ctx.state.organization.managementAccountId) {
    // Estimate: the API names InvalidOperationException as its refusal; the text is ours.
    throw cfnError(
      'InvalidOperationException',
      'Only the management account of an organization can activate trusted access with AWS Organizations.',
    );
  }
  const services = (ctx.state.trustedServices ??= []);
  if (!services.includes(STACKSETS_SERVICE_PRINCIPAL)) services.push(STACKSETS_SERVICE_PRINCIPAL);
  return {};
}

function describeOrganizationsAccess(
  input: cfn.DescribeOrganizationsAccessCommandInput,
  ctx: CallContext,
): Out<cfn.DescribeOrganizationsAccessCommandOutput> {
  const { callAs } = actingAccount(ctx, input.CallAs);
  if (callAs === 'SELF' && ctx.caller.accountId !== ctx.state.organization.managementAccountId) {
    throw cfnError(
      'InvalidOperationException',
      'Only the management account or a delegated administrator (CallAs DELEGATED_ADMIN) can describe organizations access.',
    );
  }
  return { Status: hasTrustedAccess(ctx.state, STACKSETS_SERVICE_PRINCIPAL) ? 'ENABLED' : 'DISABLED' };
}

export const ORGANIZATIONS_ACCESS_HANDLERS: HandlerTable = {
  ActivateOrganizationsAccess: activateOrganizationsAccess,
  DescribeOrganizationsAccess: describeOrganizationsAccess,
};
