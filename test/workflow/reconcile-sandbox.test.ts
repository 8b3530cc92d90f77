import {
  CloudFormationClient,
  DeleteStackInstancesCommand,
  UpdateStackSetCommand,
} from '@aws-sdk/client-cloudformation';
import {
  ConfigServiceClient,
  DeleteConformancePackCommand,
  DescribeConformancePacksCommand,
  PutConformancePackCommand,
} from '@aws-sdk/client-config-service';
import {
  DetachPolicyCommand,
  ListRootsCommand,
  MoveAccountCommand,
  OrganizationsClient,
  UpdatePolicyCommand,
} from '@aws-sdk/client-organizations';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LocalExecutionStarter } from '../../cli/local-starter';
import { awsClients } from '../../shared/aws/client-factory';
import { conformancePackTemplate } from '../../shared/domain/conformance-pack';
import { conformancePackName, scpName, stackSetName } from '../../shared/domain/naming';
import { submitApplication } from '../../shared/workflow/intake';
import { PlanEnv, planSettingsFrom } from '../../shared/workflow/plan';
import { reconcileApplication, type ReconcileDeps } from '../../shared/workflow/reconcile';
import { readEnvironment } from '../../shared/workflow/settings';
import { sandboxWorld, workflowDefinition, type SandboxWorld } from '../support/workflow';
import { OWNER } from '../support/actors';

const sample = JSON.parse(
  readFileSync(join(__dirname, '../../events/application-request.json'), 'utf8'),
) as Record<string, unknown>;

