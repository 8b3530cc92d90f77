import { Aws, CfnOutput, type Stack } from 'aws-cdk-lib';
import { CfnAlias, CfnKey } from 'aws-cdk-lib/aws-kms';
import { CfnBucket, CfnBucketPolicy } from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import { artifactBucketName, artifactKeyAlias, artifactKeyExportName } from '../../shared/domain/naming';
import {
  DEPLOYER_ROLE,
  PIPELINE_CFN_ROLE,
  VAR,
  accessLogsBucketName,
  accountRootArn,
  bucketArn,
  buildRoleName,
  pipelineRoleName,
  roleArnIn,
} from './names';
import {
  VendedTemplateStack,
  accountIdListParameter,
  appNameParameter,
  expandAccountArns,
  policy,
  sub,
  type PolicyStatement,
} from './support';

export const ARTIFACT_STORE_PARAMETERS = ['AppName', 'StageAccountIds'] as const;

/** Key administration, without the use actions: administrators of the tooling account cannot read artifacts. */
// No kms:CreateGrant (a `kms:Create*` would include it): a grant would let a tooling
// administrator give themselves the use of the key, which the key policy withholds.
const KEY_ADMIN_ACTIONS = [
  'kms:CreateAlias',
  'kms:Describe*',
  'kms:Enable*',
  'kms:List*',
  'kms:Put*',
  'kms:Update*',
  'kms:Revoke*',
  'kms:Disable*',
  'kms:Get*',
  'kms:Delete*',
  'kms:TagResource',
  'kms:UntagResource',
  'kms:ScheduleKeyDeletion',
  'kms:CancelKeyDeletion',
  'kms:RotateKeyOnDemand',
];
const KEY_USE_ACTIONS = [
  'kms:Decrypt',
  'kms:DescribeKey',
  'kms:Encrypt',
  'kms:ReEncrypt*',
  'kms:GenerateDataKey*',
];

const blockAllPublicAccess: CfnBucket.PublicAccessBlockConfigurationProperty = {
  blockPublicAcls: true,
  blockPublicPolicy: true,
  ignorePublicAcls: true,
  restrictPublicBuckets: true,
};
const bucketOwnerEnforced: CfnBucket.OwnershipControlsProperty = {
  rules: [{ objectOwnership: 'BucketOwnerEnforced' }],
};

/** Deny every request that does not use TLS. */
const denyInsecureTransport = (bucket: CfnBucket): PolicyStatement => ({
  Sid: 'DenyInsecureTransport',
  Effect: 'Deny',
  Principal: '*',
  Action: 's3:*',
  Resource: [bucket.attrArn, `${bucket.attrArn}/*`],
  Condition: { Bool: { 'aws:SecureTransport': 'false' } },
});

/**
 * Tooling account, wave 1: the customer-managed KMS key and the S3 bucket the pipeline keeps its
 * artifacts in. The key and bucket policies name the pipeline roles of the tooling account and the
 * two cross-account roles of every stage account by `aws:PrincipalArn` (those roles may not exist
 * yet: DESIGN.md §3).
 */
