import {
  CreateAccountCommand,
  CreateOrganizationalUnitCommand,
  MoveAccountCommand,
  OrganizationsClient,
} from '@aws-sdk/client-organizations';
import { AccountCreationFailedError } from '../../shared/errors';
import { VirtualClock } from '../../shared/clock/clock';
import {
  MAX_SEARCH_RESTARTS,
  searchAccountByEmail,
  startAccountCreation,
  type AccountSearchCursor,
} from '../../shared/aws/organizations/accounts';
import { Sandbox } from '../../shared/sandbox';
import { addMemberAccounts } from '../../shared/sandbox/seed';
import { awsClients, configureAws } from '../../shared/aws/client-factory';
import { startAccount } from '../../shared/workflow/steps/account';
import type { AccountCreation } from '../../shared/workflow/types';

/** A sandbox organization of the management account and `members` accounts, and a client to it. */
function organization(members: number): { sandbox: Sandbox; client: OrganizationsClient } {
  const clock = new VirtualClock();
  const state = new Sandbox({ clock }).toJSON();
  addMemberAccounts(state, members);
  const sandbox = new Sandbox({ clock, state });
  const client = new OrganizationsClient({ ...sandbox.clientConfig(), maxAttempts: 1 });
  client.middlewareStack.use(sandbox.plugin());
  return { sandbox, client };
}

const listAccountsCalls = (sandbox: Sandbox) =>
  sandbox.calls.filter((c) => c.operation === 'ListAccounts').length;

describe('Function: searchAccountByEmail', () => {
  it('reads no more than its page budget and answers where it stopped', async () => {
    // Prepare: 1 + 99 accounts, five pages of 20
    const { sandbox, client } = organization(99);

    // Act
    const result = await searchAccountByEmail(client, 'member-99@members.example.com', { pageBudget: 2 });

    // Assess
    expect(result).toEqual({ state: 'SEARCHING', cursor: { nextToken: expect.any(String), pagesRead: 2 } });
    expect(listAccountsCalls(sandbox)).toBe(2);
  });

  it('goes on from a cursor and finds the address on the last page, whatever its case', async () => {
    // Prepare
    const { sandbox, client } = organization(99);
    const first = await searchAccountByEmail(client, 'x@example.com', { pageBudget: 2 });
    const from = (first as { cursor: AccountSearchCursor }).cursor;

    // Act
    const result = await searchAccountByEmail(client, 'MEMBER-99@members.example.com', {
      pageBudget: 3,
      from,
    });

    // Assess
    expect(result).toMatchObject({ state: 'FOUND', account: { Email: 'member-99@members.example.com' } });
    expect(listAccountsCalls(sandbox)).toBe(5);
  });

  it('answers ABSENT only after the page without NextToken, with the pages read', async () => {
    // Prepare
    const { client } = organization(99);

    // Act
    const result = await searchAccountByEmail(client, 'nobody@example.com', { pageBudget: 10 });

    // Assess
    expect(result).toEqual({ state: 'ABSENT', pagesRead: 5 });
  });

  it('refuses a page budget that is not a whole number of at least 1', async () => {
    // Prepare
    const { sandbox, client } = organization(0);

    // Act
    const attempt = searchAccountByEmail(client, 'nobody@example.com', { pageBudget: 0 });

    // Assess
    await expect(attempt).rejects.toThrow('pageBudget must be a whole number of at least 1, not 0');
    expect(sandbox.calls).toHaveLength(0);
  });
});

