import { LINE_HEAD_KEY } from '../../shared/ledger/account-line';
import { BASELINED_TAG, QUARANTINE_POLICY_ROOT_TAG } from '../../shared/domain/quarantine';
import { DETAIL_TYPE, EVENT_SOURCE } from '../../shared/workflow/announce';
import { MEMBER_ACCESS_ROLE_NAME } from '../../shared/domain/member-access';
import {
  FRONT_DOOR_FUNCTIONS,
  functionName,
  type FrontDoorFunctionName,
  type ServiceFunctionName,
  type StepFunctionName,
} from '../workflow/step-functions';
import {
  NO_RESOURCE_LEVEL,
  STACKSETS_DELEGATED_ADMINISTRATOR,
  appvendStackSetTargets,
  appvendStackSets,
  ORGANIZATION_IDS,
  SCP_ONLY,
  NOT_TAGGED_BY_APPVEND,
  TAGGED_BY_APPVEND,
  TAGGED_ON_CREATE,
  configuredOuArn,
  moveAccountPermissions,
  organizationArns,
  vendedAccountOrgPaths,
} from './permission-resources';

/** RAM shares a global resource (the connection) from us-east-1 only: the share lives there. */
const CONNECTION_SHARES = 'arn:${AWS::Partition}:ram:us-east-1:${AWS::AccountId}:resource-share/*';

/**
 * DeployStackSets' pipeline branch shares the management account's connection with the tooling
 * account (`shared/aws/connection-share.ts`): a share within the organization only
 * (`ram:RequestedAllowsExternalPrincipals`), of connections only (RAM shares only what the caller owns), carrying
 * appvend's tag; additions only to shares that carry it and stay inside the organization.
 */
function shareConnectionPermissions(): StepPermission[] {
  return [
    {
      sid: 'ReadConnectionShares',
      actions: ['ram:GetResourceShares', 'ram:GetResourceShareAssociations'],
      resources: ['*'],
      wildcardReason: `ram:GetResourceShares and ram:GetResourceShareAssociations ${NO_RESOURCE_LEVEL}.`,
    },
    {
      sid: 'CreateConnectionShare',
      actions: ['ram:CreateResourceShare'],
      resources: ['*'],
      conditions: {
        ...TAGGED_ON_CREATE,
        Bool: { 'ram:RequestedAllowsExternalPrincipals': 'false' },
        // Connections only; RAM itself shares only what the calling account owns.
        ArnLike: { 'ram:ResourceArn': 'arn:*:codeconnections:*:*:connection/*' },
      },
      wildcardReason: `ram:CreateResourceShare ${NO_RESOURCE_LEVEL}; only a share of connections, inside the organization, carrying appvend's tag.`,
    },
    {
      sid: 'AssociateConnectionShare',
      actions: ['ram:AssociateResourceShare'],
      resources: [CONNECTION_SHARES],
      conditions: {
        ...TAGGED_BY_APPVEND,
        Bool: { 'ram:AllowsExternalPrincipals': 'false' },
      },
      wildcardReason: "RAM names a resource share by an id it assigns; only shares carrying appvend's tag.",
    },
  ];
}

/** Identity Center's ARNs name the instance, permission sets and accounts by ids (`ssoins-…`, `ps-…`). */
export const SSO_INSTANCES = 'arn:${AWS::Partition}:sso:::instance/*';
export const SSO_PERMISSION_SETS = 'arn:${AWS::Partition}:sso:::permissionSet/*/*';
export const SSO_ACCOUNTS = 'arn:${AWS::Partition}:sso:::account/*';
export const SSO_WILDCARD_REASON =
  "Identity Center names the instance and permission sets by ids it assigns (ssoins-…, ps-…), and the request names permission sets by name; accounts are the vend's own, created at run time. Identity Center has no condition key that limits accounts to an OU.";

/**
 * Reading the request's groups and permission sets: the instance (ListInstances has no resource
 * type), its permission sets, and group ids in the identity store of this account.
 */
export function resolveIdentityPermissions(): StepPermission[] {
  return [
    {
      sid: 'FindIdentityCenterInstance',
      actions: ['sso:ListInstances'],
      resources: ['*'],
      wildcardReason: `sso:ListInstances ${NO_RESOURCE_LEVEL}.`,
    },
    {
      sid: 'ReadPermissionSets',
      actions: ['sso:ListPermissionSets', 'sso:DescribePermissionSet'],
      resources: [SSO_INSTANCES, SSO_PERMISSION_SETS],
      wildcardReason: SSO_WILDCARD_REASON,
    },
    {
      sid: 'FindGroupsByName',
      actions: ['identitystore:GetGroupId'],
      resources: [
        'arn:${AWS::Partition}:identitystore::${AWS::AccountId}:identitystore/*',
        'arn:${AWS::Partition}:identitystore:::group/*',
      ],
      wildcardReason:
        "The identity store id (d-…) is assigned when Identity Center is enabled, and groups are named by the request; only this account's identity store.",
    },
  ];
}

/**
 * Alternate contacts of the organization's member accounts only (the `accountInOrganization`
 * resource type), of the three types the request may set.
 */
