import {
  AttachPolicyCommand,
  DetachPolicyCommand,
  MoveAccountCommand,
  OrganizationsClient,
  UpdatePolicyCommand,
} from '@aws-sdk/client-organizations';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { awsClients } from '../../shared/aws/client-factory';
import { InvalidRequestError, validateRequest } from '../../shared/request/validate';
import { readEnvironment } from '../../shared/workflow/settings';
import {
  PlanEnv,
  planSettingsFrom,
  planVend,
  type Plan,
  type PlanSettings,
  type PlanStep,
} from '../../shared/workflow/plan';
import { sandboxWorld, type SandboxWorld } from '../support/workflow';

const sample = JSON.parse(
  readFileSync(join(__dirname, '../../events/application-request.json'), 'utf8'),
) as Record<string, unknown>;

/** One line per step: what it does to what, the way a reviewer scans a plan. */
const lines = (plan: Plan) => plan.steps.map(oneLine);
function oneLine(step: PlanStep): string {
  switch (step.kind) {
    case 'organizational-unit':
    case 'service-control-policy':
      return `${step.action} ${step.kind} ${step.name}`;
    case 'account':
      return `${step.action} account ${step.stage}`;
    case 'stack-set':
      return `${step.action} stack-set ${step.template}`;
    case 'stack-instance':
      return `${step.action} stack-instance ${step.stackSet.replace('appvend-orders-', '')}@${step.stage}`;
    case 'connection-share':
      return `${step.action} connection-share ${step.name}`;
    case 'config-recorder':
    case 'conformance-pack':
    case 'quarantine':
      return `${step.action} ${step.kind}@${step.stage}`;
    case 'account-assignment':
      return `${step.action} account-assignment ${step.group}:${step.permissionSet}@${step.stage}`;
    case 'alternate-contact':
      return `${step.action} alternate-contact ${step.type}@${step.stage}`;
  }
}

