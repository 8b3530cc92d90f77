import type { ApplicationRequest } from '../request/schema';
import {
  ACCOUNT_ACCESS_ROLE,
  DEPLOYER_ROLE,
  NAME_PREFIX,
  PIPELINE_CFN_ROLE,
  artifactKeyAlias,
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
 * The principals allowed through the protective statements: the role appvend itself works through
 * in member accounts, and the StackSets execution role it uses, so that appvend can keep the
 * pipeline roles and guardrails in their desired state while nobody else can change them.
 */
const vendingPrincipals = (): string[] => [`arn:aws:iam::*:role/${ACCOUNT_ACCESS_ROLE}`];

const exceptVending = (): Statement['Condition'] => ({
  ArnNotLike: { 'aws:PrincipalArn': vendingPrincipals() },
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
  'guardduty:DisassociateFromMasterAccount',
  'guardduty:DisassociateFromAdministratorAccount',
  'guardduty:StopMonitoringMembers',
  'guardduty:DeleteMembers',
];

const roleTamperingActions = [
  'iam:AttachRolePolicy',
  'iam:DeleteRole',
  'iam:DeleteRolePermissionsBoundary',
  'iam:DeleteRolePolicy',
  'iam:DetachRolePolicy',
  'iam:PutRolePermissionsBoundary',
  'iam:PutRolePolicy',
  'iam:UpdateAssumeRolePolicy',
  'iam:UpdateRole',
  'iam:UpdateRoleDescription',
  'iam:CreatePolicyVersion',
  'iam:DeletePolicy',
  'iam:DeletePolicyVersion',
  'iam:SetDefaultPolicyVersion',
];

const artifactBucketTamperingActions = [
  's3:DeleteBucket',
  's3:DeleteBucketPolicy',
  's3:PutBucketAcl',
  's3:PutBucketPolicy',
  's3:PutBucketPublicAccessBlock',
  's3:PutBucketVersioning',
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
 * Renders the application's Service Control Policy for its guardrail profile.
 *
 * @example
 * const content = renderServiceControlPolicy(request); // minified JSON, ready for CreatePolicy
 */
export function renderServiceControlPolicy(request: Pick<ApplicationRequest, 'name' | 'profile'>): string {
  const app = request.name;
  const statements: Statement[] = [
    {
      Sid: 'DenyLeavingTheOrganization',
      Effect: 'Deny',
      Action: ['organizations:LeaveOrganization'],
      Resource: '*',
    },
    {
      Sid: 'ProtectSecurityServices',
      Effect: 'Deny',
      Action: securityServiceActions,
      Resource: '*',
      Condition: exceptVending(),
    },
    {
      Sid: 'ProtectPipelineRoles',
      Effect: 'Deny',
      Action: roleTamperingActions,
      Resource: [
        `arn:aws:iam::*:role/${PIPELINE_CFN_ROLE}`,
        `arn:aws:iam::*:role/${DEPLOYER_ROLE}`,
        `arn:aws:iam::*:role/${NAME_PREFIX}-${app}-*`,
        `arn:aws:iam::*:policy/${NAME_PREFIX}-${app}-*`,
      ],
      Condition: exceptVending(),
    },
    {
      // The artifact store is the pipeline's supply chain: an account administrator who could
      // open the bucket or rewrite the key policy could swap what gets deployed to every stage.
      Sid: 'ProtectArtifactBuckets',
      Effect: 'Deny',
      Action: artifactBucketTamperingActions,
      Resource: [`arn:aws:s3:::${NAME_PREFIX}-${app}-*`],
      Condition: exceptVending(),
    },
    {
      Sid: 'ProtectArtifactKey',
      Effect: 'Deny',
      Action: artifactKeyTamperingActions,
      Resource: '*',
      Condition: {
        ...exceptVending(),
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
      Condition: exceptVending(),
    },
  ];
  if (request.profile === 'regulated') {
    statements.push(
      {
        Sid: 'DenyLongLivedCredentials',
        Effect: 'Deny',
        Action: longLivedCredentialActions,
        Resource: '*',
        Condition: exceptVending(),
      },
      {
        // The account-wide Block Public Access is what keeps a bucket policy mistake from
        // publishing regulated data.
        Sid: 'ProtectAccountPublicAccessBlock',
        Effect: 'Deny',
        Action: ['s3:PutAccountPublicAccessBlock'],
        Resource: '*',
        Condition: exceptVending(),
      },
    );
  }
  // Both profiles are for serverless applications.
  statements.unshift({ Sid: 'DenyServers', Effect: 'Deny', Action: serverActions, Resource: '*' });
  return JSON.stringify({ Version: '2012-10-17', Statement: statements });
}

/** The size AWS counts against the SCP quota: characters of the document as sent. */
export function policySize(content: string): number {
  return content.length;
}