describe('Function: startAccountCreation', () => {
  const params = { name: 'orders-prod', email: 'aws+orders-prod@example.com', roleName: 'Role' };

  it('answers SEARCHING within its page budget and sends nothing', async () => {
    // Prepare
    const { sandbox, client } = organization(99);

    // Act
    const progress = await startAccountCreation(client, { ...params, pageBudget: 2 });

    // Assess
    expect(progress).toEqual({ state: 'SEARCHING', search: { nextToken: expect.any(String), pagesRead: 2 } });
    expect(sandbox.calls.filter((c) => c.mutating)).toHaveLength(0);
  });

  it('sends CreateAccount from the call that reads the last page, once', async () => {
    // Prepare
    const { sandbox, client } = organization(99);
    const first = await startAccountCreation(client, { ...params, pageBudget: 3 });

    // Act
    const second = await startAccountCreation(client, { ...params, pageBudget: 3, search: first.search! });

    // Assess
    expect(first.state).toBe('SEARCHING');
    expect(second.state).toBe('IN_PROGRESS');
    expect(sandbox.calls.filter((c) => c.operation === 'CreateAccount')).toHaveLength(1);
    expect(listAccountsCalls(sandbox)).toBe(5);
  });

  it('answers IN_PROGRESS, before reading any page, when a request under the name is in progress at the start', async () => {
    // Prepare: an earlier attempt's request, its answer lost
    const { sandbox, client } = organization(99);
    const { CreateAccountStatus } = await client.send(
      new CreateAccountCommand({ AccountName: params.name, Email: params.email }),
    );

    // Act
    const progress = await startAccountCreation(client, { ...params, pageBudget: 2 });

    // Assess
    expect(progress).toEqual({ state: 'IN_PROGRESS', requestId: CreateAccountStatus!.Id });
    expect(listAccountsCalls(sandbox)).toBe(0);
    expect(sandbox.calls.filter((c) => c.operation === 'CreateAccount')).toHaveLength(1);
  });
});

describe("Function: startAccountCreation, looking in the application's places only", () => {
  const params = { name: 'orders-prod', email: 'aws+orders-prod@example.com', roleName: 'Role' };

  /** An OU with one account in it (member-1), in an organization of 1 + 99 accounts. */
  async function withApplicationOu() {
    const world = organization(99);
    const { OrganizationalUnit } = await world.client.send(
      new CreateOrganizationalUnitCommand({ ParentId: world.sandbox.organization().RootId, Name: 'orders' }),
    );
    const member = world.sandbox.accounts().find((a) => a.email === 'member-1@members.example.com')!;
    await world.client.send(
      new MoveAccountCommand({
        AccountId: member.id,
        SourceParentId: world.sandbox.organization().RootId,
        DestinationParentId: OrganizationalUnit!.Id!,
      }),
    );
    return { ...world, ouId: OrganizationalUnit!.Id!, member };
  }

  it('sends CreateAccount for an address not in the OU without reading the organization', async () => {
    // Prepare
    const { sandbox, client, ouId } = await withApplicationOu();
    const before = sandbox.calls.length;

    // Act
    const progress = await startAccountCreation(client, { ...params, lookIn: { ouId } });

    // Assess
    expect(progress.state).toBe('IN_PROGRESS');
    const calls = sandbox.calls.slice(before).map((c) => c.operation);
    expect(calls).not.toContain('ListAccounts');
    expect(calls.filter((c) => c === 'ListAccountsForParent')).toHaveLength(1);
  });

  it('finds the account in the OU by its address, whatever its case, and sends nothing', async () => {
    // Prepare
    const { sandbox, client, ouId, member } = await withApplicationOu();

    // Act
    const progress = await startAccountCreation(client, {
      ...params,
      email: 'MEMBER-1@members.example.com',
      lookIn: { ouId },
    });

    // Assess
    expect(progress).toEqual({ state: 'SUCCEEDED', accountId: member.id });
    expect(sandbox.calls.filter((c) => c.operation === 'CreateAccount')).toHaveLength(0);
  });

  it('finds the recorded account outside the OU by its id, and not when its address is another', async () => {
    // Prepare: member-50 is at the root, out of the OU
    const { sandbox, client, ouId } = await withApplicationOu();
    const outside = sandbox.accounts().find((a) => a.email === 'member-50@members.example.com')!;

    // Act
    const found = await startAccountCreation(client, {
      ...params,
      email: 'member-50@members.example.com',
      lookIn: { ouId, accountId: outside.id },
    });
    const notIt = await startAccountCreation(client, { ...params, lookIn: { ouId, accountId: outside.id } });

    // Assess: a record naming an account of another address proves nothing; a request is sent
    expect(found).toEqual({ state: 'SUCCEEDED', accountId: outside.id });
    expect(notIt.state).toBe('IN_PROGRESS');
    expect(sandbox.calls.filter((c) => c.operation === 'ListAccounts')).toHaveLength(0);
  });

  it("fails with AWS's reason and sends no second request when the taken address is in no account of the organization", async () => {
    // Prepare
    const { sandbox, client } = organization(99);

    // Act
    const attempt = startAccountCreation(client, { ...params, lookIn: 'organization', emailTaken: true });

    // Assess
    await expect(attempt).rejects.toThrow(
      /CreateAccount for aws\+orders-prod@example.com failed \(EMAIL_ALREADY_EXISTS\): .*no account of this organization has it/,
    );
    await expect(attempt).rejects.toBeInstanceOf(AccountCreationFailedError);
    expect(listAccountsCalls(sandbox)).toBe(5);
    expect(sandbox.calls.filter((c) => c.operation === 'CreateAccount')).toHaveLength(0);
  });
});