function alternateContactPermission(scope: PermissionScope, sid: string, actions: string[]): StepPermission {
  return {
    sid,
    actions,
    resources: [
      `arn:\${AWS::Partition}:account::${scope.managementAccountId}:account/${scope.organizationId}/*`,
    ],
    conditions: {
      'ForAllValues:StringEquals': { 'account:AlternateContactTypes': ['SECURITY', 'OPERATIONS', 'BILLING'] },
    },
    wildcardReason:
      "Member accounts are the vend's own, created at run time; only accounts of this organization.",
  };
}

/**
 * One IAM statement a step's function needs. Resources are `*` or `Fn::Sub` bodies, so that the
 * same data is the CloudFormation policy and what cdk-nag names in its findings.
 */
export interface StepPermission {
  sid: string;
  actions: readonly string[];
  resources: readonly string[];
  conditions?: Record<string, Record<string, string | string[]>>;
  /** Why the resources hold a wildcard; required when they do (it becomes the nag acknowledgement). */
  wildcardReason?: string;
  /**
   * An Organizations action that stays on the function's own role rather than going through the
   * management role (management-access.ts): one AWS checks on the caller's behalf, the StackSets
   * delegated administrator's ListDelegatedAdministrators.
   */
  onFunctionRole?: true;
}

/**
 * Where the vend's stack sets are and how they are called: self-managed in this account (with the
 * administration role passed), or service-managed, which live in the management account and are
 * called from any other account as the StackSets delegated administrator.
 */
export type StackSetsScope =
  | { mode: 'SELF_MANAGED' }
  | {
      mode: 'SERVICE_MANAGED';
      /** The management account id (`Fn::Sub` body): where service-managed stack sets are created. */
      ownerAccountId: string;
      /** Whether the service runs outside the management account (CallAs DELEGATED_ADMIN). */
      delegatedAdministrator: boolean;
    };

/**
 * What the permissions are scoped by. Values used in resources may be `Fn::Sub` references
 * (`${OrganizationId}`, `${LedgerTable1234.Arn}`); values used in conditions are CloudFormation
 * values (strings or tokens).
 */
export interface PermissionScope {
  /** The organization id (`o-…`), as it appears in Organizations ARNs. */
  organizationId: string;
  /** The management account id, as it appears in Organizations ARNs. */
  managementAccountId: string;
  /** The role appvend assumes in member accounts (`APPVEND_MEMBER_ROLE`). */
  memberRoleName: string;
  /** The OU application OUs are created under (`APPVEND_PARENT_OU_ID`); the root when unset. */
  parentOuId?: string;
  /** The OU offboarded accounts are moved to (`APPVEND_SUSPENDED_OU_ID`). */
  suspendedOuId?: string;
  /** The StackSet administration role passed to CloudFormation with each stack set. */
  stackSetAdministrationRoleName: string;
  /** How the stack sets are administered; self-managed in this account when unset. */
  stackSets?: StackSetsScope;
  /** The ledger table's ARN (`appvend-ledger`). */
  ledgerTableArn: string;
  /** The service's event bus ARN (`appvend`), which carries the vend outcome events. */
  eventBusArn: string;
  /** The notifications topic's ARN (`appvend-notifications`), where people hear of vend outcomes. */
  notificationsTopicArn: string;
  /** The ARN of the customer managed key the topics are encrypted with. */
  topicsKeyArn: string;
  /** SNS's endpoint in the stack's Region (`sns.<region>.amazonaws.com`): the `kms:ViaService` of SNS's KMS calls. */
  snsEndpoint: string;
  /** The vend state machine's ARN (`appvend-vend`). */
  stateMachineArn: string;
  /** The dead-letter queue's ARN: where requests the front door could not process end up. */
  deadLetterQueueArn: string;
  /** The offboarding state machine's ARN (`appvend-offboard`), which the portal's DELETE starts. */
  offboardStateMachineArn?: string;
}

/** The tag appvend puts on everything it creates (OU, SCP, accounts, stack sets). */
export { APPLICATION_TAG } from '../../shared/aws/application-tag';

/**
 * PutEvents only for appvend's outcome events. Both keys hold one value per entry of the call
 * (multivalued): every entry must match, and a call without them matches nothing.
 */
const OUTCOME_EVENTS_ONLY = {
  'ForAllValues:StringEquals': {
    'events:source': [EVENT_SOURCE],
    'events:detail-type': [DETAIL_TYPE.vended, DETAIL_TYPE.failed, DETAIL_TYPE.driftFixed],
  },
  Null: { 'events:source': 'false', 'events:detail-type': 'false' },
};

/** PutEvents only for `Application Drift Detected` (see OUTCOME_EVENTS_ONLY). */
const DRIFT_EVENTS_ONLY = {
  'ForAllValues:StringEquals': {
    'events:source': [EVENT_SOURCE],
    'events:detail-type': [DETAIL_TYPE.driftDetected],
  },
  Null: { 'events:source': 'false', 'events:detail-type': 'false' },
};