export function artifactStoreTemplate(scope: Construct, id: string): Stack {
  const stack = new VendedTemplateStack(scope, id, {
    description:
      'appvend artifact store: KMS key and S3 artifact bucket of an application pipeline (tooling account)',
  });
  appNameParameter(stack);
  const stageAccountIds = accountIdListParameter(
    stack,
    'StageAccountIds',
    'Account ids of the stage accounts (1 to 5), in stage order',
  ).valueAsList;

  const toolingRoot = sub(accountRootArn(VAR.account));
  const toolingRoleArns = [
    sub(roleArnIn(VAR.account, pipelineRoleName(VAR.app))),
    sub(roleArnIn(VAR.account, buildRoleName(VAR.app))),
  ];
  const stageRoots = expandAccountArns(stageAccountIds, [':root']);
  const stageRoleArns = expandAccountArns(stageAccountIds, [
    `:role/${PIPELINE_CFN_ROLE}`,
    `:role/${DEPLOYER_ROLE}`,
  ]);

  const key = new CfnKey(stack, 'ArtifactKey', {
    description: sub('appvend ${AppName}: encrypts the pipeline artifacts'),
    enableKeyRotation: true,
    keyPolicy: policy(
      {
        Sid: 'ToolingAccountAdministersKey',
        Effect: 'Allow',
        Principal: { AWS: toolingRoot },
        Action: KEY_ADMIN_ACTIONS,
        Resource: '*',
      },
      {
        Sid: 'ToolingPipelineRolesUseKey',
        Effect: 'Allow',
        Principal: { AWS: toolingRoot },
        Action: KEY_USE_ACTIONS,
        Resource: '*',
        Condition: { ArnEquals: { 'aws:PrincipalArn': toolingRoleArns } },
      },
      {
        // Stage roles only read artifacts (CloudFormation templates, Lambda code): no Encrypt.
        Sid: 'StageDeploymentRolesDecrypt',
        Effect: 'Allow',
        Principal: { AWS: stageRoots },
        Action: ['kms:Decrypt', 'kms:DescribeKey'],
        Resource: '*',
        Condition: { ArnEquals: { 'aws:PrincipalArn': stageRoleArns } },
      },
    ),
  });
  new CfnAlias(stack, 'ArtifactKeyAlias', {
    aliasName: sub(artifactKeyAlias(VAR.app)),
    targetKeyId: key.ref,
  });

  const logsBucket = new CfnBucket(stack, 'AccessLogsBucket', {
    bucketName: sub(accessLogsBucketName(VAR.app, VAR.account)),
    bucketEncryption: {
      serverSideEncryptionConfiguration: [{ serverSideEncryptionByDefault: { sseAlgorithm: 'AES256' } }],
    },
    versioningConfiguration: { status: 'Enabled' },
    publicAccessBlockConfiguration: blockAllPublicAccess,
    ownershipControls: bucketOwnerEnforced,
    lifecycleConfiguration: {
      rules: [
        {
          id: 'ExpireAccessLogs',
          status: 'Enabled',
          expirationInDays: 365,
          noncurrentVersionExpiration: { noncurrentDays: 30 },
          abortIncompleteMultipartUpload: { daysAfterInitiation: 7 },
        },
      ],
    },
  });
  // cdk-nag's S1 accepts a bucket without access logging when it is the log target of another.

  // The artifact bucket waits for this policy, so the policy names it rather than referencing it.
  const artifactBucketArn = sub(bucketArn(artifactBucketName(VAR.app, VAR.account)));
  const logsPolicy = new CfnBucketPolicy(stack, 'AccessLogsBucketPolicy', {
    bucket: logsBucket.ref,
    policyDocument: policy(denyInsecureTransport(logsBucket), {
      Sid: 'AllowArtifactBucketAccessLogs',
      Effect: 'Allow',
      Principal: { Service: 'logging.s3.amazonaws.com' },
      Action: 's3:PutObject',
      Resource: `${logsBucket.attrArn}/artifacts/*`,
      Condition: {
        ArnLike: { 'aws:SourceArn': artifactBucketArn },
        StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID },
      },
    }),
  });

  const bucket = new CfnBucket(stack, 'ArtifactBucket', {
    bucketName: sub(artifactBucketName(VAR.app, VAR.account)),
    bucketEncryption: {
      serverSideEncryptionConfiguration: [
        {
          serverSideEncryptionByDefault: { sseAlgorithm: 'aws:kms', kmsMasterKeyId: key.attrArn },
          bucketKeyEnabled: true,
        },
      ],
    },
    versioningConfiguration: { status: 'Enabled' },
    publicAccessBlockConfiguration: blockAllPublicAccess,
    ownershipControls: bucketOwnerEnforced,
    lifecycleConfiguration: {
      rules: [
        {
          id: 'ExpireNoncurrentArtifacts',
          status: 'Enabled',
          noncurrentVersionExpiration: { noncurrentDays: 30 },
          abortIncompleteMultipartUpload: { daysAfterInitiation: 7 },
        },
      ],
    },
    loggingConfiguration: { destinationBucketName: logsBucket.ref, logFilePrefix: 'artifacts/' },
  });
  bucket.addResourceDependency(logsPolicy);

  new CfnBucketPolicy(stack, 'ArtifactBucketPolicy', {
    bucket: bucket.ref,
    policyDocument: policy(
      denyInsecureTransport(bucket),
      {
        Sid: 'ToolingPipelineRolesReadWrite',
        Effect: 'Allow',
        Principal: { AWS: toolingRoot },
        Action: ['s3:GetObject', 's3:GetObjectVersion', 's3:PutObject'],
        Resource: `${bucket.attrArn}/*`,
        Condition: { ArnEquals: { 'aws:PrincipalArn': toolingRoleArns } },
      },
      {
        // Only the pipeline and build roles write artifacts: nobody else in the tooling account
        // (administrators included) may swap an artifact that a later stage will deploy.
        Sid: 'DenyArtifactWritesByOthers',
        Effect: 'Deny',
        Principal: { AWS: '*' },
        Action: ['s3:PutObject'],
        Resource: `${bucket.attrArn}/*`,
        Condition: { ArnNotEquals: { 'aws:PrincipalArn': toolingRoleArns } },
      },
      {
        Sid: 'StageDeploymentRolesRead',
        Effect: 'Allow',
        Principal: { AWS: stageRoots },
        Action: ['s3:GetObject', 's3:GetObjectVersion', 's3:GetBucketLocation', 's3:ListBucket'],
        Resource: [bucket.attrArn, `${bucket.attrArn}/*`],
        Condition: { ArnEquals: { 'aws:PrincipalArn': stageRoleArns } },
      },
    ),
  });

  new CfnOutput(stack, 'ArtifactBucketName', {
    description: 'Name of the pipeline artifact bucket',
    value: bucket.ref,
  });
  new CfnOutput(stack, 'ArtifactKeyArn', {
    description: 'ARN of the KMS key that encrypts the artifacts',
    value: key.attrArn,
    // Imported by the pipeline (same account and Region), whose cross-account actions need the key ARN.
    exportName: sub(artifactKeyExportName(VAR.app)),
  });
  return stack;
}
