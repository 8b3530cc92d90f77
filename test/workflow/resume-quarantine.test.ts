import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CreateAccountCommand, OrganizationsClient } from '@aws-sdk/client-organizations';
import { LocalExecutionStarter } from '../../cli/local-starter';
import { QUARANTINE_POLICY_NAME } from '../../shared/domain/quarantine';
import { VirtualClock } from '../../shared/clock/clock';
import { Sandbox } from '../../shared/sandbox';
import { submitApplication } from '../../shared/workflow/intake';
import { sandboxWorld, workflowDefinition, type SandboxWorld } from '../support/workflow';
import { OWNER } from '../support/actors';

const sample = JSON.parse(
  readFileSync(join(__dirname, '../../events/application-request.json'), 'utf8'),
) as Record<string, unknown>;
const EMAILS = [
  'aws+orders-tooling@example.com',
  'aws+orders-test@example.com',
  'aws+orders-prod@example.com',
];

/** The sandbox's attachments of the quarantine SCP, by target. */
function quarantined(world: SandboxWorld): string[] {
  const policy = world.sandbox.policies().find((p) => p.name === QUARANTINE_POLICY_NAME);
  if (!policy) return [];
  return world.sandbox
    .attachments()
    .filter((a) => a.policyId === policy.id)
    .map((a) => a.targetId)
    .sort();
}

const appAccountIds = (world: SandboxWorld) =>
  world.sandbox
    .accounts()
    .filter((a) => EMAILS.includes(a.email))
    .map((a) => a.id)
    .sort();

