import { CreateAccountCommand, OrganizationsClient } from '@aws-sdk/client-organizations';
import type { Pluggable } from '@smithy/types';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { maxInFlight } from '../../bench/measures';
import { DEFAULT_LATENCY } from '../../shared/sandbox';
import { sandboxWorld, type SandboxWorld } from '../support/workflow';

const sample = JSON.parse(
  readFileSync(join(__dirname, '../../events/application-request.json'), 'utf8'),
) as Record<string, unknown>;

function requestFor(name: string): Record<string, unknown> {
  return { ...sample, name, accountEmail: `aws+${name}-{stage}@example.com` };
}

/** CreateAccount requests made outside appvend (another tool, a person), straight to the sandbox. */
async function startForeignRequests(world: SandboxWorld, count: number, prefix = 'other'): Promise<string[]> {
  const client = new OrganizationsClient({ ...world.sandbox.clientConfig(), maxAttempts: 1 });
  client.middlewareStack.use(world.sandbox.plugin());
  const ids: string[] = [];
  for (let i = 0; i < count; i += 1) {
    const { CreateAccountStatus } = await client.send(
      new CreateAccountCommand({ AccountName: `${prefix}-${i}`, Email: `${prefix}-${i}@example.com` }),
    );
    ids.push(CreateAccountStatus!.Id!);
  }
  return ids;
}

describe('Workflow: CreateAccount beyond the organization quota queues instead of failing', () => {
  afterEach(() => {
    delete process.env.APPVEND_CREATE_ACCOUNT_CONCURRENCY;
  });

  it('vends four applications at once (12 accounts) with never more than 5 requests in flight', async () => {
    // Arrange
    const world = sandboxWorld();
    const names = ['alpha', 'bravo', 'charlie', 'delta'];

    // Act
    const runs = await Promise.all(names.map((name) => world.vend(requestFor(name))));

    // Assess
    expect(runs.map((r) => r.summary.status)).toEqual(names.map(() => 'SUCCEEDED'));
    const requests = world.sandbox.createAccountRequests();
    expect(requests).toHaveLength(12);
    expect(requests.every((r) => r.state === 'SUCCEEDED')).toBe(true);
    expect(maxInFlight(requests)).toBe(5);
    const accounts = world.sandbox.accounts().filter((a) => a.email.startsWith('aws+'));
    expect(new Set(accounts.map((a) => a.email)).size).toBe(12);
    // Three waves of CreateAccount: the vend cannot end before the third wave's accounts exist.
    const makespan = Math.max(...runs.map((r) => r.endedAt - r.startedAt));
    expect(makespan).toBeGreaterThanOrEqual(3 * DEFAULT_LATENCY.createAccount);
  });

  it('vends ten applications at once (30 accounts) without a CreateAccount refused by AWS', async () => {
    // Arrange: every account starts at the same instant, so each sees the same free slots at AWS.
    const world = sandboxWorld();
    const names = Array.from({ length: 10 }, (_, i) => `line${i}`);
    const before = world.sandbox.calls.length;

    // Act
    const runs = await Promise.all(names.map((name) => world.vend(requestFor(name))));

    // Assess: from the sandbox's record of every call, as bench/scenarios.ts counts refusals.
    expect(runs.filter((r) => r.summary.status !== 'SUCCEEDED').map((r) => r.summary.error)).toEqual([]);
    const creates = world.sandbox.calls.slice(before).filter((c) => c.operation === 'CreateAccount');
    expect(creates.filter((c) => c.error !== undefined)).toEqual([]);
    expect(creates).toHaveLength(30);
    expect(maxInFlight(world.sandbox.createAccountRequests())).toBe(5);
  }, 120_000);

  it('vends fifty applications at once (150 accounts): all succeed, never more than 5 requests in flight', async () => {
    // Arrange
    const world = sandboxWorld();
    const names = Array.from({ length: 50 }, (_, i) => `app${String(i).padStart(2, '0')}`);

    // Act
    const runs = await Promise.all(names.map((name) => world.vend(requestFor(name))));

    // Assess: read from the sandbox's own records, not from the workflow's output
    expect(runs.filter((r) => r.summary.status !== 'SUCCEEDED').map((r) => r.summary.error)).toEqual([]);
    const requests = world.sandbox.createAccountRequests();
    expect(requests).toHaveLength(150);
    expect(requests.every((r) => r.state === 'SUCCEEDED')).toBe(true);
    expect(maxInFlight(requests)).toBeLessThanOrEqual(5);
    expect(world.sandbox.ous().filter((o) => o.name.startsWith('appvend-app'))).toHaveLength(50);
  }, 400_000);

  it('waits for requests another tool started, up to the configured concurrency', async () => {
    // Arrange: two requests already in flight, appvend allowed two at once.
    process.env.APPVEND_CREATE_ACCOUNT_CONCURRENCY = '2';
    const world = sandboxWorld();
    const foreign = await startForeignRequests(world, 2);

    // Act
    const run = await world.vend(requestFor('echo'));

    // Assess: none of appvend's requests started before both foreign ones ended.
    expect(run.summary.status).toBe('SUCCEEDED');
    const requests = world.sandbox.createAccountRequests();
    const foreignEnd = Math.max(...requests.filter((r) => foreign.includes(r.id)).map((r) => r.completesAt));
    const mine = requests.filter((r) => !foreign.includes(r.id));
    expect(mine).toHaveLength(3);
    expect(Math.min(...mine.map((r) => r.requestedAt))).toBeGreaterThanOrEqual(foreignEnd);
  });

  it('queues when AWS refuses with ACCOUNT_CREATION_RATE_LIMIT_EXCEEDED although the count showed a free slot', async () => {
    // Arrange: three requests of another tool in flight, ending 30 s into the vend, so appvend's
    // count leaves two slots for its two first accounts; the same tool starts one more between
    // that count and appvend's first CreateAccount: one of appvend's two is over AWS's five.
    let fired = false;
    const lateTool: Pluggable<object, object> = {
      applyToStack: (stack) =>
        stack.add(
          (next, context) => async (args) => {
            if (context.commandName === 'CreateAccountCommand' && !fired) {
              fired = true;
              await startForeignRequests(world, 1, 'late');
            }
            return next(args);
          },
          { step: 'initialize', name: 'lateToolMiddleware' },
        ),
    };
    const world: SandboxWorld = sandboxWorld({ plugins: [lateTool] });
    await startForeignRequests(world, 3);
    world.clock.advance(DEFAULT_LATENCY.createAccount - 30_000);

    // Act
    const run = await world.vend(requestFor('foxtrot'));

    // Assess: refused, queued, and vended once a slot freed; never over AWS's five.
    expect(fired).toBe(true);
    expect(run.summary.status).toBe('SUCCEEDED');
    const requests = world.sandbox.createAccountRequests();
    expect(requests).toHaveLength(7);
    expect(maxInFlight(requests)).toBe(5);
    const refused = world.sandbox.calls.filter(
      (c) => c.operation === 'CreateAccount' && c.error === 'ConstraintViolationException',
    );
    expect(refused.length).toBeGreaterThan(0);
  });
});