describe('Function: startAccountCreation, when AWS refuses the NextToken carried from an earlier call', () => {
  const params = { name: 'orders-prod', email: 'member-99@members.example.com', roleName: 'Role' };
  const stale: AccountSearchCursor = { nextToken: 'bm90LWEtdG9rZW4=', pagesRead: 3 };

  it('starts the search over in the next call, with a new look at the requests in progress', async () => {
    // Prepare
    const { sandbox, client } = organization(99);

    // Act
    const refused = await startAccountCreation(client, { ...params, pageBudget: 2, search: stale });
    const anew = await startAccountCreation(client, { ...params, pageBudget: 10, search: refused.search! });

    // Assess
    expect(refused).toEqual({ state: 'SEARCHING', search: { pagesRead: 0, restarts: 1 } });
    expect(anew.state).toBe('SUCCEEDED');
    expect(sandbox.calls.map((c) => `${c.operation}${c.error ? ` ${c.error}` : ''}`)).toEqual([
      'ListAccounts InvalidInputException',
      'ListCreateAccountStatus',
      ...Array.from({ length: 5 }, () => 'ListAccounts'),
    ]);
  });

  it(`fails with AWS's refusal once the search has started over ${MAX_SEARCH_RESTARTS} times`, async () => {
    // Prepare
    const { sandbox, client } = organization(99);

    // Act
    const attempt = startAccountCreation(client, {
      ...params,
      pageBudget: 2,
      search: { ...stale, restarts: MAX_SEARCH_RESTARTS },
    });

    // Assess
    await expect(attempt).rejects.toMatchObject({
      name: 'InvalidInputException',
      Reason: 'INVALID_NEXT_TOKEN',
    });
    expect(sandbox.calls.filter((c) => c.mutating)).toHaveLength(0);
  });
});

describe('Function: startAccount', () => {
  const account = { stage: 'prod', name: 'orders-prod', email: 'aws+orders-prod@example.com' };

  it('goes on with a search that spans calls between two QUEUED answers, and ends QUEUED with no timer (the account waits in the line)', async () => {
    // Prepare: the organization full (5 foreign requests in flight), 1 + 99 accounts
    const { sandbox, client } = organization(99);
    configureAws({
      region: 'us-east-1',
      plugins: [sandbox.plugin()],
      credentials: sandbox.managementCredentials,
      maxAttempts: 1,
    });
    for (let i = 0; i < 5; i++) {
      await client.send(
        new CreateAccountCommand({ AccountName: `other-${i}`, Email: `other-${i}@example.com` }),
      );
    }
    const queued: AccountCreation = {
      account,
      state: 'QUEUED',
      poll: { attempt: 2, waitedSeconds: 40, waitSeconds: 20 },
    };
    const params = { account, application: 'orders', roleName: 'Role', pageBudget: 2 };
    // Slots free up for one look (a fresh search), then are taken again before the search ends.
    const searching = await startAccount(awsClients(), { ...params, previous: queued, concurrency: 6 });

    // Act
    const again = await startAccount(awsClients(), { ...params, previous: searching, concurrency: 5 });

    // Assess
    // A search to go on is handed on at once (the check passes it through): no wait on a clock.
    expect(searching).toMatchObject({ state: 'SEARCHING', poll: { waitSeconds: 0 } });
    expect(again.state).toBe('SEARCHING');
    const last = await startAccount(awsClients(), {
      ...params,
      pageBudget: 10,
      previous: again,
      concurrency: 5,
    });
    expect(last.state).toBe('QUEUED');
    expect(last.poll?.waitSeconds ?? 0).toBe(0);
  });
});
