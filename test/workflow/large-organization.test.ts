import { CreateAccountCommand, MoveAccountCommand, OrganizationsClient } from '@aws-sdk/client-organizations';
import { AsyncLocalStorage } from 'node:async_hooks';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LOCAL_HANDLERS } from '../../cli/handlers';
import { awsClients, type AnyPluggable } from '../../shared/aws/client-factory';
import { DRY_RUN_ACCOUNT_PAGES } from '../../shared/domain/account-creation';
import { VirtualClock } from '../../shared/clock/clock';
import { Sandbox } from '../../shared/sandbox';
import { ROOT_ID, addMemberAccounts } from '../../shared/sandbox/seed';
import { idsOf } from '../../shared/ledger/record';
import { PlanEnv, planSettingsFrom, planVend } from '../../shared/workflow/plan';
import { readEnvironment } from '../../shared/workflow/settings';
import type { AccountCreation } from '../../shared/workflow/types';
import { sandboxWorld, type SandboxWorld } from '../support/workflow';

const sample = JSON.parse(
  readFileSync(join(__dirname, '../../events/application-request.json'), 'utf8'),
) as Record<string, unknown>;

const MEMBERS = 5000;
const PAGE_BUDGET = 20;
const START = 'appvend-start-account-creation';

/** What one invocation of the start-account-creation Lambda did. */
interface Invocation {
  email: string;
  previousState?: string;
  listAccounts: number;
  createAccount: number;
  answered?: string;
}

/**
 * Counts Organizations calls per invocation of the account step: the handler runs inside an
 * AsyncLocalStorage context, and a middleware on every client adds each call to the context's
 * record (the accounts' invocations run concurrently in the Map, so the sandbox's own call log
 * cannot tell them apart).
 */
function invocationCounter(): { plugin: AnyPluggable; invocations: Invocation[]; install(): () => void } {
  const context = new AsyncLocalStorage<Invocation>();
  const invocations: Invocation[] = [];
  const plugin: AnyPluggable = {
    applyToStack: (stack) => {
      stack.add(
        (next, handlerContext) => async (args) => {
          const record = context.getStore();
          const command = (handlerContext as { commandName?: string }).commandName;
          if (record && command === 'ListAccountsCommand') record.listAccounts += 1;
          if (record && command === 'CreateAccountCommand') record.createAccount += 1;
          return next(args);
        },
        { step: 'initialize', name: 'countCallsPerInvocation' },
      );
    },
  };
  const install = () => {
    const original = LOCAL_HANDLERS[START]!;
    LOCAL_HANDLERS[START] = async (event, ...rest) => {
      const input = event as { account: { email: string }; previous?: AccountCreation };
      const record: Invocation = {
        email: input.account.email,
        ...(input.previous && { previousState: input.previous.state }),
        listAccounts: 0,
        createAccount: 0,
      };
      invocations.push(record);
      const output = await context.run(record, () => original(event, ...rest));
      record.answered = (output as AccountCreation).state;
      return output;
    };
    return () => {
      LOCAL_HANDLERS[START] = original;
    };
  };
  return { plugin, invocations, install };
}

/** An organization of `MEMBERS` accounts made elsewhere, then prod's address, tagged for orders, last. */
async function largeOrganization(plugin: AnyPluggable): Promise<{ world: SandboxWorld; prodId: string }> {
  const clock = new VirtualClock();
  const state = new Sandbox({ clock }).toJSON();
  addMemberAccounts(state, MEMBERS);
  const world = sandboxWorld({ sandbox: new Sandbox({ clock, state }), clock, plugins: [plugin] });
  const client = new OrganizationsClient({ ...world.sandbox.clientConfig(), maxAttempts: 1 });
  client.middlewareStack.use(world.sandbox.plugin());
  await client.send(
    new CreateAccountCommand({
      AccountName: 'orders-prod-before',
      Email: 'aws+orders-prod@example.com',
      RoleName: 'OrganizationAccountAccessRole',
      Tags: [{ Key: 'appvend:application', Value: 'orders' }],
    }),
  );
  world.clock.advance(10 * 60 * 1000);
  const prod = world.sandbox.accounts().find((a) => a.email === 'aws+orders-prod@example.com');
  if (!prod) throw new Error('the tagged prod account was not made');
  return { world, prodId: prod.id };
}