describe('Workflow: plan on the sandbox', () => {
  let world: SandboxWorld;
  let settings: PlanSettings;

  beforeEach(() => {
    world = sandboxWorld();
    settings = planSettingsFrom(readEnvironment(PlanEnv), { memberReads: true });
  });

  /** Plans, and returns the mutating calls the sandbox received while planning. */
  async function plan(request: unknown, options: Partial<PlanSettings> = {}) {
    const before = world.sandbox.calls.length;
    const result = await planVend(awsClients(), request, { ...settings, ...options });
    const mutating = world.sandbox.calls.slice(before).filter((c) => c.mutating);
    return { plan: result, mutating: mutating.map((c) => `${c.service}:${c.operation}`) };
  }

  const organizations = () => {
    const client = new OrganizationsClient(world.sandbox.clientConfig());
    client.middlewareStack.use(world.sandbox.plugin());
    return client;
  };

  it('says create for everything on a fresh organization, in the order of the vend, without a mutating call', async () => {
    // Act
    const { plan: result, mutating } = await plan(sample);

    // Assess
    expect(mutating).toEqual([]);
    expect(lines(result)).toEqual([
      'create organizational-unit appvend-orders',
      'create service-control-policy appvend-orders-guardrails',
      'create account tooling',
      'create account test',
      'create account prod',
      'create stack-set artifact-store',
      'create stack-instance artifact-store@tooling',
      'create stack-set cross-account-roles',
      'create stack-instance cross-account-roles@test',
      'create stack-instance cross-account-roles@prod',
      'create stack-set guardrails',
      'create stack-instance guardrails@tooling',
      'create stack-instance guardrails@test',
      'create stack-instance guardrails@prod',
      'create connection-share appvend-orders-connection',
      'create stack-set pipeline',
      'create stack-instance pipeline@tooling',
      'create config-recorder@tooling',
      'create conformance-pack@tooling',
      'create config-recorder@test',
      'create conformance-pack@test',
      'create config-recorder@prod',
      'create conformance-pack@prod',
    ]);
    expect(result.counts).toEqual({
      create: 23,
      update: 0,
      attach: 0,
      adopt: 0,
      remove: 0,
      keep: 0,
      unchecked: 0,
    });
    expect(result.blockers).toEqual([]);
    expect(result.steps[0]).toMatchObject({ parentId: world.sandbox.organization().RootId });
  });

  it('says keep for everything after the vend, with the ids the vend made, without a mutating call', async () => {
    // Prepare
    const { summary } = await world.vend(sample);

    // Act
    const { plan: result, mutating } = await plan(sample);

    // Assess
    expect(mutating).toEqual([]);
    expect(result.steps.filter((s) => s.action !== 'keep')).toEqual([]);
    expect(result.counts.keep).toBe(23);
    expect(result.steps[0]).toMatchObject({ id: summary.organizationalUnit!.id });
    expect(result.steps.filter((s) => s.kind === 'account').map((s) => s.id)).toEqual([
      summary.accounts.tooling!.id,
      summary.accounts.test!.id,
      summary.accounts.prod!.id,
    ]);
    const stackSet = result.steps.find((s) => s.kind === 'stack-set');
    expect(stackSet).toMatchObject({ parameters: [] });
    expect(stackSet?.kind === 'stack-set' && stackSet.templateDigest.current).toBe(
      stackSet?.kind === 'stack-set' && stackSet.templateDigest.wanted,
    );
  });

  it('shows only the new stage and the changed roles parameters after the request changes', async () => {
    // Prepare
    await world.vend(sample);
    const changed = { ...sample, stages: ['test', 'staging', 'prod'], allowedServices: ['dynamodb'] };

    // Act
    const { plan: result, mutating } = await plan(changed);

    // Assess
    expect(mutating).toEqual([]);
    expect(lines(result).filter((line) => !line.startsWith('keep'))).toEqual([
      'create account staging',
      'update stack-set artifact-store',
      'update stack-instance artifact-store@tooling',
      'update stack-set cross-account-roles',
      'update stack-instance cross-account-roles@test',
      'create stack-instance cross-account-roles@staging',
      'update stack-instance cross-account-roles@prod',
      'create stack-instance guardrails@staging',
      'update stack-set pipeline',
      'update stack-instance pipeline@tooling',
      'create config-recorder@staging',
      'create conformance-pack@staging',
    ]);
    const roles = result.steps.find((s) => s.kind === 'stack-set' && s.template === 'cross-account-roles');
    expect(roles).toMatchObject({ parameters: [{ key: 'AllowDynamoDB', current: 'false', wanted: 'true' }] });
    const pipeline = result.steps.find((s) => s.kind === 'stack-set' && s.template === 'pipeline');
    const accounts = result.steps.filter((s) => s.kind === 'account');
    const ids = (stage: string) => accounts.find((s) => s.stage === stage)?.id;
    expect(pipeline).toMatchObject({
      parameters: [
        { key: 'StageAccountIds', wanted: `${ids('test')},(new staging account),${ids('prod')}` },
        { key: 'StageCount', current: '2', wanted: '3' },
        { key: 'StageNames', current: 'test,prod', wanted: 'test,staging,prod' },
      ],
    });
    // The templates themselves did not change: only parameters did.
    if (pipeline?.kind !== 'stack-set') throw new Error('no pipeline stack set in the plan');
    expect(pipeline.templateDigest.current).toBe(pipeline.templateDigest.wanted);
    const staging = result.steps.find((s) => s.kind === 'stack-instance' && s.stage === 'staging');
    expect(staging && 'accountId' in staging).toBe(false);
  });

  it('shows the SCP update as a unified diff of the document after someone edited it', async () => {
    // Prepare: someone removed the statement that denies servers.
    const { summary } = await world.vend(sample);
    const policy = world.sandbox.policies().find((p) => p.id === summary.serviceControlPolicy!.id)!;
    const edited = JSON.parse(policy.content) as { Statement: { Sid: string }[] };
    edited.Statement = edited.Statement.filter((s) => s.Sid !== 'DenyServers');
    await organizations().send(
      new UpdatePolicyCommand({ PolicyId: policy.id, Content: JSON.stringify(edited) }),
    );

    // Act
    const { plan: result, mutating } = await plan(sample);

    // Assess
    expect(mutating).toEqual([]);
    const scp = result.steps[1]!;
    expect(scp).toMatchObject({ action: 'update', attached: true, id: policy.id });
    const diff = scp.kind === 'service-control-policy' ? (scp.diff ?? '') : '';
    const body = diff.split('\n');
    expect(body.slice(0, 3)).toEqual([
      '--- appvend-orders-guardrails (current)',
      '+++ appvend-orders-guardrails (wanted)',
      expect.stringMatching(/^@@ -\d+,\d+ \+\d+,\d+ @@$/),
    ]);
    expect(body.filter((l) => l.startsWith('-') && !l.startsWith('---'))).toEqual([]);
    // Only the removed statement comes back: as many added lines as the documents differ in length.
    const pretty = (text: string) => JSON.stringify(JSON.parse(text), null, 2).split('\n').length;
    expect(body.filter((l) => l.startsWith('+') && !l.startsWith('+++'))).toHaveLength(
      pretty(policy.content) - pretty(JSON.stringify(edited)),
    );
    expect(body).toContain('+      "Sid": "DenyServers",');
    expect(body).toContain('+        "ec2:RunInstances",');
    expect(result.steps.filter((s) => s.action !== 'keep')).toEqual([scp]);
  });

  it('shows a changed profile as an SCP update and a conformance pack update in every account, and nothing else', async () => {
    // Prepare
    await world.vend(sample);

    // Act
    const { plan: result, mutating } = await plan({ ...sample, profile: 'regulated' });

    // Assess
    expect(mutating).toEqual([]);
    const changed = result.steps.filter((s) => s.action !== 'keep');
    expect(changed.map(oneLine)).toEqual([
      'update service-control-policy appvend-orders-guardrails',
      'update conformance-pack@tooling',
      'update conformance-pack@test',
      'update conformance-pack@prod',
    ]);
    const scp = changed[0]!;
    const diff = scp.kind === 'service-control-policy' ? (scp.diff ?? '') : '';
    expect(diff).toContain('+        "iam:CreateUser",');
    expect(diff.split('\n').filter((l) => l.startsWith('-') && !l.startsWith('---'))).toEqual([]);
  });

  it('says attach when the SCP is as wanted but no longer attached to the OU', async () => {
    // Prepare
    const { summary } = await world.vend(sample);
    await organizations().send(
      new DetachPolicyCommand({
        PolicyId: summary.serviceControlPolicy!.id,
        TargetId: summary.organizationalUnit!.id,
      }),
    );

    // Act
    const { plan: result, mutating } = await plan(sample);

    // Assess
    expect(mutating).toEqual([]);
    expect(result.steps[1]).toMatchObject({ action: 'attach', attached: false });
    expect(result.steps[1]).not.toHaveProperty('diff');
    expect(result.counts).toMatchObject({ attach: 1, keep: 22 });
  });

  it('says adopt, naming where the account is now, after it was moved out of the OU by hand', async () => {
    // Prepare
    const { summary } = await world.vend(sample);
    const root = world.sandbox.organization().RootId!;
    await organizations().send(
      new MoveAccountCommand({
        AccountId: summary.accounts.test!.id,
        SourceParentId: summary.organizationalUnit!.id,
        DestinationParentId: root,
      }),
    );

    // Act
    const { plan: result, mutating } = await plan(sample);

    // Assess
    expect(mutating).toEqual([]);
    expect(result.steps.filter((s) => s.action !== 'keep')).toEqual([
      {
        kind: 'account',
        step: 'VendAccounts',
        action: 'adopt',
        stage: 'test',
        name: 'orders-test',
        email: 'aws+orders-test@example.com',
        id: summary.accounts.test!.id,
        parentId: root,
      },
    ]);
  });

  it('says the quarantine comes off an account an earlier vend left quarantined', async () => {
    // Prepare: the vend quarantined its new accounts and released them; put it back on one.
    const { summary } = await world.vend(sample);
    const quarantine = world.sandbox.policies().find((p) => p.name === 'appvend-quarantine')!;
    await organizations().send(
      new AttachPolicyCommand({ PolicyId: quarantine.id, TargetId: summary.accounts.prod!.id }),
    );

    // Act
    const { plan: result, mutating } = await plan(sample);

    // Assess
    expect(mutating).toEqual([]);
    expect(result.steps.filter((s) => s.action !== 'keep')).toEqual([
      {
        kind: 'quarantine',
        step: 'ReleaseQuarantine',
        action: 'update',
        stage: 'prod',
        accountId: summary.accounts.prod!.id,
        policyId: quarantine.id,
      },
    ]);
  });

  it("leaves an account's guardrails unchecked, saying why, when they cannot be read there", async () => {
    // Prepare
    const { summary } = await world.vend(sample);
    const test = summary.accounts.test!.id;
    world.sandbox.faults.inject({
      service: 'config',
      operation: 'DescribeConfigurationRecorders',
      account: test,
      error: 'server-error',
      times: 10,
    });

    // Act
    const { plan: result, mutating } = await plan(sample);

    // Assess
    expect(mutating).toEqual([]);
    expect(lines(result).filter((line) => !line.startsWith('keep'))).toEqual([
      'unchecked config-recorder@test',
      'unchecked conformance-pack@test',
    ]);
    expect(result.notes).toEqual([
      expect.stringMatching(new RegExp(`^Guardrails of test \\(${test}\\) not checked: .+`)),
    ]);
    world.sandbox.faults.clear();
  });

  it('refuses an invalid request with the problems validation names, before any call', async () => {
    // Prepare
    const bad = { ...sample, nmae: 'typo', name: 'X' };

    // Act
    const before = world.sandbox.calls.length;
    const error = await planVend(awsClients(), bad, settings).catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(InvalidRequestError);
    const expected = validateRequest(bad);
    expect(expected.valid).toBe(false);
    expect((error as InvalidRequestError).problems).toEqual(!expected.valid && expected.problems);
    expect(world.sandbox.calls.length).toBe(before);
  });

  it('names the SCP size quota the vend would stop at as a blocker', async () => {
    // Act
    const { plan: result } = await plan(sample, { scpSizeQuota: 200 });

    // Assess
    expect(result.blockers).toEqual([
      {
        step: 'EnsureServiceControlPolicy',
        message: expect.stringMatching(
          /^SCP appvend-orders-guardrails is \d+ characters; the organization's quota is 200$/,
        ),
      },
    ]);
  });

  it('leaves the guardrails of existing accounts unchecked, and says so, without member reads', async () => {
    // Prepare
    await world.vend(sample);

    // Act
    const before = world.sandbox.calls.length;
    const { plan: result, mutating } = await plan(sample, { memberReads: false });

    // Assess
    expect(mutating).toEqual([]);
    // Management-account reads only: Organizations, the stack sets, the connection's share.
    expect(world.sandbox.calls.slice(before).filter((c) => c.service !== 'organizations')).toEqual(
      world.sandbox.calls.slice(before).filter((c) => c.service === 'cloudformation' || c.service === 'ram'),
    );
    const guardrails = result.steps.filter(
      (s) => s.kind === 'config-recorder' || s.kind === 'conformance-pack',
    );
    expect(guardrails.map((s) => s.action)).toEqual(Array(6).fill('unchecked'));
    expect(result.counts).toMatchObject({ unchecked: 6, keep: 17 });
    expect(result.notes).toEqual([expect.stringContaining('Guardrails were not checked')]);
  });
});