describe('Workflow: resume at the failed step, quarantine until the baseline, readiness probe', () => {
  let world: SandboxWorld;
  let starter: LocalExecutionStarter;
  /** The tasks each execution ran, by execution name. */
  let tasks: Map<string, string[]>;

  const submit = async (request: unknown) => {
    const result = await submitApplication(world.ledger, starter, request, OWNER);
    const runs = await Promise.all(starter.runs.values());
    tasks = new Map(
      [...starter.runs.keys()].map((name, i) => [name, runs[i]!.tasks.map((t) => t.state)] as const),
    );
    return result;
  };

  const start = (options: { sandbox?: Sandbox; clock?: VirtualClock } = {}) => {
    world = sandboxWorld(options);
    starter = new LocalExecutionStarter({ definition: workflowDefinition(), clock: world.clock });
  };

  beforeEach(() => start());

  it('continues a vend that failed deploying stack sets at that step, and converges', async () => {
    // Prepare: every CreateStackSet fails, past the SDK's and the state machine's retries
    world.sandbox.faults.inject({
      service: 'cloudformation',
      operation: 'CreateStackSet',
      error: 'server-error',
      times: 1000,
    });

    // Act
    const first = await submit(sample);
    const failed = await world.ledger.get('orders');
    world.sandbox.faults.clear();
    const second = await submit(sample);
    const record = await world.ledger.get('orders');

    // Assess: the failure is recorded with where to continue and what the earlier steps made
    expect(first.outcome).toBe('started');
    expect(failed).toMatchObject({
      status: 'FAILED',
      error: { step: 'DeployStackSets' },
      resume: { step: 'DeployStackSets' },
    });
    expect(Object.keys(failed!.resume!.state).sort()).toEqual(['accounts', 'app', 'ou', 'scp']);
    // The second attempt starts at the failed step: no validation, OU, SCP or account task again
    expect(second).toMatchObject({ outcome: 'started', record: { attempt: 2 } });
    const resumed = tasks.get(record!.executionName)!;
    expect(resumed[0]).toMatch(/^Deploy/);
    expect(resumed).not.toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^(ValidateRequest|EnsureOrganizationalUnit|StartAccountCreation)$/),
      ]),
    );
    expect(record).toMatchObject({ status: 'SUCCEEDED', attempt: 2 });
    expect(record!.resume).toBeUndefined();
    // The summary of the resumed attempt carries what the first attempt made
    expect(record!.summary!.organizationalUnit!.id).toBe(failed!.summary!.organizationalUnit!.id);
    expect(Object.keys(record!.summary!.accounts).sort()).toEqual(['prod', 'test', 'tooling']);
    // And the organization holds one of each
    expect(world.sandbox.ous().filter((o) => o.name === 'appvend-orders')).toHaveLength(1);
    expect(appAccountIds(world)).toHaveLength(3);
    // artifact store and pipeline in tooling, roles in test and prod, guardrails in all three
    expect(world.sandbox.stackInstances().filter((i) => i.status === 'CURRENT')).toHaveLength(7);
    expect(quarantined(world)).toEqual([]);
  });

  it('re-running a succeeded vend is a no-op', async () => {
    // Prepare
    await submit(sample);
    const before = world.sandbox.calls.length;

    // Act
    const again = await submit(sample);

    // Assess
    expect(again.outcome).toBe('existing');
    expect(world.sandbox.calls.slice(before).filter((c) => c.mutating)).toEqual([]);
  });

  it('keeps new accounts quarantined until the last step, then releases them', async () => {
    // Prepare: the release fails, so the vend stops with the baseline in place and the quarantine on
    world.sandbox.faults.inject({
      service: 'organizations',
      operation: 'DetachPolicy',
      error: 'server-error',
      times: 1000,
    });

    // Act
    await submit(sample);
    const failed = await world.ledger.get('orders');
    const whileFailed = quarantined(world);
    world.sandbox.faults.clear();
    await submit(sample);
    const record = await world.ledger.get('orders');

    // Assess
    expect(failed).toMatchObject({ status: 'FAILED', resume: { step: 'ReleaseQuarantine' } });
    expect(whileFailed).toEqual(appAccountIds(world));
    expect(record!.status).toBe('SUCCEEDED');
    expect(tasks.get(record!.executionName)).toEqual(['ReleaseQuarantine', 'Summarize']);
    expect(quarantined(world)).toEqual([]);
    // The quarantine SCP denies everything except the vending and baseline roles, and every role
    // under a path
    const policy = world.sandbox.policies().find((p) => p.name === QUARANTINE_POLICY_NAME)!;
    expect(JSON.parse(policy.content)).toMatchObject({
      Statement: [
        { Effect: 'Deny', Action: '*', Resource: '*' },
        { Effect: 'Deny', Action: '*', Resource: '*' },
      ],
    });
  });

  it('does not quarantine an account it adopts by email (named in the request)', async () => {
    // Prepare: the prod account exists already, created outside appvend (no application tag)
    const client = new OrganizationsClient(world.sandbox.clientConfig());
    client.middlewareStack.use(world.sandbox.plugin());
    await client.send(new CreateAccountCommand({ AccountName: 'orders-prod', Email: EMAILS[2]! }));
    world.clock.advance(10 * 60_000);
    const adopted = world.sandbox.accounts().find((a) => a.email === EMAILS[2])!.id;
    const attached: string[] = [];
    world.sandbox.faults.inject({
      service: 'organizations',
      operation: 'DetachPolicy',
      error: 'server-error',
      times: 1000,
    });

    // Act
    await submit({ ...sample, adopt: { prod: adopted } });
    attached.push(...quarantined(world));

    // Assess: the two new accounts were quarantined, the adopted one never was
    expect(attached).toHaveLength(2);
    expect(attached).not.toContain(adopted);
    expect(appAccountIds(world)).toContain(adopted);
  });

  it('waits for a new account to answer through its role before deploying into it', async () => {
    // Prepare: roles take 3 minutes to propagate after each account is created
    const clock = new VirtualClock();
    start({ clock, sandbox: new Sandbox({ clock, latency: { accessRolePropagation: 3 * 60_000 } }) });

    // Act
    await submit(sample);
    const record = await world.ledger.get('orders');

    // Assess: MoveAccount was retried while the role refused, then the vend went on
    expect(record!.status).toBe('SUCCEEDED');
    const moves = tasks.get(record!.executionName)!.filter((t) => t === 'MoveAccount');
    expect(moves.length).toBeGreaterThan(3);
    const refused = world.sandbox.calls.filter(
      (c) => c.operation === 'AssumeRole' && c.error === 'AccessDenied',
    );
    expect(refused.length).toBeGreaterThan(0);
  });

  it('fails at the accounts with the probe’s explanation when the role never answers, then resumes there', async () => {
    // Prepare: roles take two hours, far beyond the probe's retries
    const clock = new VirtualClock();
    start({ clock, sandbox: new Sandbox({ clock, latency: { accessRolePropagation: 2 * 3_600_000 } }) });

    // Act
    await submit(sample);
    const failed = await world.ledger.get('orders');
    clock.advance(2 * 3_600_000);
    await submit(sample);
    const record = await world.ledger.get('orders');

    // Assess
    expect(failed).toMatchObject({
      status: 'FAILED',
      error: { step: 'VendAccounts' },
      resume: { step: 'VendAccounts' },
    });
    expect(failed!.error!.message).toMatch(/does not answer through OrganizationAccountAccessRole yet/);
    expect(record!.status).toBe('SUCCEEDED');
    expect(tasks.get(record!.executionName)![0]).toBe('StartAccountCreation');
    expect(appAccountIds(world)).toHaveLength(3);
    expect(world.sandbox.createAccountRequests()).toHaveLength(3);
  });
});
