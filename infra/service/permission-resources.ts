import { APPLICATION_TAG } from '../../shared/aws/application-tag';
import { NAME_PREFIX } from '../../shared/domain/naming';
import type { PermissionScope, StepPermission } from './step-permissions';

/*
 * The resource patterns, conditions and wildcard reasons the permission tables of the vend
 * (step-permissions.ts) and of the offboarding (offboard-permissions.ts) both scope by: one
 * definition, so the two tables cannot drift apart in what "appvend's" or "this organization's"
 * means.
 */

/** Creations only when the request carries appvend's tag. */
export const TAGGED_ON_CREATE = { Null: { [`aws:RequestTag/${APPLICATION_TAG}`]: 'false' } };
/** Only resources that carry appvend's tag (the code checks the application's value before it acts). */
export const TAGGED_BY_APPVEND = { Null: { [`aws:ResourceTag/${APPLICATION_TAG}`]: 'false' } };
/** Only resources that do not carry appvend's tag yet (a new account, tagged by CreateAccount). */
export const NOT_TAGGED_BY_APPVEND = { Null: { [`aws:ResourceTag/${APPLICATION_TAG}`]: 'true' } };
/** Organizations policy calls limited to service control policies. */
export const SCP_ONLY = { StringEquals: { 'organizations:PolicyType': 'SERVICE_CONTROL_POLICY' } };

export const NO_RESOURCE_LEVEL =
  'have no resource types in the Service Authorization Reference, so they can only be granted on "*"';
export const ORGANIZATION_IDS =
  'Organizations ARNs end in ids AWS assigns at creation (OU, account, policy ids); the pattern is limited to this organization, and to the resource type';

/**
 * Stack sets appvend names (`appvend-<application>-<template>`) in `account`, as an `Fn::Sub`
 * body: this account's own by default; the management account's for service-managed stack sets
 * called as the delegated administrator, which "are created in the management account, including
 * StackSets that are created by delegated administrators" (docs/aws-behaviours.md).
 */
export const appvendStackSets = (account = '${AWS::AccountId}'): string =>
  `arn:\${AWS::Partition}:cloudformation:\${AWS::Region}:${account}:stackset/${NAME_PREFIX}-*`;

/** Their targets (`<stack set id>/<account or OU>`), as for CreateStackInstances and DeleteStackInstances. */
export const appvendStackSetTargets = (account = '${AWS::AccountId}'): string =>
  `arn:\${AWS::Partition}:cloudformation:\${AWS::Region}:${account}:stackset-target/${NAME_PREFIX}-*`;

export const APPVEND_STACK_SETS = appvendStackSets();
export const APPVEND_STACK_SET_TARGETS = appvendStackSetTargets();

/**
 * "Make sure your delegated administrators have organizations:ListDelegatedAdministrators
 * permissions to avoid any potential errors" (StackSets, docs/aws-behaviours.md): CloudFormation
 * checks the caller's registration with the caller's own permissions, so it is on the function's
 * role, not the management role's (the function itself never calls Organizations).
 */
export const STACKSETS_DELEGATED_ADMINISTRATOR: StepPermission = {
  sid: 'StackSetsDelegatedAdministrator',
  actions: ['organizations:ListDelegatedAdministrators'],
  resources: ['*'],
  wildcardReason: `organizations:ListDelegatedAdministrators ${NO_RESOURCE_LEVEL}; StackSets asks for it of its delegated administrators.`,
  onFunctionRole: true,
};

/** This organization's root, OUs, accounts and SCPs, as `Fn::Sub` bodies. */
export interface OrganizationArns {
  root: string;
  ous: string;
  accounts: string;
  scps: string;
}

/**
 * The ARN patterns of this organization's resources, each limited to its resource type.
 *
 * @example
 * organizationArns({ managementAccountId: '111111111111', organizationId: 'o-abc' }).ous;
 * // 'arn:${AWS::Partition}:organizations::111111111111:ou/o-abc/ou-*'
 */
export function organizationArns(
  scope: Pick<PermissionScope, 'managementAccountId' | 'organizationId'>,
): OrganizationArns {
  const org = (path: string) =>
    `arn:\${AWS::Partition}:organizations::${scope.managementAccountId}:${path.replace('{org}', scope.organizationId)}`;
  return {
    root: org('root/{org}/r-*'),
    ous: org('ou/{org}/ou-*'),
    accounts: org('account/{org}/*'),
    scps: org('policy/{org}/service_control_policy/p-*'),
  };
}

/**
 * The exact ARN of a configured OU (`ou-…`) of this organization, as an `Fn::Sub` body; none for a
 * root id (the root pattern covers it) or when unset.
 *
 * @example
 * configuredOuArn({ managementAccountId: '111111111111', organizationId: 'o-abc' }, 'ou-ab12-cdef3456');
 * // 'arn:${AWS::Partition}:organizations::111111111111:ou/o-abc/ou-ab12-cdef3456'
 */
export function configuredOuArn(
  scope: Pick<PermissionScope, 'managementAccountId' | 'organizationId'>,
  ouId: string | undefined,
): string[] {
  if (!ouId?.startsWith('ou-')) return [];
  return [
    `arn:\${AWS::Partition}:organizations::${scope.managementAccountId}:ou/${scope.organizationId}/${ouId}`,
  ];
}

/**
 * MoveAccount authorizes the account, its source parent and its destination parent, each a
 * resource of the request: appvend moves accounts only through appvend's own OUs (those that carry
 * its tag), the root (where CreateAccount puts a new account), and the configured OUs given.
 */
export function moveAccountPermissions(
  scope: Pick<PermissionScope, 'managementAccountId' | 'organizationId'>,
  sidPrefix: string,
  configuredOuIds: Array<string | undefined>,
  options: { root: boolean },
): StepPermission[] {
  const { root, ous, accounts } = organizationArns(scope);
  return [
    {
      sid: `${sidPrefix}FromKnownParents`,
      actions: ['organizations:ListParents', 'organizations:MoveAccount'],
      resources: [
        accounts,
        ...(options.root ? [root] : []),
        ...configuredOuIds.flatMap((id) => configuredOuArn(scope, id)),
      ],
      wildcardReason: `The accounts are known only at run time, the root and the configured OUs by their ids: ${ORGANIZATION_IDS}.`,
    },
    {
      sid: `${sidPrefix}ThroughAppvendOus`,
      actions: ['organizations:MoveAccount'],
      resources: [ous],
      conditions: TAGGED_BY_APPVEND,
      wildcardReason: `Only OUs that carry appvend's tag (the application's OU, created at run time): ${ORGANIZATION_IDS}.`,
    },
  ];
}

/**
 * The org paths (`aws:ResourceOrgPaths`) of the accounts appvend vends: those in an OU directly
 * under the parent OU (the application OUs), or, with the root as parent, in any OU (never an
 * account directly in the root, where the management account is); and those in the suspended OU,
 * where an offboarding run again (the closure, asked again) still finds them.
 */
export function vendedAccountOrgPaths(parentOuId: string | undefined, suspendedOuId?: string): string[] {
  const org = '${aws:PrincipalOrgID}';
  const applicationOus = parentOuId?.startsWith('ou-')
    ? `${org}/r-*/*${parentOuId}/ou-*/`
    : `${org}/${parentOuId ?? 'r-*'}/ou-*/`;
  return [applicationOus, ...(suspendedOuId ? [`${org}/r-*/*${suspendedOuId}/`] : [])];
}