/**
 * The permissions of each step's function: exactly the AWS calls `shared/workflow/steps` and
 * `shared/aws` make for that step, and nothing of another step. Organizations resources are
 * limited to this organization; stack sets to `appvend-*`; mutations of SCPs to those appvend
 * tagged; creations must carry appvend's tag; roles in member accounts may be assumed only in
 * accounts of the same organization (`aws:ResourceOrgID`).
 *
 * @example
 * stepPermissions('move-account', scope).flatMap((p) => p.actions);
 * // ['organizations:ListParents', 'organizations:MoveAccount']
 */
export function stepPermissions(step: StepFunctionName, scope: PermissionScope): StepPermission[] {
  const { root, ous, accounts, scps } = organizationArns(scope);
  const stackSets = stackSetArns(scope).stackSets;

  switch (step) {
    case 'validate-request':
      return resolveIdentityPermissions();

    case 'grant-access':
      return [
        ...resolveIdentityPermissions(),
        {
          // Delete: a changed request removes the assignments appvend made that it dropped (the
          // step deletes only those the ledger records it made; IAM cannot tell them apart).
          sid: 'GrantAccountAssignments',
          actions: [
            'sso:ListAccountAssignments',
            'sso:CreateAccountAssignment',
            'sso:DeleteAccountAssignment',
          ],
          resources: [SSO_INSTANCES, SSO_PERMISSION_SETS, SSO_ACCOUNTS],
          wildcardReason: SSO_WILDCARD_REASON,
        },
        {
          sid: 'FollowAccountAssignments',
          actions: [
            'sso:DescribeAccountAssignmentCreationStatus',
            'sso:DescribeAccountAssignmentDeletionStatus',
          ],
          resources: [SSO_INSTANCES],
          wildcardReason: SSO_WILDCARD_REASON,
        },
        alternateContactPermission(scope, 'PutAlternateContacts', [
          'account:PutAlternateContact',
          'account:DeleteAlternateContact',
        ]),
        // What it is about to make is recorded in the application's item first (write-ahead).
        ledgerReadWrite('RecordAccessMadeInLedger', scope),
      ];

    case 'summarize-vend':
      return [
        ledgerReadWrite('RecordOutcomeInLedger', scope),
        {
          sid: 'AnnounceOutcomeOnBus',
          actions: ['events:PutEvents'],
          resources: [scope.eventBusArn],
          conditions: OUTCOME_EVENTS_ONLY,
        },
        {
          sid: 'NotifyOutcome',
          actions: ['sns:Publish'],
          resources: [scope.notificationsTopicArn],
        },
        {
          // The topic is encrypted: SNS asks KMS for a data key on the publisher's behalf.
          sid: 'EncryptNotificationThroughSns',
          actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
          resources: [scope.topicsKeyArn],
          conditions: { StringEquals: { 'kms:ViaService': scope.snsEndpoint } },
        },
      ];

    case 'ensure-organizational-unit':
      return [
        {
          sid: 'FindRoot',
          actions: ['organizations:ListRoots'],
          resources: ['*'],
          wildcardReason: `organizations:ListRoots ${NO_RESOURCE_LEVEL}.`,
        },
        {
          sid: 'FindOrCreateOu',
          actions: [
            'organizations:ListOrganizationalUnitsForParent',
            'organizations:CreateOrganizationalUnit',
          ],
          resources: [root, ous],
          wildcardReason: `The parent is the root or an OU, and the OU is new: ${ORGANIZATION_IDS}.`,
        },
        {
          // An earlier vend's OU, by the id the ledger recorded: its name and its parent.
          sid: 'CheckRecordedOu',
          actions: ['organizations:DescribeOrganizationalUnit', 'organizations:ListParents'],
          resources: [ous],
          wildcardReason: `The application OU's id is assigned at creation: ${ORGANIZATION_IDS}.`,
        },
        {
          sid: 'TagOu',
          actions: ['organizations:ListTagsForResource', 'organizations:TagResource'],
          resources: [ous],
          wildcardReason: `The application OU's id is assigned at creation: ${ORGANIZATION_IDS}.`,
        },
      ];

    case 'ensure-service-control-policy':
      return [
        {
          sid: 'FindScp',
          actions: ['organizations:ListPolicies'],
          resources: ['*'],
          conditions: SCP_ONLY,
          wildcardReason: `organizations:ListPolicies ${NO_RESOURCE_LEVEL}; the condition limits it to SCPs.`,
        },
        {
          sid: 'CreateTaggedScp',
          actions: ['organizations:CreatePolicy', 'organizations:TagResource'],
          resources: [scps],
          conditions: { ...SCP_ONLY, ...TAGGED_ON_CREATE },
          wildcardReason: `A new SCP's id is assigned at creation: ${ORGANIZATION_IDS}; it must carry appvend's tag.`,
        },
        {
          sid: 'ReadScp',
          actions: ['organizations:DescribePolicy'],
          resources: [scps],
          wildcardReason: `The SCP is found by name, its id assigned at creation: ${ORGANIZATION_IDS}.`,
        },
        {
          sid: 'UpdateAndAttachAppvendScp',
          actions: ['organizations:UpdatePolicy', 'organizations:AttachPolicy'],
          resources: [scps, ous],
          conditions: { ...SCP_ONLY, ...TAGGED_BY_APPVEND },
          wildcardReason: `Only SCPs and OUs that carry appvend's tag: ${ORGANIZATION_IDS}.`,
        },
        {
          sid: 'ListOuScps',
          actions: ['organizations:ListPoliciesForTarget'],
          resources: [ous],
          wildcardReason: `The application OU's id is assigned at creation: ${ORGANIZATION_IDS}.`,
        },
      ];

    case 'start-account-creation':
      return [
        {
          sid: 'FindAccountOrRequest',
          actions: ['organizations:ListAccounts', 'organizations:ListCreateAccountStatus'],
          resources: ['*'],
          wildcardReason: `organizations:ListAccounts and ListCreateAccountStatus ${NO_RESOURCE_LEVEL}.`,
        },
        {
          sid: 'CreateTaggedAccount',
          actions: ['organizations:CreateAccount'],
          resources: ['*'],
          conditions: TAGGED_ON_CREATE,
          wildcardReason: `organizations:CreateAccount ${NO_RESOURCE_LEVEL}; the account must carry appvend's tag.`,
        },
        {
          // An earlier vend's account is looked for where the application keeps it (its OU, and
          // the account its ledger record names) before the whole organization is read.
          sid: 'FindApplicationAccount',
          actions: ['organizations:ListAccountsForParent'],
          resources: [ous],
          wildcardReason: `The application OU's id is assigned at creation: ${ORGANIZATION_IDS}.`,
        },
        {
          sid: 'DescribeRecordedAccount',
          actions: ['organizations:DescribeAccount'],
          resources: [accounts],
          wildcardReason: `The account ids of an earlier vend are assigned at creation: ${ORGANIZATION_IDS}.`,
        },
        {
          // An account found by email is adopted only when it is provably the application's own:
          // its tag and the OU it sits in (shared/domain/account-adoption.ts).
          sid: 'CheckAdoptedAccount',
          actions: ['organizations:ListTagsForResource', 'organizations:ListParents'],
          resources: [accounts],
          wildcardReason: `Accounts are found by email, their ids assigned at creation: ${ORGANIZATION_IDS}.`,
        },
        {
          sid: 'CheckAdoptedAccountOu',
          actions: ['organizations:ListTagsForResource'],
          resources: [ous],
          wildcardReason: `The OU an account found by email sits in may be any of the organization's: ${ORGANIZATION_IDS}.`,
        },
        {
          sid: 'TagNewAccount',
          actions: ['organizations:TagResource'],
          resources: [accounts],
          // Only an account that does not carry appvend's tag yet (the new one): this function
          // cannot re-tag an account of another application as its own.
          conditions: { Null: { ...TAGGED_ON_CREATE.Null, ...NOT_TAGGED_BY_APPVEND.Null } },
          wildcardReason: `Tags given to CreateAccount are authorized on the new account, whose id is not known before: ${ORGANIZATION_IDS}.`,
        },
        // The queued account joins appvend's line with its task token; leaving it may free a slot.
        ...accountLinePermissions(scope),
      ];

    case 'check-account-creation':
      return [
        {
          sid: 'ReadCreateAccountStatus',
          actions: ['organizations:DescribeCreateAccountStatus'],
          resources: ['*'],
          wildcardReason: `organizations:DescribeCreateAccountStatus ${NO_RESOURCE_LEVEL}.`,
        },
        // A request that ended frees its slot: the first in appvend's line gets its token back.
        ...accountLinePermissions(scope),
      ];

    case 'move-account':
      return [
        // Into the application's OU from the root (a new account), the parent OU or the suspended
        // OU (an account adopted by email, or vended again after offboarding), or an appvend OU.
        ...moveAccountPermissions(scope, 'MoveAccountIntoOu', [scope.parentOuId, scope.suspendedOuId], {
          root: true,
        }),
        {
          sid: 'ReadAccountScpsAndTags',
          actions: ['organizations:ListTagsForResource', 'organizations:ListPoliciesForTarget'],
          resources: [accounts],
          wildcardReason: `The account's id is assigned at creation: ${ORGANIZATION_IDS}.`,
        },
        FIND_QUARANTINE_SCP,
        ...quarantineRecordOnRoot(root, { write: true }),
        {
          sid: 'CreateTaggedQuarantineScp',
          actions: ['organizations:CreatePolicy', 'organizations:TagResource'],
          resources: [scps],
          conditions: { ...SCP_ONLY, ...TAGGED_ON_CREATE },
          wildcardReason: `A new SCP's id is assigned at creation: ${ORGANIZATION_IDS}; it must carry appvend's tag.`,
        },
        {
          sid: 'ReadQuarantineScp',
          actions: ['organizations:DescribePolicy'],
          resources: [scps],
          wildcardReason: `The SCP is found by name, its id assigned at creation: ${ORGANIZATION_IDS}.`,
        },
        {
          sid: 'QuarantineAppvendAccount',
          actions: ['organizations:UpdatePolicy', 'organizations:AttachPolicy'],
          resources: [scps, accounts],
          conditions: { ...SCP_ONLY, ...TAGGED_BY_APPVEND },
          wildcardReason: `Only SCPs and accounts that carry appvend's tag: ${ORGANIZATION_IDS}.`,
        },
        assumeMemberRole(scope),
      ];

    case 'release-quarantine':
      return [
        FIND_QUARANTINE_SCP,
        ...quarantineRecordOnRoot(root, { write: false }),
        {
          sid: 'ReadQuarantineScp',
          actions: ['organizations:DescribePolicy'],
          resources: [scps],
          wildcardReason: `The SCP the root's tag names is checked by its name; its id is assigned at creation: ${ORGANIZATION_IDS}.`,
        },
        {
          sid: 'ListAccountScps',
          actions: ['organizations:ListPoliciesForTarget'],
          resources: [accounts],
          wildcardReason: `The account's id is assigned at creation: ${ORGANIZATION_IDS}.`,
        },
        {
          sid: 'MarkAccountBaselined',
          actions: ['organizations:ListTagsForResource', 'organizations:TagResource'],
          resources: [accounts],
          conditions: {
            ...TAGGED_BY_APPVEND,
            'ForAllValues:StringEquals': { 'aws:TagKeys': [BASELINED_TAG] },
          },
          wildcardReason: `Only accounts that carry appvend's tag, and only the baselined tag: ${ORGANIZATION_IDS}.`,
        },
        {
          sid: 'ReleaseAppvendAccount',
          actions: ['organizations:DetachPolicy'],
          resources: [scps, accounts],
          conditions: { ...SCP_ONLY, ...TAGGED_BY_APPVEND },
          wildcardReason: `Only SCPs and accounts that carry appvend's tag: ${ORGANIZATION_IDS}.`,
        },
      ];

    case 'deploy-stack-set':
      return [
        {
          sid: 'CreateTaggedStackSet',
          actions: ['cloudformation:CreateStackSet'],
          resources: ['*'],
          conditions: TAGGED_ON_CREATE,
          wildcardReason: `cloudformation:CreateStackSet ${NO_RESOURCE_LEVEL}; the stack set must carry appvend's tag.`,
        },
        {
          sid: 'ReconcileAppvendStackSets',
          actions: [
            'cloudformation:DescribeStackSet',
            'cloudformation:ListStackSetOperations',
            'cloudformation:ListStackInstances',
            'cloudformation:TagResource',
          ],
          resources: [stackSets],
          wildcardReason:
            'Stack sets are named appvend-<application>-<template> and their ARNs end in an id CloudFormation assigns.',
        },
        {
          sid: 'UpdateAppvendStackSets',
          actions: ['cloudformation:UpdateStackSet', 'cloudformation:CreateStackInstances'],
          resources: [
            stackSets,
            // Targets are `<stack set id>/<account>`; types are the AWS resource types the templates use.
            stackSetArns(scope).targets,
            'arn:${AWS::Partition}:cloudformation:${AWS::Region}::type/resource/AWS-*',
          ],
          wildcardReason:
            'Operations on appvend-* stack sets, their targets (<stack set id>/<account>) and the AWS-owned resource types of the vended templates (no third-party types).',
        },
        // Self-managed only: service-managed stack sets use StackSets' own roles, and no role is passed.
        ...(scope.stackSets?.mode === 'SERVICE_MANAGED'
          ? []
          : [
              {
                sid: 'PassStackSetAdministrationRole',
                actions: ['iam:PassRole'],
                resources: [
                  `arn:\${AWS::Partition}:iam::\${AWS::AccountId}:role/${scope.stackSetAdministrationRoleName}`,
                ],
                conditions: { StringEquals: { 'iam:PassedToService': 'cloudformation.amazonaws.com' } },
              },
            ]),
        ...delegatedAdministratorPermissions(scope),
        ...shareConnectionPermissions(),
      ];

    case 'check-stack-set-operation':
      return [
        {
          sid: 'ReadStackSetOperations',
          actions: [
            'cloudformation:DescribeStackSetOperation',
            'cloudformation:ListStackSetOperationResults',
          ],
          resources: [stackSets],
          wildcardReason:
            'Stack sets are named appvend-<application>-<template> and their ARNs end in an id CloudFormation assigns.',
        },
        ...delegatedAdministratorPermissions(scope),
      ];

    case 'register-guardrails':
    case 'check-guardrails':
      return [assumeMemberAccessRole(scope)];
  }
}

