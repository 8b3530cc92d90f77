import { shippedBuildspec } from '../../infra/templates/buildspec';
import { synthesizeVendedTemplates } from '../../infra/templates';
import { PSEUDO, evaluate, resourcesOfType, statementBySid, type Loose } from './helpers';

const NAMES = ['test', 'prod', 'perf', 'qa', 'live'];
const ACCOUNTS = ['111111111111', '222222222222', '333333333333', '444444444444', '555555555555'];
const CONNECTION =
  'arn:aws:codeconnections:eu-west-1:999999999999:connection/12345678-1234-1234-1234-123456789012';
const parameters = (stages: number) => ({
  AppName: 'shop',
  StageNames: NAMES.slice(0, stages),
  StageAccountIds: ACCOUNTS.slice(0, stages),
  StageCount: String(stages),
  ConnectionArn: CONNECTION,
  Repository: 'acme/shop',
  Branch: 'main',
});
const TOOLING = PSEUDO['AWS::AccountId'];
const REGION = PSEUDO['AWS::Region'];
/** The artifact key by ARN, imported from the artifact store's export. */
const KEY_ARN = '<import appvend-shop-artifact-key-arn>';
const BUCKET = `appvend-shop-artifacts-${TOOLING}`;

describe('Template: pipeline', () => {
  let json: Loose;
  const only = (resolved: Loose, type: string): Loose => {
    const found = Object.entries(resourcesOfType(resolved, type));
    expect(found).toHaveLength(1);
    return { id: found[0]![0], ...found[0]![1].Properties };
  };
  const roleNamed = (resolved: Loose, name: string): Loose => {
    const found = Object.entries(resourcesOfType(resolved, 'AWS::IAM::Role')).find(
      ([, r]) => r.Properties.RoleName === name,
    );
    if (!found) throw new Error(`no role ${name}`);
    return { id: found[0], ...found[1].Properties };
  };

  beforeAll(() => {
    json = synthesizeVendedTemplates().pipeline;
  });

  it('deploys to as many stages as StageCount, in order', () => {
    for (const count of [1, 2, 3, 4, 5]) {
      // Prepare
      const resolved = evaluate(json, parameters(count));

      // Act
      const stages = only(resolved, 'AWS::CodePipeline::Pipeline').Stages.map((s: Loose) => s.Name);

      // Assess
      expect(stages).toEqual(['Source', 'Build', ...NAMES.slice(0, count).map((n) => `Deploy-${n}`)]);
    }
  });

  it('declares HasStage2 to HasStage5 from StageCount', () => {
    // Prepare
    const conditions = json.Conditions;

    // Act
    const names = Object.keys(conditions).sort();

    // Assess
    expect(names).toEqual(['HasStage2', 'HasStage3', 'HasStage4', 'HasStage5']);
    expect(conditions.HasStage5).toEqual({ 'Fn::Equals': [{ Ref: 'StageCount' }, '5'] });
    expect(conditions.HasStage4).toEqual({
      'Fn::Or': [
        { 'Fn::Equals': [{ Ref: 'StageCount' }, '4'] },
        { 'Fn::Equals': [{ Ref: 'StageCount' }, '5'] },
      ],
    });
  });

  it('creates and executes a change set in each stage account as its pipeline role, approving all but the first', () => {
    // Prepare
    const resolved = evaluate(json, parameters(2));
    const topic = only(resolved, 'AWS::SNS::Topic');

    // Act
    const [, , test, prod] = only(resolved, 'AWS::CodePipeline::Pipeline').Stages;

    // Assess
    expect(test.Actions.map((a: Loose) => [a.Name, a.RunOrder])).toEqual([
      ['CreateChangeSet', 1],
      ['ExecuteChangeSet', 2],
    ]);
    expect(prod.Actions.map((a: Loose) => [a.Name, a.RunOrder])).toEqual([
      ['Approve', 1],
      ['CreateChangeSet', 2],
      ['ExecuteChangeSet', 3],
    ]);
    expect(prod.Actions[0]).toEqual(
      expect.objectContaining({
        ActionTypeId: { Category: 'Approval', Owner: 'AWS', Provider: 'Manual', Version: '1' },
        Configuration: expect.objectContaining({ NotificationArn: `<${topic.id}>` }),
      }),
    );
    expect(prod.Actions[1]).toEqual({
      Name: 'CreateChangeSet',
      ActionTypeId: { Category: 'Deploy', Owner: 'AWS', Provider: 'CloudFormation', Version: '1' },
      RoleArn: 'arn:aws:iam::222222222222:role/ToolingAccountPipelineCloudformationRole',
      InputArtifacts: [{ Name: 'BuildOutput' }],
      Configuration: {
        ActionMode: 'CHANGE_SET_REPLACE',
        StackName: 'shop-prod',
        ChangeSetName: 'appvend-pipeline',
        TemplatePath: 'BuildOutput::packaged.yaml',
        Capabilities: 'CAPABILITY_IAM,CAPABILITY_AUTO_EXPAND',
        RoleArn: 'arn:aws:iam::222222222222:role/CloudformationDeployerRole',
        ParameterOverrides: '{"AppName":"shop","Stage":"prod"}',
      },
      RunOrder: 2,
    });
    expect(test.Actions[1]).toEqual(
      expect.objectContaining({
        RoleArn: 'arn:aws:iam::111111111111:role/ToolingAccountPipelineCloudformationRole',
        Configuration: {
          ActionMode: 'CHANGE_SET_EXECUTE',
          StackName: 'shop-test',
          ChangeSetName: 'appvend-pipeline',
        },
      }),
    );
  });

  it('is a V2 pipeline on the deterministic bucket and the artifact key ARN, started by pushes to the branch', () => {
    // Prepare
    const resolved = evaluate(json, parameters(2));
    const role = roleNamed(resolved, 'appvend-shop-pipeline');

    // Act
    const pipeline = only(resolved, 'AWS::CodePipeline::Pipeline');

    // Assess
    expect(pipeline).toEqual(
      expect.objectContaining({
        Name: 'appvend-shop',
        PipelineType: 'V2',
        RoleArn: `<${role.id}.Arn>`,
        ArtifactStore: { Type: 'S3', Location: BUCKET, EncryptionKey: { Type: 'KMS', Id: KEY_ARN } },
        Triggers: [
          {
            ProviderType: 'CodeStarSourceConnection',
            GitConfiguration: { SourceActionName: 'Source', Push: [{ Branches: { Includes: ['main'] } }] },
          },
        ],
      }),
    );
    expect(pipeline.Stages[0].Actions[0]).toEqual(
      expect.objectContaining({
        ActionTypeId: {
          Category: 'Source',
          Owner: 'AWS',
          Provider: 'CodeStarSourceConnection',
          Version: '1',
        },
        Configuration: {
          ConnectionArn: CONNECTION,
          FullRepositoryId: 'acme/shop',
          BranchName: 'main',
          OutputArtifactFormat: 'CODE_ZIP',
        },
      }),
    );
  });

  it('builds with SAM in CodeBuild with the artifact bucket and key', () => {
    // Prepare
    const resolved = evaluate(json, parameters(2));
    const role = roleNamed(resolved, 'appvend-shop-build');

    // Act
    const project = only(resolved, 'AWS::CodeBuild::Project');

    // Assess
    expect(project).toEqual(
      expect.objectContaining({
        Name: 'appvend-shop-build',
        ServiceRole: `<${role.id}.Arn>`,
        EncryptionKey: KEY_ARN,
        Source: { Type: 'CODEPIPELINE', BuildSpec: shippedBuildspec() },
        Artifacts: { Type: 'CODEPIPELINE' },
      }),
    );
    expect(project.Environment).toEqual(
      expect.objectContaining({
        Image: 'aws/codebuild/amazonlinux-x86_64-standard:5.0',
        PrivilegedMode: false,
        EnvironmentVariables: [
          { Name: 'ARTIFACT_BUCKET', Type: 'PLAINTEXT', Value: BUCKET },
          { Name: 'ARTIFACT_KEY', Type: 'PLAINTEXT', Value: KEY_ARN },
        ],
      }),
    );
  });

  it('lets the pipeline role assume only the stage accounts pipeline roles', () => {
    // Prepare
    const resolved = evaluate(json, parameters(3));

    // Act
    const policy = roleNamed(resolved, 'appvend-shop-pipeline').Policies[0].PolicyDocument;

    // Assess
    expect(statementBySid(policy, 'AssumeStagePipelineRoles')).toEqual({
      Sid: 'AssumeStagePipelineRoles',
      Effect: 'Allow',
      Action: 'sts:AssumeRole',
      Resource: ACCOUNTS.slice(0, 3).map(
        (a) => `arn:aws:iam::${a}:role/ToolingAccountPipelineCloudformationRole`,
      ),
    });
    expect(statementBySid(policy, 'UseConnection')).toEqual(
      expect.objectContaining({
        Action: ['codeconnections:UseConnection', 'codestar-connections:UseConnection'],
        Resource: CONNECTION,
      }),
    );
    expect(statementBySid(policy, 'Build').Resource).toBe(
      `arn:aws:codebuild:${REGION}:${TOOLING}:project/appvend-shop-build`,
    );
  });

  it('lets the pipeline and build roles use the artifact bucket, and the artifact key by alias', () => {
    for (const name of ['appvend-shop-pipeline', 'appvend-shop-build']) {
      // Prepare
      const resolved = evaluate(json, parameters(2));

      // Act
      const policy = roleNamed(resolved, name).Policies[0].PolicyDocument;

      // Assess
      expect(statementBySid(policy, 'ArtifactObjects').Resource).toBe(`arn:aws:s3:::${BUCKET}/*`);
      expect(statementBySid(policy, 'ArtifactKey')).toEqual(
        expect.objectContaining({
          Resource: `arn:aws:kms:${REGION}:${TOOLING}:key/*`,
          Condition: {
            'ForAnyValue:StringEquals': { 'kms:ResourceAliases': 'alias/appvend-shop-artifacts' },
          },
        }),
      );
    }
  });

  it('encrypts the approvals topic', () => {
    // Prepare
    const resolved = evaluate(json, parameters(2));

    // Act
    const topic = only(resolved, 'AWS::SNS::Topic');

    // Assess
    expect(topic).toEqual(
      expect.objectContaining({ TopicName: 'appvend-shop-approvals', KmsMasterKeyId: 'alias/aws/sns' }),
    );
  });
});
