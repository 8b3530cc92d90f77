import {
  CloseAccountCommand,
  CreateAccountCommand,
  OrganizationsClient,
} from '@aws-sdk/client-organizations';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { awsClients } from '../../shared/aws/client-factory';
import { MANAGEMENT_EMAIL } from '../../shared/sandbox/seed';
import { readEnvironment } from '../../shared/workflow/settings';
import { PlanEnv, planSettingsFrom, planVend } from '../../shared/workflow/plan';
import { sandboxWorld, type SandboxWorld } from '../support/workflow';

const sample = JSON.parse(
  readFileSync(join(__dirname, '../../events/application-request.json'), 'utf8'),
) as Record<string, unknown>;

const plan = (request: unknown) =>
  planVend(awsClients(), request, planSettingsFrom(readEnvironment(PlanEnv), { memberReads: false }));

/** An account made outside appvend (a person, another tool): no appvend tag, under the root. */
async function foreignAccount(world: SandboxWorld, email: string): Promise<string> {
  const client = new OrganizationsClient({ ...world.sandbox.clientConfig(), maxAttempts: 1 });
  client.middlewareStack.use(world.sandbox.plugin());
  const { CreateAccountStatus } = await client.send(
    new CreateAccountCommand({ AccountName: email.split('@')[0]!.slice(0, 50), Email: email }),
  );
  world.clock.advance(10 * 60 * 1000);
  const account = world.sandbox.accounts().find((a) => a.email === email);
  if (!account) throw new Error(`CreateAccount ${CreateAccountStatus?.Id} made no account`);
  return account.id;
}

describe('Workflow: a vend touches only its own accounts', () => {
  describe('a request whose addresses are another application’s', () => {
    let world: SandboxWorld;
    let ordersOu: string;
    let ordersAccounts: string[];
    const mallory = { ...sample, name: 'mallory', accountEmail: 'aws+orders-{stage}@example.com' };

    beforeAll(async () => {
      // Prepare: orders is vended
      world = sandboxWorld();
      const run = await world.vend(sample);
      expect(run.summary.status).toBe('SUCCEEDED');
      ordersOu = world.sandbox.ous().find((ou) => ou.name === 'appvend-orders')!.id;
      ordersAccounts = world.sandbox
        .accounts()
        .filter((a) => a.parentId === ordersOu)
        .map((a) => a.id);
      expect(ordersAccounts).toHaveLength(3);
    }, 120_000);

    it('is planned with a blocker per stage, naming the rule', async () => {
      // Act
      const result = await plan(mallory);

      // Assess
      expect(result.blockers.map((b) => b.message)).toEqual(
        ['tooling', 'test', 'prod'].map((stage) =>
          expect.stringMatching(
            new RegExp(
              `^stage ${stage}: the account with email aws\\+orders-${stage}@example.com cannot be adopted: ` +
                'account \\d{12} is tagged appvend:application=orders: it belongs to another application$',
            ),
          ),
        ),
      );
    });

    it('is refused by the vend before any account moves: orders’ accounts stay in orders’ OU', async () => {
      // Prepare
      const movesBefore = world.sandbox.calls.filter((c) => c.operation === 'MoveAccount').length;

      // Act
      const run = await world.vend(mallory);

      // Assess
      expect(run.summary.status).toBe('FAILED');
      expect(run.summary.error?.step).toBe('VendAccounts');
      expect(run.summary.error?.message).toMatch(
        /stage (tooling|test|prod): the account with email aws\+orders-\w+@example.com cannot be adopted: .*tagged appvend:application=orders/,
      );
      const now = world.sandbox.accounts().filter((a) => ordersAccounts.includes(a.id));
      expect(now.map((a) => a.parentId)).toEqual([ordersOu, ordersOu, ordersOu]);
      expect(world.sandbox.calls.filter((c) => c.operation === 'MoveAccount')).toHaveLength(movesBefore);
    }, 120_000);
  });

  describe('a request whose address is the management account’s', () => {
    const takeover = {
      ...sample,
      name: 'takeover',
      accountEmail: 'sandbox-{stage}@example.com',
      stages: ['management'],
    };

    it('is planned with a blocker and refused by the vend; the management account stays at the root', async () => {
      // Prepare
      const world = sandboxWorld();
      const management = world.sandbox.accounts().find((a) => a.email === MANAGEMENT_EMAIL)!;
      // Named explicitly: still refused.
      const request = { ...takeover, adopt: { management: management.id } };

      // Act
      const planned = await plan(request);
      const run = await world.vend(request);

      // Assess
      expect(planned.blockers.map((b) => b.message)).toEqual([
        `stage management: the account with email ${MANAGEMENT_EMAIL} cannot be adopted: ` +
          `account ${management.id} is the organization's management account, which is never adopted`,
      ]);
      expect(run.summary.status).toBe('FAILED');
      expect(run.summary.error?.message).toContain("is the organization's management account");
      expect(management.parentId).toMatch(/^r-/);
      expect(world.sandbox.accounts().find((a) => a.id === management.id)?.parentId).toBe(
        management.parentId,
      );
    }, 120_000);
  });

  describe('an existing account not made by appvend', () => {
    const request = { ...sample, name: 'legacy', accountEmail: 'legacy-{stage}@example.com' };

    it('is a blocker unless the request names it in adopt, then it is planned as adopted', async () => {
      // Prepare
      const world = sandboxWorld();
      const id = await foreignAccount(world, 'legacy-prod@example.com');

      // Act
      const unnamed = await plan(request);
      const named = await plan({ ...request, adopt: { prod: id } });
      const wrong = await plan({ ...request, adopt: { test: id } });

      // Assess
      expect(unnamed.blockers.map((b) => b.message)).toEqual([
        `stage prod: the account with email legacy-prod@example.com cannot be adopted: account ${id} is not ` +
          `tagged appvend:application=legacy and the request does not name it; to adopt it, add "adopt": { "prod": "${id}" } to the request`,
      ]);
      expect(named.blockers).toEqual([]);
      expect(named.steps.find((s) => s.kind === 'account' && s.stage === 'prod')).toMatchObject({
        action: 'adopt',
        id,
      });
      expect(wrong.blockers.map((b) => b.message)).toEqual([
        expect.stringContaining(
          `adopt.test names account ${id}, but no account has the address legacy-test@example.com`,
        ),
        expect.stringContaining('is not tagged appvend:application=legacy and the request does not name it'),
      ]);
    });

    it('is never adopted once SUSPENDED, even when named', async () => {
      // Prepare
      const world = sandboxWorld();
      const id = await foreignAccount(world, 'legacy-prod@example.com');
      const client = new OrganizationsClient({ ...world.sandbox.clientConfig(), maxAttempts: 1 });
      client.middlewareStack.use(world.sandbox.plugin());
      await client.send(new CloseAccountCommand({ AccountId: id }));
      world.clock.advance(10 * 60 * 1000);

      // Act
      const named = await plan({ ...request, adopt: { prod: id } });

      // Assess
      expect(named.blockers.map((b) => b.message)).toEqual([
        expect.stringContaining(`account ${id} is SUSPENDED; only an ACTIVE account can be adopted`),
      ]);
    });
  });
});