/**
 * What a plan reads in the management account (shared/workflow/plan.ts): reads only. With
 * `recordedIds` (the reconcile, which plans from the ledger's records), also where an earlier vend's
 * ids point: the recorded OU (its name and parent) and the recorded accounts.
 */
function planReads(scope: PermissionScope, options: { recordedIds: boolean }): StepPermission[] {
  const { root, ous, accounts, scps } = organizationArns(scope);
  const stackSets = stackSetArns(scope).stackSets;
  return [
    {
      sid: 'PlanFindRootAndAccounts',
      actions: ['organizations:ListRoots', 'organizations:ListAccounts'],
      resources: ['*'],
      wildcardReason: `organizations:ListRoots and ListAccounts ${NO_RESOURCE_LEVEL}.`,
    },
    {
      sid: 'PlanFindScps',
      actions: ['organizations:ListPolicies'],
      resources: ['*'],
      conditions: SCP_ONLY,
      wildcardReason: `organizations:ListPolicies ${NO_RESOURCE_LEVEL}; the condition limits it to SCPs.`,
    },
    {
      sid: 'PlanFindOu',
      actions: ['organizations:ListOrganizationalUnitsForParent'],
      resources: [root, ous],
      wildcardReason: `The parent is the root or an OU: ${ORGANIZATION_IDS}.`,
    },
    {
      sid: 'PlanReadScps',
      actions: ['organizations:DescribePolicy', 'organizations:ListTargetsForPolicy'],
      resources: [scps],
      wildcardReason: `The application's SCP and the quarantine SCP are found by name: ${ORGANIZATION_IDS}.`,
    },
    {
      sid: 'PlanReadOuScps',
      actions: ['organizations:ListPoliciesForTarget'],
      resources: [ous],
      wildcardReason: `The application OU's id is assigned at creation: ${ORGANIZATION_IDS}.`,
    },
    {
      // Where the vend looks first, before the whole organization: the application OU's accounts.
      sid: 'PlanListApplicationAccounts',
      actions: ['organizations:ListAccountsForParent'],
      resources: [ous],
      wildcardReason: `The application OU's id is assigned at creation: ${ORGANIZATION_IDS}.`,
    },
    ...(options.recordedIds
      ? [
          {
            sid: 'PlanLookAtRecordedIds',
            actions: [
              'organizations:DescribeOrganizationalUnit',
              'organizations:ListParents',
              'organizations:DescribeAccount',
            ],
            resources: [ous, accounts],
            wildcardReason: `The OU and account ids an earlier vend recorded are assigned at creation: ${ORGANIZATION_IDS}.`,
          },
        ]
      : []),
    {
      sid: 'PlanFindAccountParent',
      actions: ['organizations:ListParents', 'organizations:ListTagsForResource'],
      resources: [accounts],
      wildcardReason: `Accounts are found by email, their ids assigned at creation: ${ORGANIZATION_IDS}.`,
    },
    {
      sid: 'PlanReadOuTags',
      actions: ['organizations:ListTagsForResource'],
      resources: [ous],
      wildcardReason: `Whether an account found by email sits in another application's OU: ${ORGANIZATION_IDS}.`,
    },
    {
      // The quarantine SCP's id, which the root's tag records (shared/aws/organizations/quarantine-policy.ts).
      sid: 'PlanReadQuarantineRecord',
      actions: ['organizations:ListTagsForResource'],
      resources: [root],
      wildcardReason: `The organization's root: ${ORGANIZATION_IDS}.`,
    },
    {
      sid: 'PlanReadAppvendStackSets',
      actions: ['cloudformation:DescribeStackSet', 'cloudformation:ListStackInstances'],
      resources: [stackSets],
      wildcardReason:
        'Stack sets are named appvend-<application>-<template> and their ARNs end in an id CloudFormation assigns.',
    },
    ...delegatedAdministratorPermissions(scope),
    {
      sid: 'PlanReadConnectionShares',
      actions: ['ram:GetResourceShares', 'ram:GetResourceShareAssociations'],
      resources: ['*'],
      wildcardReason: `ram:GetResourceShares and ram:GetResourceShareAssociations ${NO_RESOURCE_LEVEL}.`,
    },
  ];
}

