import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CloudFormationClient, ListStackSetOperationsCommand } from '@aws-sdk/client-cloudformation';
import { CreateAccountCommand, RegisterDelegatedAdministratorCommand } from '@aws-sdk/client-organizations';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { collectVendReport } from '../../cli/report';
import { ClientFactory, awsClients, managementClient } from '../../shared/aws/client-factory';
import { removeStackSet } from '../../shared/aws/stack-set-removal';
import { parseRequest } from '../../shared/request/validate';
import { PlanEnv, planSettingsFrom, planVend } from '../../shared/workflow/plan';
import { readEnvironment } from '../../shared/workflow/settings';
import { DEFAULT_LATENCY } from '../../shared/sandbox';
import { checkStackSet, deployStackSet, type StackSetSettings } from '../../shared/workflow/steps/stack-set';
import type { StackSetDeployment, VendedAccount } from '../../shared/workflow/types';
import { createSuspendedOu, offboard, vendThroughLedger } from '../support/offboard';
import { TEMPLATES_DIR, sandboxWorld, type SandboxWorld } from '../support/workflow';

const PRINCIPAL = 'member.org.stacksets.cloudformation.amazonaws.com';
const orders = JSON.parse(
  readFileSync(join(__dirname, '../../events/application-request.json'), 'utf8'),
) as Record<string, unknown>;

/** The vend's stack set operations so far, by stack set (from AWS's own record). */
async function operations(names: string[]) {
  const client = awsClients().managementClient(CloudFormationClient);
  const all = await Promise.all(
    names.map(
      async (name) =>
        (await client.send(new ListStackSetOperationsCommand({ StackSetName: name }))).Summaries ?? [],
    ),
  );
  return all.flat().length;
}

/** Moves one stack set to DONE with the deploy and check steps, as the state machine does. */
async function deployUntilDone(
  world: SandboxWorld,
  clients: ClientFactory,
  deploy: () => Promise<StackSetDeployment>,
): Promise<StackSetDeployment> {
  for (let step = 0; step < 10; step += 1) {
    const deployment = await deploy();
    if (deployment.state === 'DONE') return deployment;
    // Long enough for the operation to end: the check throws while it still runs.
    world.clock.advance(DEFAULT_LATENCY.stackSetOperationOverhead + 10 * 60_000);
    await checkStackSet(clients, deployment);
  }
  throw new Error('the stack set did not converge');
}

/** A member account of the organization, registered as the StackSets delegated administrator, and a factory acting as it. */
async function platformAccount(world: SandboxWorld): Promise<{ id: string; clients: ClientFactory }> {
  const organizations = awsClients().organizations();
  await organizations.send(
    new CreateAccountCommand({ Email: 'platform@example.com', AccountName: 'platform' }),
  );
  world.clock.advance(3 * 60_000 + DEFAULT_LATENCY.accessRolePropagation);
  const id = world.sandbox.accounts().find((a) => a.email === 'platform@example.com')!.id;
  await organizations.send(
    new RegisterDelegatedAdministratorCommand({ AccountId: id, ServicePrincipal: PRINCIPAL }),
  );
  const { Credentials } = await managementClient(STSClient).send(
    new AssumeRoleCommand({
      RoleArn: `arn:aws:iam::${id}:role/OrganizationAccountAccessRole`,
      RoleSessionName: 'platform',
    }),
  );
  const clients = new ClientFactory({
    region: 'us-east-1',
    credentials: {
      accessKeyId: Credentials!.AccessKeyId!,
      secretAccessKey: Credentials!.SecretAccessKey!,
      sessionToken: Credentials!.SessionToken!,
    },
    plugins: [world.sandbox.plugin()],
    maxAttempts: 3,
    memberRoleName: 'OrganizationAccountAccessRole',
    now: () => world.clock.now(),
  });
  return { id, clients };
}

