import { CreateAccountCommand, OrganizationsClient } from '@aws-sdk/client-organizations';
import { awsClients } from '../../shared/aws/client-factory';
import { CREATE_ACCOUNT_RETRIES } from '../../shared/domain/account-creation';
import { AccountCreationFailedError } from '../../shared/errors';
import { DEFAULT_LATENCY } from '../../shared/sandbox';
import { checkAccount, startAccount } from '../../shared/workflow/steps/account';
import type { AccountCreation } from '../../shared/workflow/types';
import { sandboxWorld, type SandboxWorld } from '../support/workflow';

const account = { stage: 'prod', name: 'appvend-orders-prod', email: 'aws+orders-prod@example.com' };

/** A request for the same address under another name, made outside appvend and still in progress. */
async function foreignRequest(world: SandboxWorld): Promise<void> {
  const client = new OrganizationsClient({ ...world.sandbox.clientConfig(), maxAttempts: 1 });
  client.middlewareStack.use(world.sandbox.plugin());
  await client.send(new CreateAccountCommand({ AccountName: 'someone-else', Email: account.email }));
}

async function failedCreation(world: SandboxWorld): Promise<AccountCreation> {
  await foreignRequest(world);
  const started = await startAccount(awsClients(), {
    account,
    roleName: 'OrganizationAccountAccessRole',
    application: 'orders',
  });
  world.clock.advance(DEFAULT_LATENCY.createAccountFailure);
  return started;
}

describe('Step: CheckAccountCreation after a FAILED request that may pass', () => {
  it('answers QUEUED, counting the retry, so the queue loop sends a new request', async () => {
    // Prepare: AWS fails appvend's request with CONCURRENT_ACCOUNT_MODIFICATION
    const world = sandboxWorld();
    const started = await failedCreation(world);

    // Act
    const checked = await checkAccount(awsClients(), started);

    // Assess
    expect(world.sandbox.createAccountRequests().map((r) => r.failureReason ?? r.state)).toEqual([
      'IN_PROGRESS',
      'CONCURRENT_ACCOUNT_MODIFICATION',
    ]);
    expect(checked).toMatchObject({ state: 'QUEUED', retries: 1 });
    expect(checked.requestId).toBeUndefined();
  });

  it('sends a new CreateAccount on the next start, which carries the count on', async () => {
    // Prepare
    const world = sandboxWorld();
    const checked = await checkAccount(awsClients(), await failedCreation(world));

    // Act
    const again = await startAccount(awsClients(), {
      account,
      roleName: 'OrganizationAccountAccessRole',
      application: 'orders',
      queued: true,
      previous: checked,
    });

    // Assess
    expect(again).toMatchObject({ state: 'IN_PROGRESS', retries: 1 });
    const requests = world.sandbox.createAccountRequests();
    expect(requests).toHaveLength(3);
    expect(again.requestId).toBe(requests[2]!.id);
  });

  it("stops after CREATE_ACCOUNT_RETRIES new requests with AWS's reason explained", async () => {
    // Prepare
    const world = sandboxWorld();
    const started = await failedCreation(world);

    // Act
    const error = await checkAccount(awsClients(), { ...started, retries: CREATE_ACCOUNT_RETRIES }).catch(
      (e: unknown) => e,
    );

    // Assess
    expect(error).toBeInstanceOf(AccountCreationFailedError);
    expect((error as Error).message).toContain('CONCURRENT_ACCOUNT_MODIFICATION');
  });
});
