import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { awsClients } from '../../shared/aws/client-factory';
import { PlanEnv, planSettingsFrom, planVend, type Plan } from '../../shared/workflow/plan';
import { readEnvironment } from '../../shared/workflow/settings';
import { sandboxWorld, type SandboxWorld } from '../support/workflow';

const sample = JSON.parse(
  readFileSync(join(__dirname, '../../events/application-request.json'), 'utf8'),
) as Record<string, unknown>;
const accessSample = JSON.parse(
  readFileSync(join(__dirname, '../../events/application-request-access.json'), 'utf8'),
) as Record<string, unknown>;
const contact = {
  name: 'Orders Security',
  title: 'Security lead',
  email: 'orders-security@example.com',
  phone: '+1 555 0100',
};
const withAccess = {
  ...sample,
  access: [
    { group: 'orders-developers', permissionSet: 'AppvendDeveloper', stages: ['tooling', 'test'] },
    { group: 'orders-oncall', permissionSet: 'ReadOnlyAccess', stages: ['prod'] },
  ],
  approvers: { group: 'orders-approvers', permissionSet: 'AppvendApprover' },
  contacts: {
    security: contact,
    operations: { ...contact, name: 'Orders Ops', email: 'orders-ops@example.com' },
  },
};

describe('Workflow: access and alternate contacts on the sandbox', () => {
  let world: SandboxWorld;

  beforeEach(() => {
    world = sandboxWorld();
    world.sandbox.setUpIdentityCenter({
      groups: ['orders-developers', 'orders-oncall', 'orders-approvers', 'someone-else'],
      permissionSets: ['AppvendDeveloper', 'ReadOnlyAccess', 'AppvendApprover'],
    });
    world.sandbox.enableTrustedAccess('account.amazonaws.com');
  });

  const accountOf = (stage: string) =>
    world.sandbox.accounts().find((a) => a.email === `aws+orders-${stage}@example.com`)!.id;

  it('gives each group its permission set in the accounts of its stages, the approvers theirs in tooling, and puts the contacts', async () => {
    // Act
    const { summary } = await world.vend(withAccess);

    // Assess
    expect(summary.status).toBe('SUCCEEDED');
    const held = world.sandbox
      .accountAssignments()
      .map((a) => `${a.group}:${a.permissionSet}@${a.accountId}:${a.provisioned}`);
    expect(held.sort()).toEqual(
      [
        `orders-approvers:AppvendApprover@${accountOf('tooling')}:true`,
        `orders-developers:AppvendDeveloper@${accountOf('tooling')}:true`,
        `orders-developers:AppvendDeveloper@${accountOf('test')}:true`,
        `orders-oncall:ReadOnlyAccess@${accountOf('prod')}:true`,
      ].sort(),
    );
    for (const stage of ['tooling', 'test', 'prod']) {
      expect(world.sandbox.alternateContacts(accountOf(stage))).toEqual({
        SECURITY: contact,
        OPERATIONS: { ...contact, name: 'Orders Ops', email: 'orders-ops@example.com' },
      });
    }
    expect(summary.access?.grants).toHaveLength(4);
    expect(summary.access?.grants.every((g) => g.outcome === 'created')).toBe(true);
    expect(summary.access?.note).toMatch(/quarantine/);
  });

  it('waits for the assignments with Wait states: the access step is called again after each wait', async () => {
    // Act
    const run = await world.vend(withAccess);

    // Assess: one call that starts the creations, at least one more that finds them SUCCEEDED
    const grantCalls = run.tasks.filter((t) => /GrantAccess|CheckAccessGrants/.test(t.state));
    expect(grantCalls.map((t) => t.state)).toEqual(
      expect.arrayContaining(['GrantAccess', 'CheckAccessGrants']),
    );
  });

  it('keeps an assignment that is already there, and vends again without a second one', async () => {
    // Arrange
    await world.vend(withAccess);

    // Act
    const { summary } = await world.vend(withAccess);

    // Assess
    expect(summary.status).toBe('SUCCEEDED');
    expect(summary.access?.grants.every((g) => g.outcome === 'kept')).toBe(true);
    expect(world.sandbox.accountAssignments()).toHaveLength(4);
  });

  it('stops at ValidateRequest, before any OU or account, when a group or permission set does not exist', async () => {
    // Act
    const { summary } = await world.vend({
      ...withAccess,
      access: [{ group: 'orders-ghosts', permissionSet: 'NoSuchSet', stages: ['test'] }],
    });

    // Assess
    expect(summary.status).toBe('FAILED');
    expect(summary.error?.step).toBe('ValidateRequest');
    expect(summary.error?.message).toContain('group "orders-ghosts"');
    expect(summary.error?.message).toContain('permission set "NoSuchSet"');
    expect(world.sandbox.ous().filter((o) => o.name === 'appvend-orders')).toEqual([]);
    expect(world.sandbox.createAccountRequests()).toEqual([]);
  });

  it('makes no Identity Center or Account Management call for a request without access, approvers or contacts', async () => {
    // Act
    const { summary } = await world.vend(sample);

    // Assess
    expect(summary.status).toBe('SUCCEEDED');
    expect(summary.access).toBeUndefined();
    expect(
      world.sandbox.calls.filter((c) => ['sso-admin', 'identitystore', 'account'].includes(c.service)),
    ).toEqual([]);
  });
});

describe('Plan: access and alternate contacts', () => {
  let world: SandboxWorld;

  beforeEach(() => {
    world = sandboxWorld();
  });

  const settings = () => planSettingsFrom(readEnvironment(PlanEnv), { memberReads: true });
  const accessLines = (plan: Plan) =>
    plan.steps.flatMap((s) =>
      s.kind === 'account-assignment'
        ? [`${s.action} ${s.group}:${s.permissionSet}@${s.stage}`]
        : s.kind === 'alternate-contact'
          ? [`${s.action} ${s.type}@${s.stage}`]
          : [],
    );

  it('plans every assignment and contact to create on a fresh organization, and keeps them after the vend', async () => {
    // Act
    const before = await planVend(awsClients(), accessSample, settings());
    await world.vend(accessSample);
    const after = await planVend(awsClients(), accessSample, settings());

    // Assess
    expect(before.blockers).toEqual([]);
    expect(accessLines(before)).toEqual([
      'create orders-approvers:AppvendApprover@tooling',
      'create orders-developers:AppvendDeveloper@tooling',
      'create orders-developers:AppvendDeveloper@test',
      'create orders-oncall:ReadOnlyAccess@prod',
      'create SECURITY@tooling',
      'create OPERATIONS@tooling',
      'create SECURITY@test',
      'create OPERATIONS@test',
      'create SECURITY@prod',
      'create OPERATIONS@prod',
    ]);
    expect(accessLines(after).every((line) => line.startsWith('keep '))).toBe(true);
  });

  it('shows a group or permission set that does not exist as a blocker at ValidateRequest', async () => {
    // Act
    const plan = await planVend(
      awsClients(),
      { ...accessSample, approvers: { group: 'orders-ghosts', permissionSet: 'AppvendApprover' } },
      settings(),
    );

    // Assess
    expect(plan.blockers).toEqual([
      { step: 'ValidateRequest', message: expect.stringContaining('group "orders-ghosts"') },
    ]);
  });
});
