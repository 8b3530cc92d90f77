import type { ApplicationRequest } from '../request/schema';
import { MEMBER_ACCESS_ROLE_NAME } from './member-access';
import {
  DEPLOYER_ROLE,
  NAME_PREFIX,
  PIPELINE_CFN_ROLE,
  artifactKeyAlias,
  buildProjectName,
  complianceRuleName,
  pipelineName,
  pipelineRoleName,
} from './naming';

/** The default SCP size quota: 5,120 characters (AWS; raised for some organizations in 2026). */
export const DEFAULT_SCP_SIZE_QUOTA = 5120;
/** AWS allows at most five SCPs attached to one root, OU or account (FullAWSAccess included). */
export const DEFAULT_SCP_ATTACHMENT_QUOTA = 5;

interface Statement {
  Sid: string;
  Effect: 'Deny';
  Action: string[];
  Resource: string | string[];
  Condition?: Record<string, Record<string, string | string[]>>;
}

/**
 * The roles appvend works through in member accounts, as the service is configured
 * (`memberRoleName`, `stackSetExecutionRoleName`): the SCP lets them through its protections, so
 * that appvend can keep the pipeline roles and guardrails in their desired state, and protects the
 * roles themselves, so that nobody else can become them.
 */
export interface ExemptRoles {
  memberRoleName: string;
  executionRoleName: string;
}

const roleArns = (names: readonly string[]): string[] =>
  [...new Set(names)].map((name) => `arn:aws:iam::*:role/${name}`);

const exemptRoleArns = (roles: ExemptRoles): string[] =>
  roleArns([roles.memberRoleName, roles.executionRoleName]);

/**
 * The member access role the baseline makes (shared/domain/member-access.ts): through it the
 * service's functions register the guardrails (passing the Config recorder role) and, at
 * offboarding, remove them and empty the buckets, all while this SCP applies, so it passes the
 * three protections those calls meet (the security services', the vended resources', the passing
 * of the application's roles), and no other. Its trust admits only the service's function roles; it is
 * itself a protected resource: nobody else in the account may rewrite, re-trust or delete it.
 */
const MEMBER_ACCESS_ROLE_ARN = `arn:aws:iam::*:role/${MEMBER_ACCESS_ROLE_NAME}`;

/** Only the exempt roles, and the extra principals named, pass. */
const except = (roles: ExemptRoles, ...others: string[]): Statement['Condition'] => ({
  ArnNotLike: { 'aws:PrincipalArn': [...exemptRoleArns(roles), ...others] },
});

/** Servers have no place in a serverless application's accounts. */
const serverActions = [
  'ec2:RunInstances',
  'ec2:StartInstances',
  'ec2:RequestSpotInstances',
  'ec2:RequestSpotFleet',
  'ec2:CreateFleet',
  'lightsail:CreateInstances',
  'elasticbeanstalk:CreateEnvironment',
];

/** Regulated profile: people and workloads use roles, never long-lived IAM user credentials. */
const longLivedCredentialActions = [
  'iam:CreateUser',
  'iam:CreateAccessKey',
  'iam:CreateLoginProfile',
  'iam:UpdateLoginProfile',
];

/**
 * Regulated profile: people and workloads use roles, never long-lived IAM user credentials; and the
 * account-wide Block Public Access, which keeps a bucket policy mistake from publishing regulated
 * data, stays on.
 */
const regulatedActions = [...longLivedCredentialActions, 's3:PutAccountPublicAccessBlock'];

const securityServiceActions = [
  'cloudtrail:StopLogging',
  'cloudtrail:DeleteTrail',
  'cloudtrail:UpdateTrail',
  'cloudtrail:PutEventSelectors',
  'config:StopConfigurationRecorder',
  'config:DeleteConfigurationRecorder',
  'config:DeleteDeliveryChannel',
  'config:DeleteConformancePack',
  'config:DeleteConfigRule',
  'guardduty:DeleteDetector',
  'guardduty:UpdateDetector',
  'guardduty:Disassociate*',
  'guardduty:StopMonitoringMembers',
  'guardduty:DeleteMembers',
];

