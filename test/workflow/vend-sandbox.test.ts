import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_LATENCY } from '../../shared/sandbox';
import { runVend } from '../../cli/vend';
import { idsOf } from '../../shared/ledger/record';
import { executionInput } from '../../shared/workflow/resume';
import { sandboxWorld, workflowDefinition, type SandboxWorld } from '../support/workflow';

const sample = JSON.parse(
  readFileSync(join(__dirname, '../../events/application-request.json'), 'utf8'),
) as Record<string, unknown>;

describe('Workflow: vend on the sandbox', () => {
  let world: SandboxWorld;

  beforeEach(() => {
    world = sandboxWorld();
  });

  it('vends the sample application: OU, SCP attached, accounts in the OU, stack instances, guardrails', async () => {
    // Act
    const { summary } = await world.vend(sample);

    // Assess
    expect(summary.status).toBe('SUCCEEDED');
    const { sandbox } = world;
    const ou = sandbox.ous().find((o) => o.name === 'appvend-orders');
    expect(ou).toBeDefined();
    expect(ou!.parentId).toBe(sandbox.organization().RootId);
    expect(ou!.tags).toEqual(expect.arrayContaining([{ Key: 'team', Value: 'orders' }]));

    const scp = sandbox.policies().find((p) => p.name === 'appvend-orders-guardrails');
    expect(sandbox.attachments()).toContainEqual({ policyId: scp!.id, targetId: ou!.id });

    const accounts = sandbox.accounts().filter((a) => a.email.startsWith('aws+orders-'));
    expect(accounts.map((a) => a.email).sort()).toEqual([
      'aws+orders-prod@example.com',
      'aws+orders-test@example.com',
      'aws+orders-tooling@example.com',
    ]);
    expect(accounts.every((a) => a.parentId === ou!.id)).toBe(true);

    const byEmail = (stage: string) =>
      accounts.find((a) => a.email === `aws+orders-${stage}@example.com`)!.id;
    const instances = sandbox.stackInstances().map((i) => `${i.stackSetName}@${i.account}:${i.status}`);
    expect(instances.sort()).toEqual(
      [
        `appvend-orders-artifact-store@${byEmail('tooling')}:CURRENT`,
        `appvend-orders-pipeline@${byEmail('tooling')}:CURRENT`,
        `appvend-orders-cross-account-roles@${byEmail('test')}:CURRENT`,
        `appvend-orders-cross-account-roles@${byEmail('prod')}:CURRENT`,
        `appvend-orders-guardrails@${byEmail('tooling')}:CURRENT`,
        `appvend-orders-guardrails@${byEmail('test')}:CURRENT`,
        `appvend-orders-guardrails@${byEmail('prod')}:CURRENT`,
      ].sort(),
    );

    for (const account of accounts) {
      const config = sandbox.configState(account.id);
      expect(config.recorder?.recording).toBe(true);
      expect(config.conformancePacks.map((p) => p.name)).toEqual(['appvend-orders-guardrails']);
    }
  });

  it('reports what it vended in the summary, matching the organization', async () => {
    // Act
    const { summary } = await world.vend(sample);

    // Assess
    const ou = world.sandbox.ous().find((o) => o.name === 'appvend-orders')!;
    expect(summary.organizationalUnit).toEqual({ id: ou.id, name: 'appvend-orders' });
    expect(Object.keys(summary.accounts)).toEqual(['tooling', 'test', 'prod']);
    expect(summary.accounts.test!.email).toBe('aws+orders-test@example.com');
    expect(summary.stackSets.map((s) => s.name).sort()).toEqual([
      'appvend-orders-artifact-store',
      'appvend-orders-cross-account-roles',
      'appvend-orders-guardrails',
      'appvend-orders-pipeline',
    ]);
    expect(summary.stackSets.every((s) => s.status === 'CURRENT')).toBe(true);
    expect(summary.error).toBeUndefined();
  });

  it('changes nothing and reports the same ids when run a second time', async () => {
    // Prepare
    const first = await world.vend(sample);
    const callsBefore = world.sandbox.calls.length;

    // Act
    const second = await world.vend(sample);

    // Assess
    const { guardrails: firstGuardrails, ...firstIds } = first.summary;
    const { guardrails: secondGuardrails, ...secondIds } = second.summary;
    expect(secondIds).toEqual(firstIds);
    expect(secondGuardrails?.conformancePack).toBe(firstGuardrails?.conformancePack);
    expect(Object.values(secondGuardrails!.accounts)).toEqual(
      Object.keys(firstGuardrails!.accounts).map(() => ({
        recorder: 'existing',
        conformancePack: 'unchanged',
      })),
    );
    const mutating = world.sandbox.calls.slice(callsBefore).filter((c) => c.mutating);
    expect(mutating.filter((c) => !c.error).map((c) => c.operation)).toEqual([]);
    // Started outside the ledger, the vend knows no OU id: it creates the OU first, and AWS's
    // refusal of the taken name (which changes nothing) sends it to the OU by name.
    expect(mutating.filter((c) => c.error).map((c) => `${c.operation} ${c.error}`)).toEqual([
      'CreateOrganizationalUnit DuplicateOrganizationalUnitException',
    ]);
  });

  it('attempts no change at all a second time when the input carries what the first vend recorded, as the intake puts it', async () => {
    // Prepare
    const first = await world.vend(sample);
    const callsBefore = world.sandbox.calls.length;
    const input = executionInput({ request: sample, ids: idsOf(first.summary) });

    // Act
    const second = await runVend({ input, definition: workflowDefinition(), clock: world.clock });

    // Assess
    expect(second.summary.status).toBe('SUCCEEDED');
    expect(second.summary.accounts).toEqual(first.summary.accounts);
    const calls = world.sandbox.calls.slice(callsBefore);
    expect(calls.filter((c) => c.mutating).map((c) => c.operation)).toEqual([]);
    expect(
      calls.filter((c) =>
        ['ListAccounts', 'ListPolicies', 'ListOrganizationalUnitsForParent'].includes(c.operation),
      ),
    ).toEqual([]);
  });

  it('overlaps the accounts and the stack sets: the vend takes about one CreateAccount plus one pipeline chain', async () => {
    // Act
    const run = await world.vend(sample);

    // Assess
    const took = run.endedAt - run.startedAt;
    expect(took).toBeGreaterThanOrEqual(DEFAULT_LATENCY.createAccount);
    // Three accounts one after another would take three CreateAccount times on their own.
    expect(took).toBeLessThan(3 * DEFAULT_LATENCY.createAccount);
  });

  it('rejects an invalid request at the first step without any call to the organization', async () => {
    // Act
    const { summary } = await world.vend({ ...sample, nmae: 'typo', name: 'X' });

    // Assess
    expect(summary.status).toBe('FAILED');
    expect(summary.error?.step).toBe('ValidateRequest');
    expect(summary.error?.message).toContain('nmae: unknown field');
    expect(summary.error?.message).toContain('name: name must be at least 3 characters');
    // Only the announcement of the failure: nothing read or changed in the organization.
    expect(world.sandbox.calls.map((c) => c.operation)).toEqual(['PutEvents', 'Publish']);
  });

  it('fails at the SCP step with the quota named, before creating any policy, when the SCP is too large', async () => {
    // Prepare
    process.env.APPVEND_SCP_SIZE_QUOTA = '200';

    try {
      // Act
      const { summary } = await world.vend(sample);

      // Assess
      expect(summary.status).toBe('FAILED');
      expect(summary.error?.step).toBe('EnsureServiceControlPolicy');
      expect(summary.error?.message).toMatch(
        /SCP appvend-orders-guardrails is \d+ characters; the organization's quota is 200/,
      );
      expect(world.sandbox.calls.filter((c) => c.operation === 'CreatePolicy')).toEqual([]);
      expect(world.sandbox.accounts().filter((a) => a.email.startsWith('aws+orders-'))).toEqual([]);
    } finally {
      delete process.env.APPVEND_SCP_SIZE_QUOTA;
    }
  });

  it('adopts an account that already exists with the same email when the request names it', async () => {
    // Prepare: the prod account was made by hand before appvend ran.
    const { OrganizationsClient, CreateAccountCommand } = await import('@aws-sdk/client-organizations');
    const client = new OrganizationsClient(world.sandbox.clientConfig());
    client.middlewareStack.use(world.sandbox.plugin());
    await client.send(
      new CreateAccountCommand({ AccountName: 'legacy-prod', Email: 'aws+orders-prod@example.com' }),
    );
    world.clock.advance(DEFAULT_LATENCY.createAccount);
    const existing = world.sandbox.accounts().find((a) => a.email === 'aws+orders-prod@example.com')!;

    // Act: an account appvend did not make is adopted only when the request names it
    const { summary } = await world.vend({ ...sample, adopt: { prod: existing.id } });

    // Assess
    expect(summary.status).toBe('SUCCEEDED');
    expect(summary.accounts.prod!.id).toBe(existing.id);
    expect(world.sandbox.accounts().filter((a) => a.email === 'aws+orders-prod@example.com')).toHaveLength(1);
  });
});
