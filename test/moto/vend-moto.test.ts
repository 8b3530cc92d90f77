import { GetRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import {
  ListAccountsForParentCommand,
  ListOrganizationalUnitsForParentCommand,
  ListTargetsForPolicyCommand,
  OrganizationsClient,
  ListPoliciesCommand,
} from '@aws-sdk/client-organizations';
import { GetKeyRotationStatusCommand, KMSClient, ListAliasesCommand } from '@aws-sdk/client-kms';
import { GetBucketEncryptionCommand, S3Client } from '@aws-sdk/client-s3';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { awsClients } from '../../shared/aws/client-factory';
import { VirtualClock } from '../../shared/clock/clock';
import { runVend } from '../../cli/vend';
import { artifactBucketName, artifactKeyAlias } from '../../shared/domain/naming';
import { MOTO_CREDENTIALS, MOTO_REGION, describeWithMoto, startMoto, type MotoServer } from '../support/moto';
import { openMotoWorld } from '../support/moto-world';
import { workflowDefinition } from '../support/workflow';

const sample = JSON.parse(
  readFileSync(join(__dirname, '../../events/application-request.json'), 'utf8'),
) as Record<string, unknown>;

describeWithMoto('Workflow: vend against moto server (--endpoint)', () => {
  let moto: MotoServer;
  let rootId: string;
  let endpoint: string;

  beforeAll(async () => {
    moto = await startMoto();
    endpoint = moto.endpoint;
    await moto.reset();
    const org = await openMotoWorld(endpoint);
    rootId = org.rootId;
  }, 60_000);

  afterAll(async () => {
    await moto?.stop();
  });

  const organizations = () =>
    new OrganizationsClient({ region: MOTO_REGION, endpoint, credentials: MOTO_CREDENTIALS });
  const vend = () =>
    runVend({
      input: { request: sample },
      definition: workflowDefinition(),
      clock: new VirtualClock(Date.now()),
    });

  it('vends the sample: OU, SCP attached, accounts in the OU, stack instance resources in each account', async () => {
    // Act
    const { summary } = await vend();

    // Assess: the organization as moto holds it
    expect(summary.error).toBeUndefined();
    expect(summary.status).toBe('SUCCEEDED');
    const client = organizations();
    const { OrganizationalUnits } = await client.send(
      new ListOrganizationalUnitsForParentCommand({ ParentId: rootId }),
    );
    const ou = OrganizationalUnits!.find((o) => o.Name === 'appvend-orders')!;
    expect(ou.Id).toBe(summary.organizationalUnit!.id);

    const { Policies } = await client.send(new ListPoliciesCommand({ Filter: 'SERVICE_CONTROL_POLICY' }));
    const scp = Policies!.find((p) => p.Name === 'appvend-orders-guardrails')!;
    const { Targets } = await client.send(new ListTargetsForPolicyCommand({ PolicyId: scp.Id! }));
    expect(Targets!.map((t) => t.TargetId)).toContain(ou.Id);

    const { Accounts } = await client.send(new ListAccountsForParentCommand({ ParentId: ou.Id! }));
    expect(Accounts!.map((a) => a.Email).sort()).toEqual([
      'aws+orders-prod@example.com',
      'aws+orders-test@example.com',
      'aws+orders-tooling@example.com',
    ]);

    // Assess: what the stack instances created, read with each account's assumed-role credentials
    for (const stage of ['test', 'prod']) {
      const iam = new IAMClient({
        region: MOTO_REGION,
        endpoint,
        credentials: await awsClients().credentialsFor(summary.accounts[stage]!.id),
      });
      const { Role } = await iam.send(
        new GetRoleCommand({ RoleName: 'ToolingAccountPipelineCloudformationRole' }),
      );
      expect(Role!.Arn).toBe(
        `arn:aws:iam::${summary.accounts[stage]!.id}:role/ToolingAccountPipelineCloudformationRole`,
      );
      const trust = JSON.stringify(Role!.AssumeRolePolicyDocument);
      expect(decodeURIComponent(trust)).toContain(
        `arn:aws:iam::${summary.accounts.tooling!.id}:role/appvend-orders-pipeline`,
      );
      const deployer = await iam.send(new GetRoleCommand({ RoleName: 'CloudformationDeployerRole' }));
      const deployerTrust = JSON.parse(decodeURIComponent(deployer.Role!.AssumeRolePolicyDocument!));
      expect(deployerTrust.Statement).toEqual([
        expect.objectContaining({
          Principal: { Service: 'cloudformation.amazonaws.com' },
          Condition: { StringEquals: { 'aws:SourceAccount': summary.accounts[stage]!.id } },
        }),
      ]);
    }
  });

  it('leaves the tooling account with the artifact key (rotating, aliased) and the bucket encrypted with it, the pipeline and build roles', async () => {
    // Prepare
    const { summary } = await vend();
    const tooling = summary.accounts.tooling!.id;
    const config = {
      region: MOTO_REGION,
      endpoint,
      credentials: await awsClients().credentialsFor(tooling),
    };
    const kms = new KMSClient(config);
    const s3 = new S3Client({ ...config, forcePathStyle: true });
    const bucket = artifactBucketName('orders', tooling);

    // Act
    const { Aliases } = await kms.send(new ListAliasesCommand({}));
    const alias = Aliases!.find((a) => a.AliasName === artifactKeyAlias('orders'));
    const rotation = await kms.send(new GetKeyRotationStatusCommand({ KeyId: alias!.TargetKeyId! }));
    const encryption = await s3.send(new GetBucketEncryptionCommand({ Bucket: bucket }));
    const iam = new IAMClient(config);
    const pipelineRole = await iam.send(new GetRoleCommand({ RoleName: 'appvend-orders-pipeline' }));
    const buildRole = await iam.send(new GetRoleCommand({ RoleName: 'appvend-orders-build' }));

    // Assess
    expect(alias?.TargetKeyId).toBeDefined();
    expect(rotation.KeyRotationEnabled).toBe(true);
    const rule = encryption.ServerSideEncryptionConfiguration!.Rules![0]!.ApplyServerSideEncryptionByDefault!;
    expect(rule.SSEAlgorithm).toBe('aws:kms');
    expect(rule.KMSMasterKeyID).toContain(alias!.TargetKeyId!);
    // moto's CloudFormation applies neither VersioningConfiguration nor PublicAccessBlockConfiguration
    // to the bucket; the template tests check both.
    // The pipeline template's roles; moto's CloudFormation does not create AWS::CodePipeline::Pipeline,
    // AWS::CodeBuild::Project or bucket and topic policies (they come back untyped), which the
    // template tests and the access matrix cover.
    const trusted = (role: typeof pipelineRole) =>
      JSON.parse(decodeURIComponent(role.Role!.AssumeRolePolicyDocument!)).Statement[0].Principal.Service;
    expect(trusted(pipelineRole)).toBe('codepipeline.amazonaws.com');
    expect(trusted(buildRole)).toBe('codebuild.amazonaws.com');
  });

  it('changes nothing and reports the same ids when run a second time', async () => {
    // Prepare
    const first = await vend();

    // Act
    const second = await vend();

    // Assess
    expect(second.summary.status).toBe('SUCCEEDED');
    const { guardrails: _a, ...firstIds } = first.summary;
    const { guardrails: _b, ...secondIds } = second.summary;
    expect(secondIds).toEqual(firstIds);
    const { Accounts } = await organizations().send(
      new ListAccountsForParentCommand({ ParentId: second.summary.organizationalUnit!.id }),
    );
    expect(Accounts).toHaveLength(3);
  });
});