// Trailing wildcards keep the SCP under its size quota: `iam:DeleteRole*` is DeleteRole,
// DeleteRolePermissionsBoundary and DeleteRolePolicy; `iam:PutRole*` and `iam:UpdateRole*` likewise.
const roleTamperingActions = [
  'iam:AttachRolePolicy',
  'iam:DeleteRole*',
  'iam:DetachRolePolicy',
  'iam:PutRole*',
  'iam:UpdateAssumeRolePolicy',
  'iam:UpdateRole*',
  'iam:CreatePolicyVersion',
  'iam:DeletePolicy*',
  'iam:SetDefaultPolicyVersion',
];

// Every bucket-level Delete and Put (policy, ACL, public access block, versioning, logging …).
const artifactBucketTamperingActions = [
  's3:DeleteBucket*',
  's3:PutBucket*',
  's3:PutEncryptionConfiguration',
  's3:PutLifecycleConfiguration',
];

const artifactKeyTamperingActions = [
  'kms:DisableKey',
  'kms:DisableKeyRotation',
  'kms:PutKeyPolicy',
  'kms:ScheduleKeyDeletion',
];

/**
 * The key protection matches the key by its alias (`kms:ResourceAliases`): the alias must stay
 * where it is, or deleting it would lift the protection from the key.
 */
const artifactKeyAliasActions = ['kms:DeleteAlias', 'kms:UpdateAlias'];

/** The non-compliance rule tells the security team; silencing it must take appvend. */
const complianceRuleActions = [
  'events:DeleteRule',
  'events:DisableRule',
  'events:PutRule',
  'events:PutTargets',
  'events:RemoveTargets',
];

/** The stacks StackSets made in the account carry the roles, buckets, key and rule. */
const stackSetStackActions = [
  'cloudformation:CreateChangeSet',
  'cloudformation:DeleteStack',
  'cloudformation:ExecuteChangeSet',
  'cloudformation:SetStackPolicy',
  'cloudformation:UpdateStack',
  'cloudformation:UpdateTerminationProtection',
];

/**
 * Whoever could start the build project with overrides (buildspec, image, environment variables,
 * source) or change it runs code as the build role, which writes the artifacts every stage deploys.
 * CodeBuild's `codebuild:source.buildspec` key supports only the Null operator and covers only
 * the buildspec, so the project is closed to everyone but the pipeline role and the exempt roles.
 */
const buildProjectActions = [
  'codebuild:CreateWebhook',
  'codebuild:DeleteProject',
  'codebuild:RetryBuild*',
  'codebuild:StartBuild*',
  'codebuild:UpdateProject*',
  'codebuild:UpdateWebhook',
];

/**
 * The roles IAM Identity Center creates in an account for a permission set:
 * `role/aws-reserved/sso.amazonaws.com/<region>/AWSReservedSSO_<permission set>_<suffix>`.
 */
export const identityCenterRoleArnPattern = (permissionSet: string): string =>
  `arn:aws:iam::*:role/aws-reserved/sso.amazonaws.com/*/AWSReservedSSO_${permissionSet}_*`;

/**
 * Renders the application's Service Control Policy for its guardrail profile. Nobody in the
 * application's accounts but the exempt roles (the configured member and StackSets execution roles)
 * can switch a protection off: the roles themselves, the key's alias, the build project, the
 * production approval, the non-compliance rule and the stacks StackSets made are all protected.
 *
 * @example
 * const content = renderServiceControlPolicy(request, { memberRoleName, executionRoleName }); // minified JSON
 */