/**
 * The ARN patterns of appvend's stack sets and their targets: in the management account for
 * service-managed ones (where they live, whoever creates them), in this account otherwise.
 */
export function stackSetArns(scope: Pick<PermissionScope, 'stackSets'>): {
  stackSets: string;
  targets: string;
} {
  const owner = scope.stackSets?.mode === 'SERVICE_MANAGED' ? scope.stackSets.ownerAccountId : undefined;
  return { stackSets: appvendStackSets(owner), targets: appvendStackSetTargets(owner) };
}

/** What a function calling as the StackSets delegated administrator needs besides the calls themselves. */
export function delegatedAdministratorPermissions(
  scope: Pick<PermissionScope, 'stackSets'>,
): StepPermission[] {
  return scope.stackSets?.mode === 'SERVICE_MANAGED' && scope.stackSets.delegatedAdministrator
    ? [STACKSETS_DELEGATED_ADMINISTRATOR]
    : [];
}

/** `dynamodb:Scan` on the ledger: a page of applications (one small item each). */
/**
 * The ARN of the function named `name` in the account and Region of the state machine `arn` names
 * (a concrete ARN, or the stack's `${AWS::Partition}`/`${AWS::Region}`/`${AWS::AccountId}` form).
 */
function functionArnBeside(stateMachineArn: string, name: string): string {
  return stateMachineArn.replace(':states:', ':lambda:').replace(/:stateMachine:[^:]+$/, `:function:${name}`);
}

