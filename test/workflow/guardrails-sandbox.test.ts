/**
 * The conformance packs' outcome: the vend waits (Wait states) until AWS Config has deployed every
 * pack, fails on a pack that ended CREATE_FAILED with AWS's reason, and a resumed vend puts the
 * failed pack again.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LocalExecutionStarter } from '../../cli/local-starter';
import { conformancePackName } from '../../shared/domain/naming';
import { submitApplication } from '../../shared/workflow/intake';
import { OWNER } from '../support/actors';
import { sandboxWorld, workflowDefinition, type SandboxWorld } from '../support/workflow';

const sample = JSON.parse(
  readFileSync(join(__dirname, '../../events/application-request.json'), 'utf8'),
) as Record<string, unknown>;
const PACK = conformancePackName('orders');
const REASON = 'Rule appvend-orders-s3-versioning failed: the managed rule identifier is not valid';

describe('Workflow: conformance pack outcome on the sandbox', () => {
  let world: SandboxWorld;
  let starter: LocalExecutionStarter;

  beforeEach(() => {
    world = sandboxWorld();
    starter = new LocalExecutionStarter({ definition: workflowDefinition(), clock: world.clock });
  });

  const appAccounts = () => world.sandbox.accounts().filter((a) => a.email.startsWith('aws+orders-'));
  const packStates = () =>
    appAccounts().map(
      (a) => world.sandbox.configState(a.id).conformancePacks.find((p) => p.name === PACK)?.state,
    );

  it('ends the vend only once every conformance pack is CREATE_COMPLETE, waiting in Wait states', async () => {
    // Act
    const run = await world.vend(sample);

    // Assess
    expect(run.summary.status).toBe('SUCCEEDED');
    expect(packStates()).toEqual(['CREATE_COMPLETE', 'CREATE_COMPLETE', 'CREATE_COMPLETE']);
    const states = run.tasks.map((t) => t.state);
    expect(states).toContain('CheckConformancePacks');
    // The packs' deployment time is spent in the workflow, not after it
    expect(run.summary.guardrails).toEqual({
      conformancePack: PACK,
      accounts: Object.fromEntries(
        appAccounts().map((a) => [a.id, { recorder: 'created', conformancePack: 'created' }]),
      ),
    });
  });

  it('delivers to the bucket whose policy admits the recorder roles by aws:PrincipalOrgID, as the role', async () => {
    // Act: the delivery bucket's policy is the README's (test/support/workflow.ts)
    const run = await world.vend(sample);

    // Assess: PutDeliveryChannel passed AWS Config's delivery check in every account
    expect(run.summary.status).toBe('SUCCEEDED');
    expect(appAccounts().map((a) => world.sandbox.configState(a.id).deliveryChannel?.s3BucketName)).toEqual(
      appAccounts().map(() => process.env.APPVEND_CONFIG_BUCKET),
    );
  });

  it("fails the vend at DeployStackSets with the pack's status reason when a pack ends CREATE_FAILED", async () => {
    // Prepare: the first pack deployment fails, as a pack whose stack fails does
    world.sandbox.failConformancePacks({ name: PACK, reason: REASON });

    // Act
    const run = await world.vend(sample);

    // Assess
    expect(run.summary.status).toBe('FAILED');
    expect(run.summary.error?.step).toBe('DeployStackSets');
    expect(run.summary.error?.message).toContain('CREATE_FAILED');
    expect(run.summary.error?.message).toContain(REASON);
    expect(packStates()).toContain('CREATE_FAILED');
  });

  it('puts a failed pack again when the vend is resumed, although it carries the wanted digest', async () => {
    // Prepare
    world.sandbox.failConformancePacks({ name: PACK, reason: REASON });
    await submitApplication(world.ledger, starter, sample, OWNER);
    await Promise.all(starter.runs.values());
    const failed = await world.ledger.get('orders');

    // Act
    await submitApplication(world.ledger, starter, sample, OWNER);
    await Promise.all(starter.runs.values());
    const record = await world.ledger.get('orders');

    // Assess
    expect(failed).toMatchObject({ status: 'FAILED', resume: { step: 'DeployStackSets' } });
    expect(record).toMatchObject({ status: 'SUCCEEDED', attempt: 2 });
    expect(packStates()).toEqual(['CREATE_COMPLETE', 'CREATE_COMPLETE', 'CREATE_COMPLETE']);
    expect(Object.values(record!.summary!.guardrails!.accounts).map((a) => a.conformancePack)).toContain(
      'updated',
    );
  });
});