describe('Workflow: stack sets with service-managed permissions on the sandbox', () => {
  let world: SandboxWorld;

  beforeEach(() => {
    world = sandboxWorld();
    process.env.APPVEND_STACKSETS_MODE = 'SERVICE_MANAGED';
  });

  afterEach(() => {
    delete process.env.APPVEND_STACKSETS_MODE;
    delete process.env.APPVEND_SUSPENDED_OU_ID;
  });

  it('vends the sample from the management account with service-managed stack sets targeted by the OU', async () => {
    // Prepare
    world.sandbox.enableTrustedAccess(PRINCIPAL);

    // Act
    const run = await world.vend(orders);
    const report = await collectVendReport(run, awsClients(), { backend: 'sandbox' });

    // Assess
    const { summary } = run;
    expect(summary.status).toBe('SUCCEEDED');
    expect(report.stackInstances).toHaveLength(7);
    const ou = summary.organizationalUnit!.id;
    const id = (stage: string) => summary.accounts[stage]!.id;
    const sets = world.sandbox.stackSets().filter((s) => s.name.startsWith('appvend-orders-'));
    expect(sets).toHaveLength(4);
    expect(sets.every((s) => s.permissionModel === 'SERVICE_MANAGED')).toBe(true);
    // Each template only in the accounts it belongs in (INTERSECTION with the OU), each under the OU.
    const instances = world.sandbox.stackInstances();
    expect(instances.every((i) => i.organizationalUnitId === ou && i.status === 'CURRENT')).toBe(true);
    expect(
      instances.filter((i) => i.stackSetName === 'appvend-orders-pipeline').map((i) => i.account),
    ).toEqual([id('tooling')]);
    expect(
      instances
        .filter((i) => i.stackSetName === 'appvend-orders-cross-account-roles')
        .map((i) => i.account)
        .sort(),
    ).toEqual([id('test'), id('prod')].sort());
    // The per-stage parameters reach the pipeline.
    const pipeline = sets.find((s) => s.name === 'appvend-orders-pipeline')!;
    expect(pipeline.parameters.StageAccountIds).toBe(`${id('test')},${id('prod')}`);
  });

  it('stops at the stack sets, naming trusted access, when it is not activated', async () => {
    // Act
    const { summary } = await world.vend(orders);

    // Assess
    expect(summary.status).toBe('FAILED');
    expect(summary.error?.step).toBe('DeployStackSets');
    expect(summary.error?.message).toMatch(/trusted access/);
    expect(world.sandbox.stackSets()).toEqual([]);
  });

  it('changes nothing when the same request is vended again', async () => {
    // Prepare
    world.sandbox.enableTrustedAccess(PRINCIPAL);
    expect((await world.vend(orders)).summary.status).toBe('SUCCEEDED');
    const names = world.sandbox.stackSets().map((s) => s.name);
    const before = await operations(names);

    // Act
    const { summary } = await world.vend(orders);

    // Assess
    expect(summary.status).toBe('SUCCEEDED');
    expect(await operations(names)).toBe(before);
  });

  it('plans a vended application as kept, reading its service-managed stack sets', async () => {
    // Prepare
    world.sandbox.enableTrustedAccess(PRINCIPAL);
    expect((await world.vend(orders)).summary.status).toBe('SUCCEEDED');
    const settings = planSettingsFrom(readEnvironment(PlanEnv), { memberReads: true });

    // Act
    const plan = await planVend(awsClients(), orders, settings);

    // Assess
    const stackSteps = plan.steps.filter((s) => s.kind === 'stack-set' || s.kind === 'stack-instance');
    expect(stackSteps).toHaveLength(11);
    expect(stackSteps.every((s) => s.action === 'keep')).toBe(true);
  });

  it('offboards an application whose stack sets are service-managed', async () => {
    // Prepare
    world.sandbox.enableTrustedAccess(PRINCIPAL);
    await createSuspendedOu();
    expect((await vendThroughLedger(world, orders)).summary.status).toBe('SUCCEEDED');

    // Act
    const run = await offboard(world, 'orders');

    // Assess
    expect(run).not.toBe('already-offboarded');
    expect(world.sandbox.stackInstances()).toEqual([]);
    expect(world.sandbox.stackSets().every((s) => s.status === 'DELETED')).toBe(true);
  });

  describe('from a delegated administrator account', () => {
    let accounts: VendedAccount[];
    let ouId: string;
    let settings: StackSetSettings;
    let platform: { id: string; clients: ClientFactory };

    beforeEach(async () => {
      world.sandbox.enableTrustedAccess(PRINCIPAL);
      const { summary } = await world.vend(orders);
      ouId = summary.organizationalUnit!.id;
      accounts = Object.entries(summary.accounts).map(([stage, a]) => ({
        stage,
        name: `orders-${stage}`,
        email: a.email,
        id: a.id,
      }));
      // An account holds one application's guardrails: their member access role has one name in
      // every account (shared/domain/member-access.ts). Orders' go, so that billing's may come.
      const orderGuardrails = {
        name: 'appvend-orders-guardrails',
        application: 'orders',
        callAs: 'SELF' as const,
      };
      const cloudFormation = awsClients().managementClient(CloudFormationClient);
      const done = () => Promise.resolve({ ready: true, removed: 0 });
      for (
        let i = 0;
        (await removeStackSet(cloudFormation, orderGuardrails, done)).state !== 'DONE';
        i += 1
      ) {
        if (i === 10) throw new Error("orders' guardrails were not removed");
        world.clock.advance(DEFAULT_LATENCY.stackSetOperationOverhead + 10 * 60_000);
      }
      platform = await platformAccount(world);
      const management = world.sandbox.organization().MasterAccountId as string;
      settings = {
        managementAccountId: management,
        adminRoleName: 'AWSCloudFormationStackSetAdministrationRole',
        executionRoleName: 'OrganizationAccountAccessRole',
        notificationTopicArn: `arn:aws:sns:us-east-1:${management}:appvend-security-notifications`,
        region: 'us-east-1',
        templatesDir: TEMPLATES_DIR,
        stackSetsMode: 'SERVICE_MANAGED',
      };
    });

    const billing = () => parseRequest({ ...orders, name: 'billing' });

    it('creates a stack set as DELEGATED_ADMIN, in the management account, and deploys it to the OU’s accounts', async () => {
      // Act
      const first = await deployStackSet(platform.clients, {
        template: 'guardrails',
        request: billing(),
        accounts,
        settings,
        ouId,
      });
      const done = await deployUntilDone(world, platform.clients, () =>
        deployStackSet(platform.clients, {
          template: 'guardrails',
          request: billing(),
          accounts,
          settings,
          ouId,
        }),
      );

      // Assess
      expect(first).toMatchObject({ state: 'RUNNING', callAs: 'DELEGATED_ADMIN' });
      expect(done.state).toBe('DONE');
      const set = world.sandbox.stackSets().find((s) => s.name === 'appvend-billing-guardrails')!;
      expect(set.ownerAccountId).toBe(settings.managementAccountId);
      expect(
        world.sandbox
          .stackInstances()
          .filter((i) => i.stackSetName === 'appvend-billing-guardrails')
          .map((i) => i.account)
          .sort(),
      ).toEqual(accounts.map((a) => a.id).sort());
    });

    it('answers a retried create, update or delete with the operation the first call started', async () => {
      // Prepare
      const deploy = (topic = settings.notificationTopicArn) =>
        deployStackSet(platform.clients, {
          template: 'guardrails',
          request: billing(),
          accounts,
          settings: { ...settings, notificationTopicArn: topic },
          ouId,
        });

      // Act: each call made twice, as a Lambda retried after its answer was lost.
      const create = [await deploy(), await deploy()];
      await deployUntilDone(world, platform.clients, () => deploy());
      const changed = `${settings.notificationTopicArn}-2`;
      const update = [await deploy(changed), await deploy(changed)];
      await deployUntilDone(world, platform.clients, () => deploy(changed));
      const client = platform.clients.managementClient(CloudFormationClient);
      const remove = () =>
        removeStackSet(
          client,
          { name: 'appvend-billing-guardrails', application: 'billing', callAs: 'DELEGATED_ADMIN' },
          () => Promise.resolve({ ready: true, removed: 0 }),
        );
      const deletion = [await remove(), await remove()];

      // Assess
      expect(create[0]).toMatchObject({ state: 'RUNNING', action: 'CREATE' });
      expect(create[1]!.operationId).toBe(create[0]!.operationId);
      expect(update[0]).toMatchObject({ state: 'RUNNING', action: 'UPDATE' });
      expect(update[1]!.operationId).toBe(update[0]!.operationId);
      expect(deletion[0]).toMatchObject({ state: 'RUNNING', action: 'DELETE' });
      expect(deletion[1]).toMatchObject({ state: 'RUNNING' });
      expect((deletion[1] as { operationId: string }).operationId).toBe(
        (deletion[0] as { operationId: string }).operationId,
      );
    });

    it('removes the stack set as DELEGATED_ADMIN: its instances by OU, then the stack set', async () => {
      // Prepare
      await deployUntilDone(world, platform.clients, () =>
        deployStackSet(platform.clients, {
          template: 'guardrails',
          request: billing(),
          accounts,
          settings,
          ouId,
        }),
      );
      const client = platform.clients.managementClient(CloudFormationClient);
      const remove = () =>
        removeStackSet(
          client,
          { name: 'appvend-billing-guardrails', application: 'billing', callAs: 'DELEGATED_ADMIN' },
          () => Promise.resolve({ ready: true, removed: 0 }),
        );

      // Act
      let progress = await remove();
      for (let i = 0; progress.state !== 'DONE' && i < 10; i += 1) {
        world.clock.advance(DEFAULT_LATENCY.stackSetOperationOverhead + 10 * 60_000);
        progress = await remove();
      }

      // Assess
      expect(progress).toEqual({ state: 'DONE', outcome: 'deleted' });
      expect(
        world.sandbox.stackInstances().filter((i) => i.stackSetName === 'appvend-billing-guardrails'),
      ).toEqual([]);
      const set = world.sandbox.stackSets().find((s) => s.name === 'appvend-billing-guardrails');
      expect(set?.status).toBe('DELETED');
    });

    it('stops, naming the accounts, when they are not in the OU the instances are targeted by', async () => {
      // Prepare: an OU other than the accounts'.
      const outside =
        world.sandbox.ous().find((o) => o.name === 'Suspended')?.id ?? (await createSuspendedOu('Elsewhere'));
      const deploy = () =>
        deployStackSet(platform.clients, {
          template: 'guardrails',
          request: billing(),
          accounts,
          settings,
          ouId: outside,
        });

      // Act
      const error = await deployUntilDone(world, platform.clients, deploy).catch((e: Error) => e);

      // Assess
      expect(error).toBeInstanceOf(Error);
      expect((error as Error).message).toMatch(/not in it/);
      expect(
        world.sandbox.stackInstances().filter((i) => i.stackSetName === 'appvend-billing-guardrails'),
      ).toEqual([]);
    });
  });
});
