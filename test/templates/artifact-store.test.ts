import { Match, Template } from 'aws-cdk-lib/assertions';
import { synthesizeVendedTemplates } from '../../infra/templates';
import { PSEUDO, evaluate, resourcesOfType, statementBySid, type Loose } from './helpers';

const PARAMETERS = { AppName: 'shop', StageAccountIds: ['111111111111', '222222222222'] };
const TOOLING = PSEUDO['AWS::AccountId'];
const TOOLING_ROLES = [
  `arn:aws:iam::${TOOLING}:role/appvend-shop-pipeline`,
  `arn:aws:iam::${TOOLING}:role/appvend-shop-build`,
];
const STAGE_ROLES = [
  'arn:aws:iam::111111111111:role/ToolingAccountPipelineCloudformationRole',
  'arn:aws:iam::222222222222:role/ToolingAccountPipelineCloudformationRole',
  'arn:aws:iam::111111111111:role/CloudformationDeployerRole',
  'arn:aws:iam::222222222222:role/CloudformationDeployerRole',
];
const STAGE_ROOTS = ['arn:aws:iam::111111111111:root', 'arn:aws:iam::222222222222:root'];

describe('Template: artifact-store', () => {
  let json: Loose;
  let template: Template;
  let resolved: Loose;
  const only = (type: string): Loose => {
    const found = Object.values(resourcesOfType(resolved, type));
    expect(found).toHaveLength(1);
    return found[0]!.Properties;
  };
  const bucketNamed = (name: string): Loose =>
    Object.values(resourcesOfType(resolved, 'AWS::S3::Bucket')).find((b) => b.Properties.BucketName === name)!
      .Properties;

  beforeAll(() => {
    json = synthesizeVendedTemplates()['artifact-store'];
    template = Template.fromJSON(json);
    resolved = evaluate(json, PARAMETERS);
  });

  it('creates a customer-managed key with rotation and the deterministic alias', () => {
    // Prepare
    const [keyId] = Object.keys(template.findResources('AWS::KMS::Key'));

    // Act
    const alias = only('AWS::KMS::Alias');

    // Assess
    template.resourceCountIs('AWS::KMS::Key', 1);
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    expect(alias).toEqual({ AliasName: 'alias/appvend-shop-artifacts', TargetKeyId: `<${keyId}>` });
  });

  it('keeps key administration with the tooling account, without the use of the key', () => {
    // Prepare
    const policy = only('AWS::KMS::Key').KeyPolicy;

    // Act
    const admin = statementBySid(policy, 'ToolingAccountAdministersKey');

    // Assess
    expect(admin.Principal).toEqual({ AWS: `arn:aws:iam::${TOOLING}:root` });
    expect(admin.Action).toEqual(expect.arrayContaining(['kms:Put*', 'kms:ScheduleKeyDeletion']));
    expect(admin.Action).not.toEqual(expect.arrayContaining(['kms:Decrypt']));
    expect(admin.Action.some((a: string) => /^kms:(Decrypt|Encrypt|GenerateDataKey|ReEncrypt)/.test(a))).toBe(
      false,
    );
  });

  it('grants use of the key to account principals narrowed by aws:PrincipalArn to the named roles', () => {
    // Prepare
    const policy = only('AWS::KMS::Key').KeyPolicy;

    // Act
    const tooling = statementBySid(policy, 'ToolingPipelineRolesUseKey');
    const stages = statementBySid(policy, 'StageDeploymentRolesDecrypt');

    // Assess
    expect(tooling.Principal).toEqual({ AWS: `arn:aws:iam::${TOOLING}:root` });
    expect(tooling.Action).toEqual(
      expect.arrayContaining([
        'kms:Decrypt',
        'kms:DescribeKey',
        'kms:Encrypt',
        'kms:ReEncrypt*',
        'kms:GenerateDataKey*',
      ]),
    );
    expect(tooling.Condition).toEqual({ ArnEquals: { 'aws:PrincipalArn': TOOLING_ROLES } });
    expect(stages.Principal).toEqual({ AWS: STAGE_ROOTS });
    expect(stages.Action).toEqual(['kms:Decrypt', 'kms:DescribeKey']);
    expect(stages.Condition).toEqual({ ArnEquals: { 'aws:PrincipalArn': STAGE_ROLES } });
  });

  it('expands a single stage account too', () => {
    // Prepare
    const oneStage = { ...PARAMETERS, StageAccountIds: ['111111111111'] };

    // Act
    const policy = Object.values(resourcesOfType(evaluate(json, oneStage), 'AWS::KMS::Key'))[0]!.Properties
      .KeyPolicy;

    // Assess
    expect(
      statementBySid(policy, 'StageDeploymentRolesDecrypt').Condition.ArnEquals['aws:PrincipalArn'],
    ).toEqual([
      'arn:aws:iam::111111111111:role/ToolingAccountPipelineCloudformationRole',
      'arn:aws:iam::111111111111:role/CloudformationDeployerRole',
    ]);
  });

  it('encrypts the artifact bucket with the key, and versions, locks down and expires it', () => {
    // Prepare
    const [keyId] = Object.keys(template.findResources('AWS::KMS::Key'));

    // Act
    const bucket = bucketNamed(`appvend-shop-artifacts-${TOOLING}`);

    // Assess
    expect(bucket.BucketEncryption.ServerSideEncryptionConfiguration).toEqual([
      {
        BucketKeyEnabled: true,
        ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: `<${keyId}.Arn>` },
      },
    ]);
    expect(bucket.VersioningConfiguration).toEqual({ Status: 'Enabled' });
    expect(bucket.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
    expect(bucket.OwnershipControls).toEqual({ Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] });
    expect(bucket.LifecycleConfiguration.Rules).toEqual([
      expect.objectContaining({
        Status: 'Enabled',
        NoncurrentVersionExpiration: { NoncurrentDays: 30 },
        AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 },
      }),
    ]);
  });

  it('logs server access to a separate, versioned and locked-down logs bucket', () => {
    // Prepare
    const logsName = `appvend-shop-logs-${TOOLING}`;

    // Act
    const artifacts = bucketNamed(`appvend-shop-artifacts-${TOOLING}`);
    const logs = bucketNamed(logsName);

    // Assess
    expect(artifacts.LoggingConfiguration).toEqual({
      DestinationBucketName: expect.stringMatching(/^<.+>$/),
      LogFilePrefix: 'artifacts/',
    });
    expect(logs.VersioningConfiguration).toEqual({ Status: 'Enabled' });
    expect(logs.PublicAccessBlockConfiguration.RestrictPublicBuckets).toBe(true);
    expect(logs.BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault).toEqual({
      SSEAlgorithm: 'AES256',
    });
  });

  it('denies requests without TLS on both buckets', () => {
    // Prepare
    const buckets = Object.keys(template.findResources('AWS::S3::Bucket'));

    // Act
    const policies = template.findResources('AWS::S3::BucketPolicy');

    // Assess
    expect(buckets).toHaveLength(2);
    for (const bucket of buckets) {
      template.hasResourceProperties('AWS::S3::BucketPolicy', {
        Bucket: { Ref: bucket },
        PolicyDocument: {
          Statement: Match.arrayWith([
            {
              Sid: 'DenyInsecureTransport',
              Effect: 'Deny',
              Principal: '*',
              Action: 's3:*',
              Resource: [
                { 'Fn::GetAtt': [bucket, 'Arn'] },
                { 'Fn::Join': ['', [{ 'Fn::GetAtt': [bucket, 'Arn'] }, '/*']] },
              ],
              Condition: { Bool: { 'aws:SecureTransport': 'false' } },
            },
          ]),
        },
      });
    }
    expect(Object.keys(policies)).toHaveLength(2);
  });

  it('lets the stage roles read and the tooling roles read and write artifacts, by aws:PrincipalArn', () => {
    // Prepare
    const artifactsId = Object.entries(resourcesOfType(resolved, 'AWS::S3::Bucket')).find(
      ([, b]) => b.Properties.BucketName === `appvend-shop-artifacts-${TOOLING}`,
    )![0];

    // Act
    const policy = Object.values(resourcesOfType(resolved, 'AWS::S3::BucketPolicy')).find(
      (p) => p.Properties.Bucket === `<${artifactsId}>`,
    )!.Properties.PolicyDocument;

    // Assess
    expect(statementBySid(policy, 'StageDeploymentRolesRead')).toEqual({
      Sid: 'StageDeploymentRolesRead',
      Effect: 'Allow',
      Principal: { AWS: STAGE_ROOTS },
      Action: ['s3:GetObject', 's3:GetObjectVersion', 's3:GetBucketLocation', 's3:ListBucket'],
      Resource: [`<${artifactsId}.Arn>`, `<${artifactsId}.Arn>/*`],
      Condition: { ArnEquals: { 'aws:PrincipalArn': STAGE_ROLES } },
    });
    expect(statementBySid(policy, 'ToolingPipelineRolesReadWrite')).toEqual({
      Sid: 'ToolingPipelineRolesReadWrite',
      Effect: 'Allow',
      Principal: { AWS: `arn:aws:iam::${TOOLING}:root` },
      Action: ['s3:GetObject', 's3:GetObjectVersion', 's3:PutObject'],
      Resource: `<${artifactsId}.Arn>/*`,
      Condition: { ArnEquals: { 'aws:PrincipalArn': TOOLING_ROLES } },
    });
  });

  it('outputs the bucket name and the key ARN', () => {
    // Prepare
    const [keyId] = Object.keys(template.findResources('AWS::KMS::Key'));

    // Act
    const outputs = resolved.Outputs;

    // Assess
    expect(outputs.ArtifactBucketName.Value).toMatch(/^<ArtifactBucket>$/);
    expect(outputs.ArtifactKeyArn.Value).toBe(`<${keyId}.Arn>`);
  });
});
