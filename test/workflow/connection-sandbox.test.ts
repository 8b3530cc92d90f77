import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { awsClients } from '../../shared/aws/client-factory';
import { RAMClient, CreateResourceShareCommand } from '@aws-sdk/client-ram';
import { APPLICATION_TAG } from '../../shared/aws/application-tag';
import { connectionShareName, stackSetName } from '../../shared/domain/naming';
import { RESERVED_STAGE } from '../../shared/request/schema';
import { PlanEnv, planSettingsFrom, planVend } from '../../shared/workflow/plan';
import { readEnvironment } from '../../shared/workflow/settings';
import { sandboxWorld, type SandboxWorld } from '../support/workflow';

const sample = JSON.parse(readFileSync(join(__dirname, '../../events/application-request.json'), 'utf8')) as {
  source: Record<string, string>;
};

/** The sample with a connection of the older service prefix, owned by another account. */
const withCodeStarConnection = {
  ...sample,
  source: {
    ...sample.source,
    connectionArn:
      'arn:aws:codestar-connections:us-east-1:222222222222:connection/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0',
  },
};

/** The sample with a CodeConnections connection of another account than the one appvend runs in. */
const withOtherAccountsConnection = {
  ...sample,
  source: {
    ...sample.source,
    connectionArn:
      'arn:aws:codeconnections:us-east-1:222222222222:connection/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0',
  },
};

