import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LocalExecutionStarter } from '../../cli/local-starter';
import { VirtualClock } from '../../shared/clock/clock';
import { Sandbox } from '../../shared/sandbox';
import { submitApplication } from '../../shared/workflow/intake';
import { sandboxWorld, workflowDefinition, type SandboxWorld } from '../support/workflow';
import { OWNER } from '../support/actors';

const sample = JSON.parse(
  readFileSync(join(__dirname, '../../events/application-request.json'), 'utf8'),
) as Record<string, unknown>;

/** The administration role appvend's service stack makes (infra/service/stack-set-administration-role.ts). */
const ADMIN_ROLE = 'appvend-stackset-administration';

describe('Workflow: stack sets under a customized administration role', () => {
  let world: SandboxWorld;
  let starter: LocalExecutionStarter;

  beforeEach(() => {
    // Prepare: an organization whose management account has appvend's own administration role and
    // not AWS's default one, as after a deployment of the service stack
    const clock = new VirtualClock();
    world = sandboxWorld({
      clock,
      sandbox: new Sandbox({ clock, stackSetAdministrationRoleName: ADMIN_ROLE }),
    });
    process.env.APPVEND_STACKSET_ADMIN_ROLE_NAME = ADMIN_ROLE;
    starter = new LocalExecutionStarter({ definition: workflowDefinition(), clock: world.clock });
  });

  afterEach(() => {
    delete process.env.APPVEND_STACKSET_ADMIN_ROLE_NAME;
  });

  const submit = async (request: unknown) => {
    const result = await submitApplication(world.ledger, starter, request, OWNER);
    await Promise.all(starter.runs.values());
    return result;
  };

  it('updates the stack sets of an added stage through the same administration role', async () => {
    // Prepare
    await submit({ ...sample, stages: ['test'] });
    expect((await world.ledger.get('orders'))!.status).toBe('SUCCEEDED');
    const operationsBefore = world.sandbox.stackSetOperations().length;

    // Act
    await submit({ ...sample, stages: ['test', 'prod'] });

    // Assess
    const record = await world.ledger.get('orders');
    expect(record!.status).toBe('SUCCEEDED');
    const updates = world.sandbox
      .stackSetOperations()
      .slice(operationsBefore)
      .filter((o) => o.action === 'UPDATE');
    expect(updates.length).toBeGreaterThan(0);
    expect(updates.map((o) => [o.administrationRoleArn, o.status])).toEqual(
      updates.map(() => [`arn:aws:iam::111111111111:role/${ADMIN_ROLE}`, 'SUCCEEDED']),
    );
  });
});
