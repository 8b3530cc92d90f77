import { membersBy } from './atomic';
import type { CallContext } from './context';
import { actingAccount, reachable } from './cfn-organizations';
import { validationError, type ParameterInput } from './cfn-template';
import { awsError, type AwsErrorOptions } from './errors';
import type { PageRules } from './pagination';
import type { OperationPreferencesState, ParameterMap, StackSetState } from './state';
import { stackSetsByName } from './state-indexes';

/** Helpers shared by the CloudFormation StackSets modules. */

export const cfnError = (name: string, message: string, options?: AwsErrorOptions) =>
  awsError('cloudformation', name, message, options);

export { validationError };

/** A required member, as CloudFormation's "1 validation error detected" reports a missing one. */
export function requireMember<T>(value: T | undefined | null, member: string): T {
  if (value === undefined || value === null || value === '') {
    throw validationError(
      `1 validation error detected: Value null at '${member}' failed to satisfy constraint: Member must not be null`,
    );
  }
  return value;
}

export const STACK_SET_NAME = /^[a-zA-Z][-a-zA-Z0-9]*$/;
const ACCOUNT = /^\d{12}$/;
const REGION = /^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d$/;
const OPERATION_ID = /^[a-zA-Z0-9][-a-zA-Z0-9]*$/;

/**
 * The stack set a StackSetName (its name or its id) refers to, among those the acting account owns
 * in the Region the call was made to: a stack set's name is unique per account and Region. The
 * acting account is the caller's own, or the management account for a delegated administrator
 * calling as DELEGATED_ADMIN (who then reaches only service-managed stack sets).
 */
export function findStackSet(ctx: CallContext, nameOrId: unknown, callAs?: unknown): StackSetState {
  const key = requireMember(nameOrId as string | undefined, 'stackSetName');
  const acting = actingAccount(ctx, callAs);
  // By its id (the record's key), or by its name among those still ACTIVE. A name cannot hold the
  // colon every id has, so no stack set is found both ways.
  const byId = Object.prototype.hasOwnProperty.call(ctx.state.stackSets, key)
    ? [ctx.state.stackSets[key]!]
    : [];
  const byName = membersBy(ctx.state.stackSets, stackSetsByName, key).filter((s) => s.status === 'ACTIVE');
  const [found] = [...byId, ...byName].filter(
    (s) => s.ownerAccountId === acting.accountId && s.region === ctx.region && reachable(s, acting.callAs),
  );
  if (!found || found.status !== 'ACTIVE')
    throw cfnError('StackSetNotFoundException', `StackSet ${key} not found`);
  return found;
}

export function checkAccounts(accounts: unknown): string[] {
  const list = requireMember(accounts as string[] | undefined, 'accounts');
  if (!Array.isArray(list) || list.length === 0 || list.some((a) => !ACCOUNT.test(String(a)))) {
    throw validationError(
      `1 validation error detected: Value '${JSON.stringify(list)}' at 'accounts' failed to satisfy constraint: Member must satisfy constraint: [Member must satisfy regular expression pattern: ^[0-9]{12}$]`,
    );
  }
  return [...new Set(list)];
}

export function checkRegions(regions: unknown): string[] {
  const list = requireMember(regions as string[] | undefined, 'regions');
  if (!Array.isArray(list) || list.length === 0) throw validationError('Regions must not be empty');
  const invalid = list.filter((r) => !REGION.test(String(r)));
  if (invalid.length > 0)
    throw validationError(`The following regions are not valid: [${invalid.join(', ')}]`);
  return [...new Set(list)];
}

/** Self-managed targets: Accounts, or DeploymentTargets.Accounts (OUs need service-managed permissions). */
export function targetAccounts(input: {
  Accounts?: string[];
  DeploymentTargets?: { Accounts?: string[]; OrganizationalUnitIds?: string[] };
}): string[] {
  if (input.Accounts && input.DeploymentTargets) {
    throw validationError('You can specify Accounts or DeploymentTargets, but not both.');
  }
  if (input.DeploymentTargets?.OrganizationalUnitIds?.length) {
    throw validationError(
      'OrganizationalUnitIds are only supported for stack sets with SERVICE_MANAGED permissions.',
    );
  }
  return checkAccounts(input.Accounts ?? input.DeploymentTargets?.Accounts);
}

/** Checks OperationPreferences as CloudFormation does. */
export function checkPreferences(
  preferences: OperationPreferencesState | undefined,
): OperationPreferencesState {
  const p = preferences ?? {};
  if (p.MaxConcurrentCount !== undefined && p.MaxConcurrentPercentage !== undefined) {
    throw validationError(
      'You can specify either MaxConcurrentCount or MaxConcurrentPercentage, but not both.',
    );
  }
  if (p.FailureToleranceCount !== undefined && p.FailureTolerancePercentage !== undefined) {
    throw validationError(
      'You can specify either FailureToleranceCount or FailureTolerancePercentage, but not both.',
    );
  }
  const inRange = (value: number | undefined, min: number, max: number) =>
    value === undefined || (Number.isInteger(value) && value >= min && value <= max);
  if (
    !inRange(p.MaxConcurrentCount, 1, Number.MAX_SAFE_INTEGER) ||
    !inRange(p.MaxConcurrentPercentage, 1, 100)
  ) {
    throw validationError(
      'MaxConcurrentCount must be at least 1 and MaxConcurrentPercentage between 1 and 100.',
    );
  }
  if (
    !inRange(p.FailureToleranceCount, 0, Number.MAX_SAFE_INTEGER) ||
    !inRange(p.FailureTolerancePercentage, 0, 100)
  ) {
    throw validationError(
      'FailureToleranceCount must be at least 0 and FailureTolerancePercentage between 0 and 100.',
    );
  }
  if (
    p.RegionConcurrencyType !== undefined &&
    !['SEQUENTIAL', 'PARALLEL'].includes(p.RegionConcurrencyType)
  ) {
    throw validationError('RegionConcurrencyType must be SEQUENTIAL or PARALLEL.');
  }
  if (
    p.ConcurrencyMode !== undefined &&
    !['STRICT_FAILURE_TOLERANCE', 'SOFT_FAILURE_TOLERANCE'].includes(p.ConcurrencyMode)
  ) {
    throw validationError('ConcurrencyMode must be STRICT_FAILURE_TOLERANCE or SOFT_FAILURE_TOLERANCE.');
  }
  return JSON.parse(JSON.stringify(p)) as OperationPreferencesState;
}

/** An explicit OperationId must match CloudFormation's pattern. */
export function checkOperationId(id: string | undefined): string | undefined {
  if (id !== undefined && (id.length > 128 || !OPERATION_ID.test(id))) {
    throw validationError(
      `1 validation error detected: Value '${id}' at 'operationId' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9][-a-zA-Z0-9]*`,
    );
  }
  return id;
}

export const toParameterList = (map: ParameterMap): { ParameterKey: string; ParameterValue: string }[] =>
  Object.entries(map).map(([ParameterKey, ParameterValue]) => ({ ParameterKey, ParameterValue }));

export type { ParameterInput };

/** CloudFormation's List* paging: MaxResults 1..100. */
export const CFN_PAGES: PageRules = {
  defaultSize: 20,
  maxSize: 100,
  invalidToken: () => validationError('Invalid NextToken'),
  invalidSize: (size) =>
    validationError(
      `1 validation error detected: Value '${size}' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 100`,
    ),
};