const listLedger = (scope: PermissionScope): StepPermission => ({
  sid: 'ListLedger',
  actions: ['dynamodb:Scan'],
  resources: [scope.ledgerTableArn],
});

/** StartExecution on the vend state machine: how every door and reconcile start a vend. */
const startVend = (scope: PermissionScope): StepPermission => ({
  sid: 'StartVend',
  actions: ['states:StartExecution'],
  resources: [scope.stateMachineArn],
});

/**
 * AssumeRole of a role of a fixed name in the vended accounts: in this organization's accounts,
 * in an application OU under the parent (or the suspended OU) only: not the management account,
 * not accounts elsewhere in the organization.
 */
function assumeInVendedAccounts(scope: PermissionScope, sid: string, roleName: string): StepPermission {
  return {
    sid,
    actions: ['sts:AssumeRole'],
    resources: [`arn:\${AWS::Partition}:iam::*:role/${roleName}`],
    conditions: {
      StringEquals: { 'aws:ResourceOrgID': '${aws:PrincipalOrgID}' },
      'ForAnyValue:StringLike': {
        'aws:ResourceOrgPaths': vendedAccountOrgPaths(scope.parentOuId, scope.suspendedOuId),
      },
    },
    wildcardReason:
      "Application accounts are created by the vend, so their ids are not known here; the role name is fixed, aws:ResourceOrgID limits it to this organization's accounts and aws:ResourceOrgPaths to accounts in an OU under the parent.",
  };
}