export function renderServiceControlPolicy(
  request: Pick<ApplicationRequest, 'name' | 'profile' | 'approvers'>,
  roles: ExemptRoles,
): string {
  const app = request.name;
  const exempt = except(roles);
  const exemptWithMemberAccess = except(roles, MEMBER_ACCESS_ROLE_ARN);
  const statements: Statement[] = [
    { Sid: 'DenyServers', Effect: 'Deny', Action: serverActions, Resource: '*' },
    {
      Sid: 'DenyLeavingTheOrganization',
      Effect: 'Deny',
      Action: ['organizations:LeaveOrganization'],
      Resource: '*',
    },
    {
      // The regulated profile's denials share this statement's Resource and Condition: one
      // statement keeps the SCP under its size quota.
      Sid: 'ProtectSecurityServices',
      Effect: 'Deny',
      // The regulated actions first: a profile change then only adds lines to the document.
      Action: [...(request.profile === 'regulated' ? regulatedActions : []), ...securityServiceActions],
      Resource: '*',
      Condition: exemptWithMemberAccess,
    },
    {
      // One statement for every resource the vend made that only appvend changes. Each action
      // applies to its own service's resources only (IAM actions to the roles and policies, S3 to
      // the buckets, …), so listing them together denies nothing more than one statement each would.
      Sid: 'ProtectVendedResources',
      Effect: 'Deny',
      Action: [
        ...roleTamperingActions,
        ...artifactBucketTamperingActions,
        ...artifactKeyAliasActions,
        ...complianceRuleActions,
        ...stackSetStackActions,
      ],
      Resource: [
        // The exempt roles themselves: rewriting their trust or policies would make anyone them.
        ...exemptRoleArns(roles),
        MEMBER_ACCESS_ROLE_ARN,
        `arn:aws:iam::*:role/${PIPELINE_CFN_ROLE}`,
        `arn:aws:iam::*:role/${DEPLOYER_ROLE}`,
        `arn:aws:iam::*:role/${NAME_PREFIX}-${app}-*`,
        `arn:aws:iam::*:policy/${NAME_PREFIX}-${app}-*`,
        // The artifact store is the pipeline's supply chain: an account administrator who could
        // open the bucket or rewrite the key policy could swap what gets deployed to every stage.
        `arn:aws:s3:::${NAME_PREFIX}-${app}-*`,
        `arn:aws:kms:*:*:${artifactKeyAlias(app)}`,
        `arn:aws:events:*:*:rule/${complianceRuleName(app)}`,
        `arn:aws:cloudformation:*:*:stack/StackSet-${NAME_PREFIX}-${app}-*`,
      ],
      Condition: exemptWithMemberAccess,
    },
    {
      Sid: 'ProtectArtifactKey',
      Effect: 'Deny',
      Action: artifactKeyTamperingActions,
      Resource: '*',
      Condition: {
        ...exempt,
        'ForAnyValue:StringEquals': { 'kms:ResourceAliases': artifactKeyAlias(app) },
      },
    },
    {
      // Handing appvend's pipeline role to a pipeline of one's own would inherit its access to
      // every stage account: only appvend (through its deployments) passes these roles.
      Sid: 'ProtectPipelineRolePassing',
      Effect: 'Deny',
      Action: ['iam:PassRole'],
      Resource: [`arn:aws:iam::*:role/${NAME_PREFIX}-${app}-*`],
      // The member access role passes the application's Config recorder role to AWS Config (its
      // own policy lets it pass nothing else).
      Condition: exemptWithMemberAccess,
    },
    {
      Sid: 'ProtectBuildProject',
      Effect: 'Deny',
      Action: buildProjectActions,
      Resource: [`arn:aws:codebuild:*:*:project/${buildProjectName(app)}`],
      Condition: except(roles, `arn:aws:iam::*:role/${pipelineRoleName(app)}`),
    },
    {
      // Only the request's approvers (their Identity Center permission set's roles) may approve a
      // deployment; without approvers, only the exempt roles may.
      Sid: 'ProtectApprovals',
      Effect: 'Deny',
      Action: ['codepipeline:PutApprovalResult'],
      Resource: [`arn:aws:codepipeline:*:*:${pipelineName(app)}/*`],
      Condition: request.approvers
        ? except(roles, identityCenterRoleArnPattern(request.approvers.permissionSet))
        : exempt,
    },
  ];
  return JSON.stringify({ Version: '2012-10-17', Statement: statements });
}

/** The size AWS counts against the SCP quota: characters of the document as sent. */
export function policySize(content: string): number {
  return content.length;
}