describe('Workflow: finding accounts by email in an organization of thousands', () => {
  let world: SandboxWorld;
  let prodId: string;
  let run: Awaited<ReturnType<SandboxWorld['vend']>>;
  const counter = invocationCounter();
  const pagesInOrganization = Math.ceil((MEMBERS + 2) / 20);

  beforeAll(async () => {
    // Prepare: 5,000 members, the management account, and orders' prod account on the last page
    process.env.APPVEND_ACCOUNT_SEARCH_PAGES = String(PAGE_BUDGET);
    ({ world, prodId } = await largeOrganization(counter.plugin));
    const uninstall = counter.install();

    // Act
    try {
      run = await world.vend(sample);
    } finally {
      uninstall();
    }
  }, 120_000);

  afterAll(() => {
    delete process.env.APPVEND_ACCOUNT_SEARCH_PAGES;
  });

  it('vends the application', () => {
    // Assess
    expect(run.summary.error).toBeUndefined();
    expect(run.summary.status).toBe('SUCCEEDED');
  });

  it('sends CreateAccount for a new account after a look at the OU only, without reading the organization', () => {
    // Assess: the cost of a new account does not grow with the organization
    for (const email of ['aws+orders-tooling@example.com', 'aws+orders-test@example.com']) {
      const mine = counter.invocations.filter((i) => i.email === email);
      expect(mine.reduce((n, i) => n + i.listAccounts, 0)).toBe(0);
      expect(mine.reduce((n, i) => n + i.createAccount, 0)).toBe(1);
    }
    const inOu = world.sandbox.calls.filter((c) => c.operation === 'ListAccountsForParent');
    expect(inOu.length).toBeGreaterThanOrEqual(3);
  });

  it('searches the whole organization only for the address AWS says is taken, going on across invocations', () => {
    // Assess: prod's request failed EMAIL_ALREADY_EXISTS, then prod's address was searched for
    const failed = world.sandbox
      .createAccountRequests()
      .filter((r) => r.email === 'aws+orders-prod@example.com' && r.state === 'FAILED');
    expect(failed.map((r) => r.failureReason)).toEqual(['EMAIL_ALREADY_EXISTS']);
    const prodInvocations = counter.invocations.filter((i) => i.email === 'aws+orders-prod@example.com');
    const searching = prodInvocations.filter((i) => i.answered === 'SEARCHING');
    expect(searching.length).toBe(Math.floor(pagesInOrganization / PAGE_BUDGET));
    expect(prodInvocations.reduce((n, i) => n + i.listAccounts, 0)).toBe(pagesInOrganization);
    expect(prodInvocations.slice(1).every((i) => i.previousState !== undefined)).toBe(true);
  });

  it(`makes no more than ${PAGE_BUDGET} ListAccounts calls in any one invocation`, () => {
    // Assess
    expect(Math.max(...counter.invocations.map((i) => i.listAccounts))).toBe(PAGE_BUDGET);
  });

  it('adopts the tagged account found on the last page, and sends no second request for it', () => {
    // Assess
    expect(run.summary.accounts.prod?.id).toBe(prodId);
    const prodInvocations = counter.invocations.filter((i) => i.email === 'aws+orders-prod@example.com');
    expect(prodInvocations.reduce((n, i) => n + i.createAccount, 0)).toBe(1);
    expect(prodInvocations.at(-1)?.answered).toBe('SUCCEEDED');
    const succeeded = world.sandbox.createAccountRequests().filter((r) => r.state === 'SUCCEEDED');
    // The tagged prod account's own request, made before the vend, and tooling's and test's.
    expect(succeeded.map((r) => r.email).sort()).toEqual([
      'aws+orders-prod@example.com',
      'aws+orders-test@example.com',
      'aws+orders-tooling@example.com',
    ]);
  });
});