/** The member role (CreateAccount's), in this organization's accounts only. */
export function assumeMemberRole(scope: PermissionScope): StepPermission {
  return assumeInVendedAccounts(scope, 'AssumeMemberRoleInOrganization', scope.memberRoleName);
}

/** The statement id of {@link assumeMemberAccessRole}: the function's own, not through the management role. */
export const MEMBER_ACCESS_SID = 'AssumeMemberAccessRole';

/**
 * The member access role the baseline makes in each vended account (shared/domain/member-access.ts),
 * in this organization's accounts under the parent only. The function assumes it with its own
 * credentials: the role trusts the function's role, not the management account.
 */
export function assumeMemberAccessRole(scope: PermissionScope): StepPermission {
  return assumeInVendedAccounts(scope, MEMBER_ACCESS_SID, MEMBER_ACCESS_ROLE_NAME);
}

/** Finding the quarantine SCP by name. */
const FIND_QUARANTINE_SCP: StepPermission = {
  sid: 'FindQuarantineScp',
  actions: ['organizations:ListPolicies'],
  resources: ['*'],
  conditions: SCP_ONLY,
  wildcardReason: `organizations:ListPolicies ${NO_RESOURCE_LEVEL}; the condition limits it to SCPs.`,
};

/**
 * The root's record of the quarantine SCP's id (QUARANTINE_POLICY_ROOT_TAG): read it, and (the
 * step that ensures the policy) write that one tag, no other, on the root.
 */
function quarantineRecordOnRoot(root: string, access: { write: boolean }): StepPermission[] {
  return [
    {
      sid: 'FindRoot',
      actions: ['organizations:ListRoots'],
      resources: ['*'],
      wildcardReason: `organizations:ListRoots ${NO_RESOURCE_LEVEL}.`,
    },
    {
      sid: access.write ? 'RecordQuarantineScpOnRoot' : 'ReadQuarantineScpRecord',
      actions: ['organizations:ListTagsForResource', ...(access.write ? ['organizations:TagResource'] : [])],
      resources: [root],
      ...(access.write && {
        conditions: { 'ForAllValues:StringEquals': { 'aws:TagKeys': [QUARANTINE_POLICY_ROOT_TAG] } },
      }),
      wildcardReason: `The root's id is the organization's: ${ORGANIZATION_IDS}.`,
    },
  ];
}

/** GetItem (consistent) and conditional PutItem on the ledger: all the ledger's writes are puts. */
/**
 * appvend's CreateAccount line (shared/workflow/steps/account-queue.ts): its ledger items only
 * (`dynamodb:LeadingKeys`, the item's partition key: the head `#account-queue` and its pages and
 * index items under `#account-queue#`, never an application's item, whose names start with a
 * letter), the requests in flight, and the task tokens of the waiting accounts. A change is one
 * TransactWriteItems, whose puts and deletes IAM authorizes as PutItem and DeleteItem
 * (docs/aws-behaviours.md, "The CreateAccount line in pages"). states:SendTaskSuccess,
 * SendTaskFailure and SendTaskHeartbeat have no resource types in the Service Authorization
 * Reference: a token names its task, not an ARN.
 */
export function accountLinePermissions(scope: PermissionScope): StepPermission[] {
  return [
    {
      sid: 'KeepAccountLine',
      actions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:DeleteItem'],
      resources: [scope.ledgerTableArn],
      // ForAllValues alone would also match a request without the key: Null requires it.
      conditions: {
        'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [LINE_HEAD_KEY, `${LINE_HEAD_KEY}#*`] },
        Null: { 'dynamodb:LeadingKeys': 'false' },
      },
    },
    {
      sid: 'CountRequestsInFlight',
      actions: ['organizations:ListCreateAccountStatus'],
      resources: ['*'],
      wildcardReason: `organizations:ListCreateAccountStatus ${NO_RESOURCE_LEVEL}.`,
    },
    {
      sid: 'AnswerWaitingAccounts',
      actions: ['states:SendTaskSuccess', 'states:SendTaskFailure', 'states:SendTaskHeartbeat'],
      resources: ['*'],
      wildcardReason: `states:SendTaskSuccess, SendTaskFailure and SendTaskHeartbeat ${NO_RESOURCE_LEVEL}.`,
    },
  ];
}

