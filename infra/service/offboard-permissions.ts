import type { OffboardFunctionName } from '../workflow/step-functions';
import {
  APPVEND_STACK_SETS,
  APPVEND_STACK_SET_TARGETS,
  NO_RESOURCE_LEVEL,
  ORGANIZATION_IDS,
  SCP_ONLY,
  TAGGED_BY_APPVEND,
  moveAccountPermissions,
  organizationArns,
} from './permission-resources';
import {
  SSO_ACCOUNTS,
  SSO_INSTANCES,
  SSO_PERMISSION_SETS,
  SSO_WILDCARD_REASON,
  assumeMemberAccessRole,
  resolveIdentityPermissions,
  type PermissionScope,
  type StepPermission,
} from './step-permissions';

/**
 * The permissions of each offboarding function: exactly the AWS calls `shared/workflow/offboard`
 * and the adapters it uses make for that step. What deletes or closes is limited to resources that
 * carry appvend's tag (the code checks the application's value before it acts); stack sets to
 * `appvend-*`; Organizations resources to this organization. The offboarding reuses the vend's
 * `check-stack-set-operation`, whose permissions are the vend's.
 *
 * @example
 * offboardPermissions('suspend-accounts', scope).flatMap((p) => p.actions);
 * // ['organizations:ListParents', 'organizations:MoveAccount']
 */
