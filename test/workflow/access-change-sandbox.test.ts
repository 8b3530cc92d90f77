import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LocalExecutionStarter } from '../../cli/local-starter';
import { awsClients } from '../../shared/aws/client-factory';
import { accessMadeOf } from '../../shared/ledger/record';
import { DEFAULT_LATENCY } from '../../shared/sandbox';
import { PlanEnv, planSettingsFrom, planVend, type PlanStep } from '../../shared/workflow/plan';
import { reconcileApplication, type ReconcileDeps } from '../../shared/workflow/reconcile';
import { readEnvironment } from '../../shared/workflow/settings';
import { createSuspendedOu, offboard, vendThroughLedger } from '../support/offboard';
import { sandboxWorld, workflowDefinition, type SandboxWorld } from '../support/workflow';

/** The access sample: developers in tooling and test, on-call in prod, approvers in tooling, two contacts. */
const accessSample = JSON.parse(
  readFileSync(join(__dirname, '../../events/application-request-access.json'), 'utf8'),
) as Record<string, unknown> & { contacts: Record<string, unknown> };

/**
 * The sample changed: on-call is dropped from prod, the developers also get prod, and the
 * operations contact is dropped (security stays).
 */
const changed = {
  ...accessSample,
  access: [
    { group: 'orders-developers', permissionSet: 'AppvendDeveloper', stages: ['tooling', 'test', 'prod'] },
  ],
  contacts: { security: accessSample.contacts.security },
};

const held = (world: SandboxWorld): string[] =>
  world.sandbox
    .accountAssignments()
    .map((a) => `${a.group}:${a.permissionSet}@${a.accountId}`)
    .sort();

