import {
  CreateAccountAssignmentCommand,
  ListInstancesCommand,
  ListPermissionSetsCommand,
  SSOAdminClient,
} from '@aws-sdk/client-sso-admin';
import { GetGroupIdCommand, IdentitystoreClient } from '@aws-sdk/client-identitystore';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { awsClients } from '../../shared/aws/client-factory';
import { DEFAULT_LATENCY } from '../../shared/sandbox';
import { createSuspendedOu, offboard, vendThroughLedger } from '../support/offboard';
import { sandboxWorld, type SandboxWorld } from '../support/workflow';

const accessSample = JSON.parse(
  readFileSync(join(__dirname, '../../events/application-request-access.json'), 'utf8'),
) as Record<string, unknown>;

describe('Workflow: offboarding removes the access the vend made', () => {
  let world: SandboxWorld;

  beforeEach(async () => {
    world = sandboxWorld();
    world.sandbox.setUpIdentityCenter({ groups: ['platform-admins'] });
    await createSuspendedOu();
  });

  afterAll(() => {
    delete process.env.APPVEND_SUSPENDED_OU_ID;
  });

  /** An administrator's own assignment, made by hand after the vend: appvend did not make it. */
  async function assignByHand(accountId: string): Promise<void> {
    const sso = awsClients().managementClient(SSOAdminClient);
    const store = awsClients().managementClient(IdentitystoreClient);
    const { Instances } = await sso.send(new ListInstancesCommand({}));
    const instance = Instances![0]!;
    const { PermissionSets } = await sso.send(
      new ListPermissionSetsCommand({ InstanceArn: instance.InstanceArn }),
    );
    const { GroupId } = await store.send(
      new GetGroupIdCommand({
        IdentityStoreId: instance.IdentityStoreId,
        AlternateIdentifier: {
          UniqueAttribute: { AttributePath: 'displayName', AttributeValue: 'platform-admins' },
        },
      }),
    );
    await sso.send(
      new CreateAccountAssignmentCommand({
        InstanceArn: instance.InstanceArn,
        TargetId: accountId,
        TargetType: 'AWS_ACCOUNT',
        PermissionSetArn: PermissionSets![0],
        PrincipalType: 'GROUP',
        PrincipalId: GroupId,
      }),
    );
    world.clock.advance(DEFAULT_LATENCY.accountAssignment);
  }

  it('deletes every assignment the vend created before the accounts leave the OU, and none it did not make', async () => {
    // Arrange
    const { summary: vended } = await vendThroughLedger(world, accessSample);
    expect(vended.status).toBe('SUCCEEDED');
    const tooling = vended.accounts.tooling!.id;
    await assignByHand(tooling);
    expect(world.sandbox.accountAssignments()).toHaveLength(5);

    // Act
    const run = await offboard(world, 'orders');

    // Assess
    if (run === 'already-offboarded') throw new Error('expected an offboarding to run');
    expect(run.summary.status).toBe('OFFBOARDED');
    expect(world.sandbox.accountAssignments()).toEqual([
      { accountId: tooling, group: 'platform-admins', permissionSet: 'AppvendDeveloper', provisioned: true },
    ]);
    const removal = world.sandbox.calls.filter((c) => c.operation === 'DeleteAccountAssignment');
    const suspend = world.sandbox.calls.find(
      (c) => c.operation === 'MoveAccount' && c.at >= (removal[0]?.at ?? Infinity),
    );
    expect(removal).toHaveLength(4);
    expect(suspend).toBeDefined();
  });

  it('still removes them after the same request was vended again (the second run finds them and keeps them)', async () => {
    // Arrange
    await vendThroughLedger(world, accessSample);
    const again = await vendThroughLedger(world, accessSample);
    const record = await world.ledger.get('orders');

    // Act
    const run = await offboard(world, 'orders');

    // Assess
    if (run === 'already-offboarded') throw new Error('expected an offboarding to run');
    expect(again.summary.access?.grants.map((g) => g.outcome)).toEqual(['kept', 'kept', 'kept', 'kept']);
    expect(record?.summary?.access?.grants.map((g) => g.outcome)).toEqual([
      'created',
      'created',
      'created',
      'created',
    ]);
    expect(world.sandbox.accountAssignments()).toEqual([]);
  });
});
