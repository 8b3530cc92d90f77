import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { awsClients } from '../../shared/aws/client-factory';
import { stackSetName } from '../../shared/domain/naming';
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

  it('plan: a codeconnections connection of another account is a note (share it through AWS RAM), not a blocker', async () => {
    // Prepare
    const settings = planSettingsFrom(readEnvironment(PlanEnv), { memberReads: true });

    // Act
    const plan = await planVend(awsClients(), sample, settings);

    // Assess
    expect(plan.blockers).toEqual([]);
    expect(plan.notes).toContainEqual(
      expect.stringMatching(
        /^source\.connectionArn: the connection belongs to account 111111111111, .+ through AWS RAM/,
      ),
    );
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