describe('Workflow: a changed request changes the access by exactly the difference', () => {
  let world: SandboxWorld;

  beforeEach(async () => {
    world = sandboxWorld();
    world.sandbox.setUpIdentityCenter({ groups: ['platform-admins'] });
    await createSuspendedOu();
  });

  afterAll(() => {
    delete process.env.APPVEND_SUSPENDED_OU_ID;
  });

  const accountOf = (stage: string) =>
    world.sandbox.accounts().find((a) => a.email === `aws+orders-${stage}@example.com`)!.id;

  const planOf = async (request: unknown): Promise<PlanStep[]> => {
    const record = (await world.ledger.get('orders'))!;
    const settings = planSettingsFrom(readEnvironment(PlanEnv), { memberReads: true });
    return (await planVend(awsClients(), request, settings, { accessMade: accessMadeOf(record) })).steps;
  };
  const accessSteps = (steps: PlanStep[]) =>
    steps
      .filter((s) => s.kind === 'account-assignment' || s.kind === 'alternate-contact')
      .map((s) =>
        s.kind === 'account-assignment'
          ? `${s.action} ${s.group}:${s.permissionSet}@${s.stage}`
          : `${s.action} ${s.type}@${s.stage}`,
      )
      .sort();

  it('removes the grant and the contact the request dropped, adds the new grant, and keeps the rest', async () => {
    // Arrange
    await vendThroughLedger(world, accessSample);
    const before = world.sandbox.calls.length;

    // Act
    const { summary } = await vendThroughLedger(world, changed);

    // Assess: Identity Center holds exactly what the changed request asks for
    expect(summary.status).toBe('SUCCEEDED');
    expect(held(world)).toEqual(
      [
        `orders-approvers:AppvendApprover@${accountOf('tooling')}`,
        `orders-developers:AppvendDeveloper@${accountOf('tooling')}`,
        `orders-developers:AppvendDeveloper@${accountOf('test')}`,
        `orders-developers:AppvendDeveloper@${accountOf('prod')}`,
      ].sort(),
    );
    const calls = world.sandbox.calls.slice(before);
    const deleted = calls.filter((c) => c.operation === 'DeleteAccountAssignment');
    const created = calls.filter((c) => c.operation === 'CreateAccountAssignment');
    expect(deleted).toHaveLength(1);
    expect(created).toHaveLength(1);
    // Each account keeps its security contact and loses the operations contact appvend had put
    for (const stage of ['tooling', 'test', 'prod']) {
      expect(Object.keys(world.sandbox.alternateContacts(accountOf(stage)))).toEqual(['SECURITY']);
    }
    const grants = summary.access!.grants.map((g) => `${g.outcome} ${g.group}@${g.stage}`).sort();
    expect(grants).toEqual(
      [
        'created orders-developers@prod',
        'kept orders-approvers@tooling',
        'kept orders-developers@test',
        'kept orders-developers@tooling',
        'removed orders-oncall@prod',
      ].sort(),
    );
    expect(summary.access!.removedContacts?.map((c) => c.types)).toEqual([
      ['OPERATIONS'],
      ['OPERATIONS'],
      ['OPERATIONS'],
    ]);
  });

  it('keeps in the record every grant appvend made, whichever request made it, and none it removed', async () => {
    // Arrange
    await vendThroughLedger(world, accessSample);

    // Act
    await vendThroughLedger(world, changed);

    // Assess
    const record = (await world.ledger.get('orders'))!;
    expect(record.accessMade?.grants.map((g) => `${g.group}:${g.permissionSet}@${g.stage}`).sort()).toEqual(
      [
        'orders-approvers:AppvendApprover@tooling',
        'orders-developers:AppvendDeveloper@prod',
        'orders-developers:AppvendDeveloper@test',
        'orders-developers:AppvendDeveloper@tooling',
      ].sort(),
    );
    expect(record.accessMade?.contacts.map((c) => c.types)).toEqual([
      ['SECURITY'],
      ['SECURITY'],
      ['SECURITY'],
    ]);
  });

  it('the offboarding after a change removes every assignment appvend made, those of the first request too', async () => {
    // Arrange
    await vendThroughLedger(world, accessSample);
    await vendThroughLedger(world, changed);

    // Act
    const run = await offboard(world, 'orders');

    // Assess
    if (run === 'already-offboarded') throw new Error('expected an offboarding to run');
    expect(run.summary.status).toBe('OFFBOARDED');
    expect(world.sandbox.accountAssignments()).toEqual([]);
    expect((await world.ledger.get('orders'))?.accessMade).toBeUndefined();
  });

  it('never removes an assignment it did not make, even when a later request drops it', async () => {
    // Arrange: the on-call group is given ReadOnlyAccess in prod by hand, before a request asks for it
    await vendThroughLedger(world, changed);
    const prod = accountOf('prod');
    await assignByHand(world, { accountId: prod, group: 'orders-oncall', permissionSet: 'ReadOnlyAccess' });
    const found = await vendThroughLedger(world, accessSample); // asks for it: found, kept
    expect(found.summary.access?.grants.find((g) => g.group === 'orders-oncall')?.outcome).toBe('kept');

    // Act: the request drops it again
    const steps = accessSteps(await planOf(changed));
    const { summary } = await vendThroughLedger(world, changed);

    // Assess
    expect(summary.status).toBe('SUCCEEDED');
    expect(steps.filter((s) => s.includes('orders-oncall'))).toEqual([]);
    expect(held(world)).toContain(`orders-oncall:ReadOnlyAccess@${prod}`);
    expect(summary.access?.grants.some((g) => g.group === 'orders-oncall')).toBe(false);
  });

  it('records a grant appvend made and someone removed by hand as removed, without a DeleteAccountAssignment', async () => {
    // Arrange
    await vendThroughLedger(world, accessSample);
    world.sandbox.removeAccountAssignmentByHand({
      accountId: accountOf('prod'),
      group: 'orders-oncall',
      permissionSet: 'ReadOnlyAccess',
    });
    const before = world.sandbox.calls.length;

    // Act
    const { summary } = await vendThroughLedger(world, changed);

    // Assess
    expect(summary.status).toBe('SUCCEEDED');
    expect(
      world.sandbox.calls.slice(before).filter((c) => c.operation === 'DeleteAccountAssignment'),
    ).toEqual([]);
    expect(summary.access?.grants.find((g) => g.group === 'orders-oncall')?.outcome).toBe('removed');
    const record = (await world.ledger.get('orders'))!;
    expect(record.accessMade?.grants.some((g) => g.group === 'orders-oncall')).toBe(false);
  });

  it('plans the dropped grant and contacts as remove, and nothing to remove once the change is vended', async () => {
    // Arrange
    await vendThroughLedger(world, accessSample);

    // Act
    const planned = accessSteps(await planOf(changed));
    await vendThroughLedger(world, changed);
    const after = accessSteps(await planOf(changed));

    // Assess
    expect(planned).toEqual(
      [
        'create orders-developers:AppvendDeveloper@prod',
        'keep orders-approvers:AppvendApprover@tooling',
        'keep orders-developers:AppvendDeveloper@test',
        'keep orders-developers:AppvendDeveloper@tooling',
        'remove orders-oncall:ReadOnlyAccess@prod',
        'keep SECURITY@tooling',
        'keep SECURITY@test',
        'keep SECURITY@prod',
        'remove OPERATIONS@tooling',
        'remove OPERATIONS@test',
        'remove OPERATIONS@prod',
      ].sort(),
    );
    expect(after.filter((s) => !s.startsWith('keep'))).toEqual([]);
  });
});