describe('Workflow: reconcile drift made by hand', () => {
  let world: SandboxWorld;
  let starter: LocalExecutionStarter;
  let org: OrganizationsClient;
  let cfn: CloudFormationClient;

  const client = <T extends { middlewareStack: { use(p: unknown): void } }>(make: () => T): T => {
    const c = make();
    c.middlewareStack.use(world.sandbox.plugin());
    return c;
  };

  beforeEach(async () => {
    world = sandboxWorld();
    starter = new LocalExecutionStarter({ definition: workflowDefinition(), clock: world.clock });
    org = client(() => new OrganizationsClient(world.sandbox.clientConfig()));
    cfn = client(() => new CloudFormationClient(world.sandbox.clientConfig()));
    await submitApplication(world.ledger, starter, sample, OWNER);
    await Promise.all(starter.runs.values());
  });

  const deps = (apply: boolean): ReconcileDeps => ({
    clients: awsClients(),
    ledger: world.ledger,
    settings: planSettingsFrom(readEnvironment(PlanEnv), { memberReads: true }),
    eventBusName: 'appvend',
    ...(apply && { starter }),
  });

  /** Reconciles, waits for the fix, and says what changed in the organization meanwhile. */
  async function reconcile(apply: boolean) {
    const record = (await world.ledger.get('orders'))!;
    const before = world.sandbox.calls.length;
    const report = await reconcileApplication(deps(apply), record);
    const run = report.executionName ? await starter.runs.get(report.executionName) : undefined;
    const mutating = world.sandbox.calls
      .slice(before)
      .filter((c) => c.mutating && c.service !== 'events' && c.service !== 'sns');
    return { report, run, mutating };
  }

  const account = (stage: string) =>
    world.sandbox.accounts().find((a) => a.email === `aws+orders-${stage}@example.com`)!;
  const ou = () => world.sandbox.ous().find((o) => o.name === 'appvend-orders')!;
  const scp = () => world.sandbox.policies().find((p) => p.name === scpName('orders'))!;
  const events = () => world.sandbox.notifications().map((n) => n.kind);

  it('finds nothing to do in an application as it was vended, and changes nothing', async () => {
    // Act
    const { report, mutating } = await reconcile(true);

    // Assess
    expect(report).toMatchObject({ outcome: 'in-line', drift: [] });
    expect(mutating).toEqual([]);
    expect(events()).not.toContain('Application Drift Detected');
  });

  it('an account moved out of the OU: reported, then moved back by --apply', async () => {
    // Prepare
    const { Roots } = await org.send(new ListRootsCommand({}));
    const prod = account('prod');
    await org.send(
      new MoveAccountCommand({
        AccountId: prod.id,
        SourceParentId: ou().id,
        DestinationParentId: Roots![0]!.Id!,
      }),
    );

    // Act
    const reported = await reconcile(false);
    const fixed = await reconcile(true);

    // Assess
    expect(reported.report.outcome).toBe('drifted');
    expect(reported.report.drift).toEqual([expect.objectContaining({ kind: 'account', action: 'adopt' })]);
    expect(reported.mutating).toEqual([]);
    expect(fixed.report.outcome).toBe('fixing');
    expect(fixed.run!.summary.status).toBe('SUCCEEDED');
    expect(account('prod').parentId).toBe(ou().id);
    expect(events()).toEqual(
      expect.arrayContaining(['Application Drift Detected', 'Application Drift Fixed']),
    );
    expect((await world.ledger.get('orders'))!).toMatchObject({ status: 'SUCCEEDED', attempt: 2 });
    // Nothing but the move was needed
    expect(fixed.mutating.map((c) => c.operation)).toEqual(['MoveAccount']);
  });

  it('the SCP edited by hand: reported with the diff, restored', async () => {
    // Prepare
    const wanted = scp().content;
    await org.send(
      new UpdatePolicyCommand({
        PolicyId: scp().id,
        Content: JSON.stringify({
          Version: '2012-10-17',
          Statement: [{ Effect: 'Deny', Action: 's3:*', Resource: '*' }],
        }),
      }),
    );

    // Act
    const { report, run } = await reconcile(true);

    // Assess
    expect(report.drift).toEqual([
      expect.objectContaining({ kind: 'service-control-policy', action: 'update' }),
    ]);
    expect(report.drift[0]!.details.join('\n')).toContain('DenyServers');
    expect(run!.summary.status).toBe('SUCCEEDED');
    expect(JSON.parse(scp().content)).toEqual(JSON.parse(wanted));
  });

  it('the SCP detached from the OU: reported, attached again', async () => {
    // Prepare
    await org.send(new DetachPolicyCommand({ PolicyId: scp().id, TargetId: ou().id }));

    // Act
    const { report, run } = await reconcile(true);

    // Assess
    expect(report.drift).toEqual([
      expect.objectContaining({ kind: 'service-control-policy', action: 'attach' }),
    ]);
    expect(run!.summary.status).toBe('SUCCEEDED');
    expect(world.sandbox.attachments()).toContainEqual(
      expect.objectContaining({ policyId: scp().id, targetId: ou().id }),
    );
  });

  it('a stack instance deleted by hand: reported, created again', async () => {
    // Prepare
    const name = stackSetName('orders', 'cross-account-roles');
    await cfn.send(
      new DeleteStackInstancesCommand({
        StackSetName: name,
        Accounts: [account('prod').id],
        Regions: ['us-east-1'],
        RetainStacks: false,
      }),
    );
    world.clock.advance(10 * 60_000);

    // Act
    const { report, run } = await reconcile(true);

    // Assess
    expect(report.drift).toEqual([expect.objectContaining({ kind: 'stack-instance', action: 'create' })]);
    expect(run!.summary.status).toBe('SUCCEEDED');
    const instances = world.sandbox.stackInstances().filter((i) => i.stackSetName === name);
    expect(instances.map((i) => [i.account, i.status]).sort()).toEqual(
      [account('test').id, account('prod').id].map((id) => [id, 'CURRENT']).sort(),
    );
  });

  it('a stack set parameter changed by hand: reported with the parameter, restored', async () => {
    // Prepare
    const name = stackSetName('orders', 'pipeline');
    const current = world.sandbox.stackSets().find((s) => s.name === name)!;
    await cfn.send(
      new UpdateStackSetCommand({
        StackSetName: name,
        UsePreviousTemplate: true,
        Capabilities: ['CAPABILITY_NAMED_IAM'],
        Parameters: Object.keys(current.parameters).map((key) =>
          key === 'Branch'
            ? { ParameterKey: key, ParameterValue: 'hotfix' }
            : { ParameterKey: key, UsePreviousValue: true },
        ),
      }),
    );
    world.clock.advance(10 * 60_000);

    // Act
    const { report, run } = await reconcile(true);

    // Assess
    expect(report.drift).toEqual(
      expect.arrayContaining([expect.objectContaining({ kind: 'stack-set', action: 'update' })]),
    );
    expect(report.drift.flatMap((d) => d.details).join('\n')).toContain('Branch: hotfix → main');
    expect(run!.summary.status).toBe('SUCCEEDED');
    const after = world.sandbox.stackSets().find((s) => s.name === name)!;
    expect(after.parameters.Branch).toBe('main');
  });

  it('a guardrail removed by hand in a member account: reported, registered again', async () => {
    // Prepare: once the pack is deployed, the member account's administrator deletes it
    world.clock.advance(10 * 60_000);
    const test = account('test').id;
    const sts = client(() => new STSClient(world.sandbox.clientConfig()));
    const { Credentials } = await sts.send(
      new AssumeRoleCommand({
        RoleArn: `arn:aws:iam::${test}:role/OrganizationAccountAccessRole`,
        RoleSessionName: 'admin',
      }),
    );
    const config = client(
      () =>
        new ConfigServiceClient({
          region: 'us-east-1',
          credentials: {
            accessKeyId: Credentials!.AccessKeyId!,
            secretAccessKey: Credentials!.SecretAccessKey!,
            sessionToken: Credentials!.SessionToken!,
          },
        }),
    );
    await config.send(
      new DeleteConformancePackCommand({ ConformancePackName: conformancePackName('orders') }),
    );

    // Act
    const { report, run } = await reconcile(true);

    // Assess
    expect(report.drift).toEqual([expect.objectContaining({ kind: 'conformance-pack', action: 'create' })]);
    expect(run!.summary.status).toBe('SUCCEEDED');
    expect(world.sandbox.configState(test).conformancePacks.map((p) => p.name)).toContain(
      conformancePackName('orders'),
    );
  });

  it('a conformance pack that ended CREATE_FAILED with the wanted digest: reported, put again', async () => {
    // Prepare: the pack is deployed again (as AWS Config or an administrator may) and fails
    const test = account('test').id;
    const sts = client(() => new STSClient(world.sandbox.clientConfig()));
    const { Credentials } = await sts.send(
      new AssumeRoleCommand({
        RoleArn: `arn:aws:iam::${test}:role/OrganizationAccountAccessRole`,
        RoleSessionName: 'admin',
      }),
    );
    const config = client(
      () =>
        new ConfigServiceClient({
          region: 'us-east-1',
          credentials: {
            accessKeyId: Credentials!.AccessKeyId!,
            secretAccessKey: Credentials!.SecretAccessKey!,
            sessionToken: Credentials!.SessionToken!,
          },
        }),
    );
    const name = conformancePackName('orders');
    const { ConformancePackDetails } = await config.send(
      new DescribeConformancePacksCommand({ ConformancePackNames: [name] }),
    );
    world.sandbox.failConformancePacks({ accountId: test, name, reason: 'Rule creation failed' });
    await config.send(
      new PutConformancePackCommand({
        ConformancePackName: name,
        TemplateBody: conformancePackTemplate('serverless'),
        ConformancePackInputParameters: ConformancePackDetails![0]!.ConformancePackInputParameters,
      }),
    );
    world.clock.advance(10 * 60_000);
    const packState = () =>
      world.sandbox.configState(test).conformancePacks.find((p) => p.name === name)?.state;
    const failed = packState();

    // Act
    const { report, run } = await reconcile(true);

    // Assess
    expect(failed).toBe('CREATE_FAILED');
    expect(report.drift).toEqual([expect.objectContaining({ kind: 'conformance-pack', action: 'update' })]);
    expect(run!.summary.status).toBe('SUCCEEDED');
    expect(packState()).toBe('CREATE_COMPLETE');
  });

  it('skips an application whose vend failed, pointing to resume', async () => {
    // Prepare
    const record = (await world.ledger.get('orders'))!;

    // Act
    const report = await reconcileApplication(deps(true), {
      ...record,
      status: 'FAILED',
      step: 'DeployStackSets',
    });

    // Assess
    expect(report).toMatchObject({ outcome: 'skipped' });
    expect(report.reason).toContain('appvend resume orders');
  });
});
