import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LocalExecutionStarter } from '../../cli/local-starter';
import { submitApplication } from '../../shared/workflow/intake';
import { sandboxWorld, workflowDefinition, type SandboxWorld } from '../support/workflow';
import { ADMIN, OWNER, STRANGER } from '../support/actors';

const sample = JSON.parse(
  readFileSync(join(__dirname, '../../events/application-request.json'), 'utf8'),
) as Record<string, unknown>;

describe('Intake: requests through the ledger, one vend per application', () => {
  let world: SandboxWorld;
  let starter: LocalExecutionStarter;

  beforeEach(() => {
    world = sandboxWorld();
    starter = new LocalExecutionStarter({ definition: workflowDefinition(), clock: world.clock });
  });

  const submit = (request: unknown) => submitApplication(world.ledger, starter, request, OWNER);
  const finish = () => Promise.all(starter.runs.values());

  it('vends once when the same request arrives three times at once and three times after', async () => {
    // Act
    const concurrent = await Promise.all([submit(sample), submit(sample), submit(sample)]);
    await finish();
    const later = [await submit(sample), await submit(sample), await submit(sample)];

    // Assess: one execution, one set of accounts, one request id everywhere
    expect(starter.runs.size).toBe(1);
    const ids = new Set([...concurrent, ...later].map((r) => ('requestId' in r ? r.requestId : undefined)));
    expect(ids.size).toBe(1);
    expect(world.sandbox.createAccountRequests()).toHaveLength(3);
    expect(world.sandbox.accounts().filter((a) => a.email.startsWith('aws+orders-'))).toHaveLength(3);
    expect(later.map((r) => r.outcome)).toEqual(['existing', 'existing', 'existing']);
  });

  it('records the outcome with the ids and announces it on the bus and the topic', async () => {
    // Act
    const result = await submit(sample);
    const [run] = await finish();
    const record = await world.ledger.get('orders');

    // Assess
    expect(result.outcome).toBe('started');
    expect(run!.summary.status).toBe('SUCCEEDED');
    expect(record).toMatchObject({
      status: 'SUCCEEDED',
      ids: {
        organizationalUnit: run!.summary.organizationalUnit!.id,
        accounts: Object.fromEntries(Object.entries(run!.summary.accounts).map(([s, a]) => [s, a.id])),
      },
    });
    const [event, message] = world.sandbox.notifications();
    expect(event).toMatchObject({
      service: 'events',
      target: 'appvend',
      kind: 'Application Vended',
      source: 'appvend',
    });
    expect(JSON.parse(event!.body)).toMatchObject({
      requestId: record!.requestId,
      application: 'orders',
      status: 'SUCCEEDED',
    });
    expect(message).toMatchObject({ service: 'sns', kind: 'appvend: orders vended' });
    expect(message!.body).toContain(run!.summary.accounts.prod!.id);
  });

  it('refuses another principal and a change while the vend runs, starting nothing more', async () => {
    // Prepare
    await submit(sample);

    // Act: the body's owner email is a contact only: the same email from another principal is refused
    const otherPrincipal = await submitApplication(
      world.ledger,
      starter,
      { ...sample, profile: 'regulated' },
      STRANGER,
    );
    const changed = await submit({ ...sample, stages: ['prod'] });
    await finish();

    // Assess
    expect(otherPrincipal).toMatchObject({ outcome: 'conflict', reason: 'not-owner' });
    expect(changed).toMatchObject({ outcome: 'conflict', reason: 'in-progress' });
    expect(starter.runs.size).toBe(1);
  });

  it("lets a platform administrator change another principal's application once its vend has ended", async () => {
    // Prepare
    await submit(sample);
    await finish();

    // Act
    // (A change that keeps every stage: dropping one is refused, removes-stage, whoever asks.)
    const byAdmin = await submitApplication(
      world.ledger,
      starter,
      { ...sample, tags: { ...(sample.tags as object), team: 'platform' } },
      ADMIN,
    );
    await finish();

    // Assess
    expect(byAdmin).toMatchObject({ outcome: 'started' });
    expect(starter.runs.size).toBe(2);
    expect((await world.ledger.get('orders'))?.principals).toEqual([OWNER.principal]);
  });

  it('answers an invalid request with the field problems and changes nothing', async () => {
    // Act
    const result = await submit({ ...sample, name: 'Orders!' });

    // Assess
    expect(result).toMatchObject({
      outcome: 'invalid',
      problems: [expect.objectContaining({ field: 'name' })],
    });
    expect(starter.runs.size).toBe(0);
    expect(world.sandbox.calls.filter((c) => c.mutating)).toEqual([]);
  });

  it('records a failed vend with its step and reason, announces it, and tries again on the same request', async () => {
    // Prepare: CreateAccount keeps conflicting, past every retry
    world.sandbox.faults.inject({
      service: 'organizations',
      operation: 'CreateAccount',
      error: 'concurrent-modification',
      times: 100,
    });

    // Act
    await submit(sample);
    await finish();
    const failed = await world.ledger.get('orders');
    world.sandbox.faults.clear();
    const retry = await submit(sample);
    await finish();

    // Assess
    expect(failed).toMatchObject({ status: 'FAILED', error: { step: 'VendAccounts' } });
    expect(world.sandbox.notifications().map((n) => n.kind)).toContain('Application Vending Failed');
    expect(retry).toMatchObject({ outcome: 'started', record: { attempt: 2 } });
    expect(await world.ledger.get('orders')).toMatchObject({ status: 'SUCCEEDED', attempt: 2 });
  });
});