describe('Workflow: reconcile restores an Identity Center assignment removed by hand', () => {
  let world: SandboxWorld;
  let starter: LocalExecutionStarter;

  beforeEach(async () => {
    world = sandboxWorld();
    starter = new LocalExecutionStarter({ definition: workflowDefinition(), clock: world.clock });
    await vendThroughLedger(world, accessSample);
  });

  const deps = (apply: boolean): ReconcileDeps => ({
    clients: awsClients(),
    ledger: world.ledger,
    settings: planSettingsFrom(readEnvironment(PlanEnv), { memberReads: true }),
    eventBusName: 'appvend',
    ...(apply && { starter }),
  });
  const prod = () => world.sandbox.accounts().find((a) => a.email === 'aws+orders-prod@example.com')!.id;

  it('reports the assignment as drift, and restores it with --apply', async () => {
    // Arrange
    const grant = { accountId: prod(), group: 'orders-oncall', permissionSet: 'ReadOnlyAccess' };
    world.sandbox.removeAccountAssignmentByHand(grant);
    const before = held(world);

    // Act
    const reported = await reconcileApplication(deps(false), (await world.ledger.get('orders'))!);
    const afterReport = held(world);
    const fixed = await reconcileApplication(deps(true), (await world.ledger.get('orders'))!);
    const run = await starter.runs.get(fixed.executionName!);

    // Assess
    expect(reported.outcome).toBe('drifted');
    expect(reported.drift).toEqual([
      expect.objectContaining({
        kind: 'account-assignment',
        action: 'create',
        subject: `Identity Center: orders-oncall gets ReadOnlyAccess in prod ${prod()}`,
      }),
    ]);
    expect(afterReport).toEqual(before); // the first reconcile only reported
    expect(fixed.outcome).toBe('fixing');
    expect(run?.summary.status).toBe('SUCCEEDED');
    expect(held(world)).toContain(`orders-oncall:ReadOnlyAccess@${prod()}`);
    const record = (await world.ledger.get('orders'))!;
    expect(record.accessMade?.grants.some((g) => g.group === 'orders-oncall' && g.accountId === prod())).toBe(
      true,
    );
    const again = await reconcileApplication(deps(false), record);
    expect(again.outcome).toBe('in-line');
  });
});

/** An administrator's own assignment, made by hand: appvend did not make it. */
async function assignByHand(
  world: SandboxWorld,
  grant: { accountId: string; group: string; permissionSet: string },
): Promise<void> {
  const {
    CreateAccountAssignmentCommand,
    DescribePermissionSetCommand,
    ListInstancesCommand,
    ListPermissionSetsCommand,
    SSOAdminClient,
  } = await import('@aws-sdk/client-sso-admin');
  const { GetGroupIdCommand, IdentitystoreClient } = await import('@aws-sdk/client-identitystore');
  const sso = awsClients().managementClient(SSOAdminClient);
  const store = awsClients().managementClient(IdentitystoreClient);
  const { Instances } = await sso.send(new ListInstancesCommand({}));
  const instance = Instances![0]!;
  const { PermissionSets } = await sso.send(
    new ListPermissionSetsCommand({ InstanceArn: instance.InstanceArn }),
  );
  let permissionSetArn: string | undefined;
  for (const arn of PermissionSets ?? []) {
    const { PermissionSet } = await sso.send(
      new DescribePermissionSetCommand({ InstanceArn: instance.InstanceArn, PermissionSetArn: arn }),
    );
    if (PermissionSet?.Name === grant.permissionSet) permissionSetArn = arn;
  }
  const { GroupId } = await store.send(
    new GetGroupIdCommand({
      IdentityStoreId: instance.IdentityStoreId,
      AlternateIdentifier: { UniqueAttribute: { AttributePath: 'displayName', AttributeValue: grant.group } },
    }),
  );
  await sso.send(
    new CreateAccountAssignmentCommand({
      InstanceArn: instance.InstanceArn,
      TargetId: grant.accountId,
      TargetType: 'AWS_ACCOUNT',
      PermissionSetArn: permissionSetArn,
      PrincipalType: 'GROUP',
      PrincipalId: GroupId,
    }),
  );
  world.clock.advance(DEFAULT_LATENCY.accountAssignment);
}
