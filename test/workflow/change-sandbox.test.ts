import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LocalExecutionStarter } from '../../cli/local-starter';
import { conformancePackTemplate } from '../../shared/domain/conformance-pack';
import { QUARANTINE_POLICY_NAME } from '../../shared/domain/quarantine';
import { ACCOUNT_ACCESS_ROLE } from '../../shared/domain/naming';
import { renderServiceControlPolicy } from '../../shared/domain/scp';
import { submitApplication } from '../../shared/workflow/intake';
import { sandboxWorld, workflowDefinition, type SandboxWorld } from '../support/workflow';
import { OWNER } from '../support/actors';

const sample = JSON.parse(
  readFileSync(join(__dirname, '../../events/application-request.json'), 'utf8'),
) as Record<string, unknown>;

describe('Workflow: changing a vended application', () => {
  let world: SandboxWorld;
  let starter: LocalExecutionStarter;

  beforeEach(() => {
    world = sandboxWorld();
    starter = new LocalExecutionStarter({ definition: workflowDefinition(), clock: world.clock });
  });

  const submit = async (request: unknown) => {
    const result = await submitApplication(world.ledger, starter, request, OWNER);
    await Promise.all(starter.runs.values());
    return result;
  };

  const accountOf = (stage: string) =>
    world.sandbox.accounts().find((a) => a.email === `aws+orders-${stage}@example.com`)?.id;

  it('an added stage creates only the new account, its roles, its pipeline stage and its guardrails', async () => {
    // Prepare: vended with one stage
    await submit({ ...sample, stages: ['test'] });
    const tooling = accountOf('tooling')!;
    const test = accountOf('test')!;
    const operationsBefore = world.sandbox.stackSetOperations().length;
    const callsBefore = world.sandbox.calls.length;
    const quarantine = world.sandbox.policies().find((p) => p.name === QUARANTINE_POLICY_NAME)!;

    // Act
    const change = await submit({ ...sample, stages: ['test', 'prod'] });
    const record = await world.ledger.get('orders');

    // Assess
    expect(change).toMatchObject({ outcome: 'started' });
    expect(record!.status).toBe('SUCCEEDED');
    const prod = accountOf('prod')!;
    expect(prod).toBeDefined();
    const calls = world.sandbox.calls.slice(callsBefore).filter((c) => c.mutating);
    // One new account; nothing else in Organizations but its quarantine, move, and baselined mark
    expect(calls.filter((c) => c.operation === 'CreateAccount')).toHaveLength(1);
    expect(
      calls
        .filter((c) => c.service === 'organizations')
        .map((c) => c.operation)
        .sort(),
    ).toEqual(['AttachPolicy', 'CreateAccount', 'DetachPolicy', 'MoveAccount', 'TagResource']);
    // Stack set operations: instances for the new account only, and in tooling the pipeline's new
    // stage and the artifact store's key and bucket policies, which must let the new account read
    const operations = world.sandbox.stackSetOperations().slice(operationsBefore);
    const summary = operations.map((op) => ({
      stackSet: op.stackSetId.split(':')[0],
      action: op.action,
      accounts: op.targets.map((t) => t.account).sort(),
    }));
    expect(summary).toEqual(
      expect.arrayContaining([
        { stackSet: 'appvend-orders-cross-account-roles', action: 'CREATE', accounts: [prod] },
        { stackSet: 'appvend-orders-guardrails', action: 'CREATE', accounts: [prod] },
        { stackSet: 'appvend-orders-pipeline', action: 'UPDATE', accounts: [tooling] },
        { stackSet: 'appvend-orders-artifact-store', action: 'UPDATE', accounts: [tooling] },
      ]),
    );
    expect(summary).toHaveLength(4);
    // Config: registered in the new account only (the others were already)
    const configCalls = calls.filter((c) => c.service === 'config');
    expect(new Set(configCalls.map((c) => c.accountId))).toEqual(new Set([prod]));
    // The existing accounts were never quarantined again
    const detached = world.sandbox.attachments().filter((a) => a.policyId === quarantine.id);
    expect(detached).toEqual([]);
    expect(calls.filter((c) => c.accountId === test)).toEqual([]);
  });

  it('a changed profile updates only the SCP and the conformance pack of every account', async () => {
    // Prepare: vended with the serverless profile, and its packs deployed (a pack still being
    // created refuses an update, which the step's Retry waits out).
    await submit(sample);
    world.clock.advance(60 * 60_000);
    const accounts = ['tooling', 'test', 'prod'].map((stage) => accountOf(stage)!);
    const scp = () => world.sandbox.policies().find((p) => p.name === 'appvend-orders-guardrails')!;
    const before = scp();
    const packs = () =>
      accounts.map((account) =>
        world.sandbox.configState(account).conformancePacks.map((p) => p.templateBody),
      );
    const packsBefore = packs();
    const operationsBefore = world.sandbox.stackSetOperations().length;
    const callsBefore = world.sandbox.calls.length;

    // Act
    const change = await submit({ ...sample, profile: 'regulated' });

    // Assess
    expect(change).toMatchObject({ outcome: 'started' });
    expect((await world.ledger.get('orders'))!.status).toBe('SUCCEEDED');
    const calls = world.sandbox.calls.slice(callsBefore).filter((c) => c.mutating);
    expect(calls.map((c) => `${c.service}:${c.operation}:${c.accountId}`).sort()).toEqual(
      [
        `organizations:UpdatePolicy:${world.sandbox.organization().MasterAccountId}`,
        ...accounts.map((account) => `config:PutConformancePack:${account}`),
      ].sort(),
    );
    const after = scp();
    expect(after.id).toBe(before.id);
    expect(after.content).toBe(
      renderServiceControlPolicy(
        { name: 'orders', profile: 'regulated' },
        { memberRoleName: ACCOUNT_ACCESS_ROLE, executionRoleName: ACCOUNT_ACCESS_ROLE },
      ),
    );
    expect(after.description).toBe('appvend regulated guardrails for orders');
    expect(packs()).toEqual(accounts.map(() => [conformancePackTemplate('regulated')]));
    expect(packsBefore).toEqual(accounts.map(() => [conformancePackTemplate('serverless')]));
    expect(world.sandbox.stackSetOperations()).toHaveLength(operationsBefore);
  });
});