function ledgerReadWrite(sid: string, scope: PermissionScope): StepPermission {
  return {
    sid,
    actions: ['dynamodb:GetItem', 'dynamodb:PutItem'],
    resources: [scope.ledgerTableArn],
  };
}

/**
 * The permissions of a front door's function: record the request in the ledger and start the vend
 * (`shared/workflow/intake.ts`), and nothing of the workflow's steps.
 *
 * @example
 * frontDoorPermissions('submit-application', scope).flatMap((p) => p.actions);
 * // ['dynamodb:GetItem', 'dynamodb:PutItem', 'states:StartExecution', 'sqs:SendMessage']
 */
export function frontDoorPermissions(door: FrontDoorFunctionName, scope: PermissionScope): StepPermission[] {
  switch (door) {
    case 'submit-application':
      return [
        ledgerReadWrite('RecordRequestInLedger', scope),
        startVend(scope),
        {
          // The function's on-failure destination: an event it could not process after Lambda's retries.
          sid: 'ParkUnprocessedRequest',
          actions: ['sqs:SendMessage'],
          resources: [scope.deadLetterQueueArn],
        },
      ];

    case 'portal-api': {
      // POST /applications?dryRun=true plans a vend (shared/workflow/plan.ts): the reads the plan
      // makes in the management account, and not one write. Member accounts' guardrails are not
      // read from here (no sts:AssumeRole), so the plan leaves them unchecked.
      return [
        ledgerReadWrite('RecordRequestInLedger', scope),
        // GET /applications: a page of the table.
        listLedger(scope),
        startVend(scope),
        ...(scope.offboardStateMachineArn
          ? [
              {
                // DELETE /applications/{name}: the offboarding the ledger decided on.
                sid: 'StartOffboarding',
                actions: ['states:StartExecution'],
                resources: [scope.offboardStateMachineArn],
              },
            ]
          : []),
        // DELETE /applications/{name} first checks that the suspended OU exists (and refuses,
        // changing nothing, when it is unset: then no call is made).
        ...(scope.offboardStateMachineArn && configuredOuArn(scope, scope.suspendedOuId).length > 0
          ? [
              {
                sid: 'CheckSuspendedOu',
                actions: ['organizations:DescribeOrganizationalUnit'],
                resources: configuredOuArn(scope, scope.suspendedOuId),
              },
            ]
          : []),
        {
          // GET /applications/{name}: the step a running vend is at, from its history.
          sid: 'ReadVendProgress',
          actions: ['states:GetExecutionHistory'],
          resources: [`${scope.stateMachineArn.replace(':stateMachine:', ':execution:')}:*`],
          wildcardReason:
            'Executions of the appvend-vend state machine only; execution names are made per request.',
        },
        // The dry run plans the request alone: no ledger record, so no recorded ids to look at.
        ...planReads(scope, { recordedIds: false }),
      ];
    }

    case 'release-account-slots':
      // The CreateAccount line's sweep: the line's item, the requests in flight, the tokens.
      return accountLinePermissions(scope);

    case 'reconcile-drift':
      // The scheduled reconcile: plans each vended application (the reads of the portal's dry run,
      // plus member accounts' guardrails through the member role), announces drift, and may start
      // the vend again to fix it.
      return [
        ledgerReadWrite('ReopenDriftedApplications', scope),
        listLedger(scope),
        startVend(scope),
        {
          sid: 'AnnounceDrift',
          actions: ['events:PutEvents'],
          resources: [scope.eventBusArn],
          conditions: DRIFT_EVENTS_ONLY,
        },
        {
          // A run hands the ledger's rest to a new invocation of this function, and of no other.
          sid: 'ContinueReconcile',
          actions: ['lambda:InvokeFunction'],
          resources: [functionArnBeside(scope.stateMachineArn, functionName('reconcile-drift'))],
        },
        ...planReads(scope, { recordedIds: true }),
        assumeMemberAccessRole(scope),
      ];

    case 'service-catalog-product':
      // The product's custom resource: the intake (ledger + StartExecution); responses go to
      // CloudFormation's pre-signed S3 URLs, which need no permission.
      return [ledgerReadWrite('RecordRequestInLedger', scope), startVend(scope)];

    case 'service-catalog-outcome':
      // At the end of a vend: read the waiting custom-resource requests, remove those answered.
      return [ledgerReadWrite('AnswerWaitingProductRequests', scope)];

    case 'record-stopped-vend':
      // A vend execution stopped: the step it was at (its history), then the ledger.
      return [
        ledgerReadWrite('RecordStoppedVend', scope),
        {
          sid: 'ReadStoppedExecution',
          actions: ['states:GetExecutionHistory'],
          resources: [`${scope.stateMachineArn.replace(':stateMachine:', ':execution:')}:*`],
          wildcardReason:
            'Executions of the appvend-vend state machine only; execution names are made per request.',
        },
      ];
  }
}

/** The permissions of any function of the service, step or front door. */
export function functionPermissions(name: ServiceFunctionName, scope: PermissionScope): StepPermission[] {
  return (FRONT_DOOR_FUNCTIONS as readonly string[]).includes(name)
    ? frontDoorPermissions(name as FrontDoorFunctionName, scope)
    : stepPermissions(name as StepFunctionName, scope);
}