export function offboardPermissions(fn: OffboardFunctionName, scope: PermissionScope): StepPermission[] {
  const { ous, accounts, scps } = organizationArns(scope);
  const ledgerRead = (sid: string): StepPermission => ({
    sid,
    actions: ['dynamodb:GetItem'],
    resources: [scope.ledgerTableArn],
  });

  switch (fn) {
    case 'prepare-offboarding':
      return [
        ledgerRead('ReadApplicationFromLedger'),
        {
          sid: 'CheckSuspendedOu',
          actions: ['organizations:DescribeOrganizationalUnit'],
          resources: [ous],
          wildcardReason: `The suspended OU is configured at run time: ${ORGANIZATION_IDS}.`,
        },
      ];

    case 'remove-guardrails':
      return [
        {
          sid: 'ReadAccountStatus',
          actions: ['organizations:DescribeAccount'],
          resources: [accounts],
          wildcardReason: `The application's accounts are known only at run time: ${ORGANIZATION_IDS}.`,
        },
        // The conformance pack and Config recorder are removed in each account through the member
        // access role (shared/aws/config-guardrails.ts, shared/domain/member-access.ts).
        assumeMemberAccessRole(scope),
      ];

    case 'remove-stack-set':
      return [
        {
          sid: 'ReadAppvendStackSets',
          actions: [
            'cloudformation:DescribeStackSet',
            'cloudformation:ListStackSetOperations',
            'cloudformation:ListStackInstances',
          ],
          resources: [APPVEND_STACK_SETS],
          wildcardReason:
            'Stack sets are named appvend-<application>-<template> and their ARNs end in an id CloudFormation assigns.',
        },
        {
          sid: 'DeleteTaggedAppvendStackSets',
          actions: ['cloudformation:DeleteStackInstances', 'cloudformation:DeleteStackSet'],
          resources: [
            APPVEND_STACK_SETS,
            // Targets are `<stack set id>/<account>`, as for CreateStackInstances.
            APPVEND_STACK_SET_TARGETS,
            'arn:${AWS::Partition}:cloudformation:${AWS::Region}::type/resource/AWS-*',
          ],
          wildcardReason:
            'Deletions of appvend-* stack sets, their targets (<stack set id>/<account>) and the AWS-owned resource types of the vended templates.',
        },
        // Before deleting an instance: its stack's buckets are emptied in the member account
        // (shared/aws/stack-buckets.ts) through the member access role, which CloudFormation needs
        // to delete them.
        assumeMemberAccessRole(scope),
      ];

    case 'remove-service-control-policy':
      return [
        {
          sid: 'FindConnectionShare',
          actions: ['ram:GetResourceShares'],
          resources: ['*'],
          wildcardReason: `ram:GetResourceShares ${NO_RESOURCE_LEVEL}.`,
        },
        {
          // The code deletes it only when the tag's value is the application's.
          sid: 'DeleteTaggedConnectionShare',
          actions: ['ram:DeleteResourceShare'],
          resources: ['arn:${AWS::Partition}:ram:us-east-1:${AWS::AccountId}:resource-share/*'],
          conditions: TAGGED_BY_APPVEND,
          wildcardReason:
            "RAM names a resource share by an id it assigns; only shares carrying appvend's tag.",
        },
        {
          sid: 'FindScpByName',
          actions: ['organizations:ListPolicies'],
          resources: ['*'],
          conditions: SCP_ONLY,
          wildcardReason: `organizations:ListPolicies ${NO_RESOURCE_LEVEL}; the condition limits it to SCPs.`,
        },
        {
          sid: 'ReadScp',
          actions: [
            'organizations:DescribePolicy',
            'organizations:ListTagsForResource',
            'organizations:ListTargetsForPolicy',
          ],
          resources: [scps],
          wildcardReason: `The SCP's id is assigned at creation: ${ORGANIZATION_IDS}.`,
        },
        {
          sid: 'DetachAndDeleteTaggedScp',
          actions: ['organizations:DetachPolicy', 'organizations:DeletePolicy'],
          resources: [scps, ous, accounts],
          conditions: { ...SCP_ONLY, ...TAGGED_BY_APPVEND },
          wildcardReason: `Only SCPs, OUs and accounts that carry appvend's tag: ${ORGANIZATION_IDS}.`,
        },
      ];

    case 'remove-access':
      return [
        ...resolveIdentityPermissions(),
        {
          sid: 'RemoveAccountAssignments',
          actions: ['sso:ListAccountAssignments', 'sso:DeleteAccountAssignment'],
          resources: [SSO_INSTANCES, SSO_PERMISSION_SETS, SSO_ACCOUNTS],
          wildcardReason: SSO_WILDCARD_REASON,
        },
        {
          sid: 'FollowAccountAssignmentRemovals',
          actions: ['sso:DescribeAccountAssignmentDeletionStatus'],
          resources: [SSO_INSTANCES],
          wildcardReason: SSO_WILDCARD_REASON,
        },
      ];

    case 'suspend-accounts':
      return [
        // From the application's OU (tagged) to the suspended OU (configured), nowhere else.
        ...moveAccountPermissions(scope, 'MoveAccountToSuspendedOu', [scope.suspendedOuId], { root: false }),
      ];

    case 'remove-organizational-unit':
      return [
        {
          sid: 'ReadApplicationOu',
          actions: [
            'organizations:DescribeOrganizationalUnit',
            'organizations:ListTagsForResource',
            'organizations:ListChildren',
          ],
          resources: [ous],
          wildcardReason: `The OU's id is assigned at creation: ${ORGANIZATION_IDS}.`,
        },
        {
          sid: 'DeleteTaggedOu',
          actions: ['organizations:DeleteOrganizationalUnit'],
          resources: [ous],
          conditions: TAGGED_BY_APPVEND,
          wildcardReason: `Only OUs that carry appvend's tag: ${ORGANIZATION_IDS}.`,
        },
      ];

    case 'close-accounts':
      return [
        {
          // The closure quota's base and AWS's own view of recent closures.
          sid: 'ReadOrganizationAccounts',
          actions: ['organizations:DescribeOrganization', 'organizations:ListAccounts'],
          resources: ['*'],
          wildcardReason: `organizations:DescribeOrganization and ListAccounts ${NO_RESOURCE_LEVEL}.`,
        },
        {
          sid: 'ReadAccountTags',
          actions: ['organizations:ListTagsForResource'],
          resources: [accounts],
          wildcardReason: `The account's id is assigned at creation: ${ORGANIZATION_IDS}.`,
        },
        {
          sid: 'CloseTaggedAccount',
          actions: ['organizations:CloseAccount'],
          resources: [accounts],
          conditions: TAGGED_BY_APPVEND,
          wildcardReason: `Only accounts that carry appvend's tag: ${ORGANIZATION_IDS}.`,
        },
        {
          // The ledger's record of earlier closures, of every application: one small item each.
          sid: 'ReadClosuresFromLedger',
          actions: ['dynamodb:Scan'],
          resources: [scope.ledgerTableArn],
        },
      ];

    case 'summarize-offboarding':
      return [
        {
          sid: 'RecordOffboardingInLedger',
          actions: ['dynamodb:GetItem', 'dynamodb:PutItem'],
          resources: [scope.ledgerTableArn],
        },
      ];
  }
}