describe('Plan: finding accounts by email in an organization of thousands', () => {
  const plan = (accountPages?: number) =>
    planVend(
      awsClients(),
      sample,
      planSettingsFrom(readEnvironment(PlanEnv), {
        memberReads: false,
        ...(accountPages !== undefined && { accountPages }),
      }),
    );
  const listAccounts = (world: SandboxWorld) =>
    world.sandbox.calls.filter((c) => c.operation === 'ListAccounts').length;

  it('reads every page for `appvend plan`, once for all stages, and adopts the account on the last page', async () => {
    // Prepare
    const { world, prodId } = await largeOrganization(invocationCounter().plugin);

    // Act
    const planned = await plan();

    // Assess
    const accounts = planned.steps.filter((s) => s.kind === 'account');
    expect(accounts.map((a) => [a.stage, a.action, a.id])).toEqual([
      ['tooling', 'create', undefined],
      ['test', 'create', undefined],
      ['prod', 'adopt', prodId],
    ]);
    expect(listAccounts(world)).toBe(Math.ceil((MEMBERS + 2) / 20));
    expect(planned.notes.join('\n')).not.toContain('ListAccounts');
  }, 60_000);

  it('reads at most its pages for the dry run: accounts beyond them are not checked, and it says so', async () => {
    // Prepare
    const { world } = await largeOrganization(invocationCounter().plugin);

    // Act
    const planned = await plan(DRY_RUN_ACCOUNT_PAGES);

    // Assess
    const accounts = planned.steps.filter((s) => s.kind === 'account');
    expect(accounts.map((a) => a.action)).toEqual(['unchecked', 'unchecked', 'unchecked']);
    expect(listAccounts(world)).toBe(DRY_RUN_ACCOUNT_PAGES);
    expect(planned.notes).toContain(
      `The organization has more than ${DRY_RUN_ACCOUNT_PAGES * 20} accounts and this plan reads only the ` +
        `first ${DRY_RUN_ACCOUNT_PAGES} pages of ListAccounts: the accounts of tooling, test, prod were not ` +
        'found there and were not checked, nor was the account quota. `appvend plan` reads them all.',
    );
    expect(planned.steps.filter((s) => s.kind === 'config-recorder').map((s) => s.action)).toEqual([
      'unchecked',
      'unchecked',
      'unchecked',
    ]);
    expect(planned.blockers).toEqual([]);
  }, 60_000);
});

describe('Plan: a vended application planned from its ledger record (the reconcile), in an organization of thousands', () => {
  /** The reads whose cost grows with the organization: its accounts, its SCPs, the root's OUs. */
  const GROWING = ['ListAccounts', 'ListPolicies', 'ListOrganizationalUnitsForParent'];
  let world: SandboxWorld;
  let recorded: ReturnType<typeof idsOf>;

  // One organization for both tests (a vend among 5,000 members is the slow part): the first only
  // reads, the second, last, moves an account.
  beforeAll(async () => {
    // Prepare: 5,000 members, then the sample vended; its ids as the ledger records them.
    const clock = new VirtualClock();
    const state = new Sandbox({ clock }).toJSON();
    addMemberAccounts(state, MEMBERS);
    world = sandboxWorld({ sandbox: new Sandbox({ clock, state }), clock });
    const { summary } = await world.vend(sample);
    expect(summary.status).toBe('SUCCEEDED');
    recorded = idsOf(summary);
  }, 60_000);

  const planFromRecord = () =>
    planVend(awsClients(), sample, planSettingsFrom(readEnvironment(PlanEnv), { memberReads: false }), {
      recorded,
    });

  it('keeps what the vend made, looking only where the vend recorded it', async () => {
    // Prepare
    const before = world.sandbox.calls.length;

    // Act
    const planned = await planFromRecord();

    // Assess
    const organizationSteps = planned.steps.filter((s) =>
      ['organizational-unit', 'service-control-policy', 'account'].includes(s.kind),
    );
    expect(organizationSteps.map((s) => s.action)).toEqual(['keep', 'keep', 'keep', 'keep', 'keep']);
    const reads = world.sandbox.calls.slice(before).map((c) => c.operation);
    expect(reads.filter((operation) => GROWING.includes(operation))).toEqual([]);
  });

  it('finds an account moved out of the OU by its recorded id, and plans to move it back, still reading no growing list', async () => {
    // Prepare: drift — the test account moved to the root.
    const organizations = awsClients().organizations();
    const testId = recorded.accounts!.test!;
    await organizations.send(
      new MoveAccountCommand({
        AccountId: testId,
        SourceParentId: recorded.organizationalUnit!,
        DestinationParentId: ROOT_ID,
      }),
    );
    const before = world.sandbox.calls.length;

    // Act
    const planned = await planFromRecord();

    // Assess
    const test = planned.steps.find((s) => s.kind === 'account' && s.stage === 'test');
    expect(test).toMatchObject({ action: 'adopt', id: testId });
    const reads = world.sandbox.calls.slice(before).map((c) => c.operation);
    expect(reads.filter((operation) => GROWING.includes(operation))).toEqual([]);
  });
});