describe("Workflow: the pipeline's connection on the sandbox", () => {
  let world: SandboxWorld;

  beforeEach(() => {
    world = sandboxWorld();
  });

  it('plan: names a codestar-connections connection of another account as a blocker at DeployStackSets', async () => {
    // Prepare
    const settings = planSettingsFrom(readEnvironment(PlanEnv), { memberReads: true });

    // Act
    const plan = await planVend(awsClients(), withCodeStarConnection, settings);

    // Assess
    expect(plan.blockers).toEqual([
      {
        step: 'DeployStackSets',
        message: expect.stringMatching(
          /^source\.connectionArn: the connection belongs to account 222222222222, not the new tooling account, and a codestar-connections connection cannot be shared through AWS RAM/,
        ),
      },
    ]);
  });

  it('plan: a codeconnections connection of another account is a note (share it through AWS RAM by hand), not a blocker', async () => {
    // Prepare
    const settings = planSettingsFrom(readEnvironment(PlanEnv), { memberReads: true });

    // Act
    const plan = await planVend(awsClients(), withOtherAccountsConnection, settings);

    // Assess
    expect(plan.blockers).toEqual([]);
    expect(plan.notes).toContainEqual(
      expect.stringMatching(
        /^source\.connectionArn: the connection belongs to account 222222222222, .+ through AWS RAM; .+share this one by hand/,
      ),
    );
    expect(plan.steps.filter((s) => s.kind === 'connection-share')).toEqual([]);
  });

  it('plan: a connection of the account appvend runs in is shared with tooling (create), then kept', async () => {
    // Prepare
    const settings = planSettingsFrom(readEnvironment(PlanEnv), { memberReads: true });

    // Act
    const before = await planVend(awsClients(), sample, settings);
    await world.vend(sample);
    const after = await planVend(awsClients(), sample, settings);

    // Assess
    const shareStep = (plan: typeof before) => plan.steps.filter((s) => s.kind === 'connection-share');
    expect(shareStep(before)).toEqual([
      expect.objectContaining({
        action: 'create',
        name: 'appvend-orders-connection',
        step: 'DeployStackSets',
      }),
    ]);
    expect(before.notes.filter((n) => n.includes('AWS RAM'))).toEqual([]);
    const tooling = world.sandbox.accounts().find((a) => a.name === `orders-${RESERVED_STAGE}`);
    expect(shareStep(after)).toEqual([expect.objectContaining({ action: 'keep', accountId: tooling?.id })]);
  });

  it("vend: shares the management account's connection with the tooling account once, named, tagged, inside the organization, from us-east-1", async () => {
    // Act
    const run = await world.vend(sample);

    // Assess
    expect(run.summary.status).toBe('SUCCEEDED');
    const tooling = world.sandbox.accounts().find((a) => a.name === `orders-${RESERVED_STAGE}`);
    expect(world.sandbox.resourceShares()).toEqual([
      expect.objectContaining({
        name: connectionShareName('orders'),
        owningAccountId: '111111111111',
        region: 'us-east-1',
        status: 'ACTIVE',
        allowExternalPrincipals: false,
        tags: [{ Key: APPLICATION_TAG, Value: 'orders' }],
        principals: [tooling?.id],
        resources: [sample.source.connectionArn],
      }),
    ]);
    // Shared before the pipeline's stack set was created (the pipeline in tooling needs it).
    const [share] = world.sandbox.resourceShares();
    const pipeline = world.sandbox.stackSets().find((s) => s.name === stackSetName('orders', 'pipeline'));
    expect(share!.createdAt).toBeLessThanOrEqual(pipeline!.createdAt);
    const calls = world.sandbox.calls.map((c) => c.operation);
    expect(calls.filter((o) => o === 'CreateResourceShare')).toHaveLength(1);
  });

  it('vend: a second vend keeps the share (no CreateResourceShare, no AssociateResourceShare)', async () => {
    // Prepare
    await world.vend(sample);
    const before = world.sandbox.calls.length;

    // Act
    const run = await world.vend(sample);

    // Assess
    expect(run.summary.status).toBe('SUCCEEDED');
    const again = world.sandbox.calls.slice(before).map((c) => c.operation);
    expect(again).toContain('GetResourceShares');
    expect(again.filter((o) => o === 'CreateResourceShare' || o === 'AssociateResourceShare')).toEqual([]);
    expect(world.sandbox.resourceShares()).toHaveLength(1);
  });

  it('vend: CreateResourceShare whose answer is lost is retried with the same clientToken and makes no second share', async () => {
    // Prepare
    world.sandbox.faults.inject({
      service: 'ram',
      operation: 'CreateResourceShare',
      error: 'crash-after-success',
    });

    // Act
    const run = await world.vend(sample);

    // Assess
    expect(run.summary.status).toBe('SUCCEEDED');
    const creates = world.sandbox.calls.filter((c) => c.operation === 'CreateResourceShare');
    expect(creates.length).toBeGreaterThanOrEqual(2);
    expect(world.sandbox.resourceShares()).toHaveLength(1);
  });

  it('vend: a connection of another account makes no share and still reaches the pipeline (shared by hand)', async () => {
    // Act
    const run = await world.vend(withOtherAccountsConnection);

    // Assess
    expect(run.summary.status).toBe('SUCCEEDED');
    expect(world.sandbox.resourceShares()).toEqual([]);
    expect(world.sandbox.calls.filter((c) => c.service === 'ram')).toEqual([]);
  });

  it("vend: a share of that name without the application's tag is someone else's: the vend stops before the pipeline", async () => {
    // Prepare
    const ram = new RAMClient({ ...world.sandbox.clientConfig(), region: 'us-east-1' });
    ram.middlewareStack.use(world.sandbox.plugin());
    await ram.send(
      new CreateResourceShareCommand({
        name: connectionShareName('orders'),
        resourceArns: [sample.source.connectionArn!],
        allowExternalPrincipals: false,
      }),
    );

    // Act
    const run = await world.vend(sample);

    // Assess
    expect(run.summary.status).toBe('FAILED');
    expect(run.summary.error).toEqual({
      step: 'DeployStackSets',
      message: expect.stringContaining(`not tagged ${APPLICATION_TAG}=orders`),
    });
    expect(world.sandbox.stackSets().map((s) => s.name)).not.toContain(stackSetName('orders', 'pipeline'));
  });

  it('vend: stops at DeployStackSets before the pipeline stack set exists, naming the field and why', async () => {
    // Act
    const run = await world.vend(withCodeStarConnection);

    // Assess
    expect(run.summary.status).toBe('FAILED');
    expect(run.summary.error).toEqual({
      step: 'DeployStackSets',
      message: expect.stringContaining('codestar-connections connection cannot be shared through AWS RAM'),
    });
    const stackSets = world.sandbox.stackSets().map((s) => s.name);
    expect(stackSets).toContain(stackSetName('orders', 'artifact-store'));
    expect(stackSets).not.toContain(stackSetName('orders', 'pipeline'));
  });
});
