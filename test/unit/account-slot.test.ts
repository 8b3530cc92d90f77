import { OrganizationsClient } from '@aws-sdk/client-organizations';
import { VirtualClock } from '../../shared/clock/clock';
import { awsClients, configureAws } from '../../shared/aws/client-factory';
import { Ledger } from '../../shared/ledger/ledger';
import { MemoryLedgerStore } from '../../shared/ledger/memory-store';
import { Sandbox } from '../../shared/sandbox';
import { startAccount } from '../../shared/workflow/steps/account';
import type { AccountQueueDeps } from '../../shared/workflow/steps/account-queue';
import { localTaskTokens } from '../../cli/local-task-tokens';

/** A sandbox organization, the AWS clients pointed at it, and a line in a ledger of its own. */
function world(): { sandbox: Sandbox; ledger: Ledger; line: () => AccountQueueDeps } {
  const clock = new VirtualClock();
  const sandbox = new Sandbox({ clock });
  configureAws({
    region: 'us-east-1',
    plugins: [sandbox.plugin()],
    credentials: sandbox.managementCredentials,
    maxAttempts: 1,
    now: () => clock.now(),
  });
  const client = new OrganizationsClient({ ...sandbox.clientConfig(), maxAttempts: 1 });
  client.middlewareStack.use(sandbox.plugin());
  const store = new MemoryLedgerStore();
  // One ledger per call, as one per Lambda: the calls race on the line's conditional write.
  const line = (): AccountQueueDeps => ({
    ledger: new Ledger(store, () => new Date(clock.now())),
    organizations: client,
    tokens: localTaskTokens,
    now: () => clock.now(),
  });
  return { sandbox, ledger: new Ledger(store), line };
}

const creates = (sandbox: Sandbox) => sandbox.calls.filter((c) => c.operation === 'CreateAccount');

describe('Function: startAccount takes a CreateAccount slot in the line first', () => {
  it('sends one CreateAccount for an account started twice at once, and holds one slot with its request id', async () => {
    // Arrange
    const { sandbox, ledger, line } = world();
    const account = { stage: 'prod', name: 'orders-prod', email: 'aws+orders-prod@example.com' };
    const params = { account, application: 'orders', roleName: 'Role' };

    // Act: the same start twice at once (a retry while the first is still running), then again.
    const [first, second] = await Promise.all([
      startAccount(awsClients(), { ...params, line: line() }),
      startAccount(awsClients(), { ...params, line: line() }),
    ]);
    const third = await startAccount(awsClients(), { ...params, line: line() });

    // Assess: AWS's own record of calls; the line's item
    expect(creates(sandbox)).toHaveLength(1);
    const requestId = sandbox.createAccountRequests()[0]!.id;
    // The call that found the slot taken and not yet used waits in line (QUEUED); the next finds
    // the request by name.
    expect([first.state, second.state].sort()).toEqual(['IN_PROGRESS', 'QUEUED']);
    expect(third.state).toBe('IN_PROGRESS');
    expect(third.requestId).toBe(requestId);
    const queue = await ledger.accountQueue();
    expect(queue.slots?.map((s) => [s.email, s.requestId])).toEqual([[account.email, requestId]]);
  });

  it('queues, without calling CreateAccount, every account past the free slots when all start at once', async () => {
    // Arrange: eight accounts of eight applications, five slots.
    const { sandbox, ledger, line } = world();
    const starts = Array.from({ length: 8 }, (_, i) => ({
      account: { stage: 'prod', name: `app${i}-prod`, email: `aws+app${i}-prod@example.com` },
      application: `app${i}`,
      roleName: 'Role',
    }));

    // Act
    const answers = await Promise.all(starts.map((p) => startAccount(awsClients(), { ...p, line: line() })));

    // Assess: five sent, three queued, none refused by AWS
    expect(answers.filter((a) => a.state === 'IN_PROGRESS')).toHaveLength(5);
    expect(answers.filter((a) => a.state === 'QUEUED')).toHaveLength(3);
    expect(creates(sandbox)).toHaveLength(5);
    expect(creates(sandbox).filter((c) => c.error !== undefined)).toEqual([]);
    expect((await ledger.accountQueue()).slots).toHaveLength(5);
  });

  it.each(['server-error', 'timeout'] as const)(
    'lets a later attempt of the same execution use the slot an attempt that got no answer (%s) left, and no other',
    async (error) => {
      // Arrange: CreateAccount fails with no answer from AWS (the SDK's own attempts included).
      const { sandbox, ledger, line } = world();
      const account = { stage: 'prod', name: 'orders-prod', email: 'aws+orders-prod@example.com' };
      const params = { account, application: 'orders', roleName: 'Role' };
      sandbox.faults.inject({ service: 'organizations', operation: 'CreateAccount', error });
      const execution = 'arn:aws:states:us-east-1:111111111111:execution:appvend:orders-1';
      await expect(startAccount(awsClients(), { ...params, execution, line: line() })).rejects.toThrow();
      const held = (await ledger.accountQueue()).slots ?? [];

      // Act: another execution's call for the account, then the failed execution's own retry.
      const other = await startAccount(awsClients(), {
        ...params,
        execution: `${execution}-other`,
        line: line(),
      });
      const retry = await startAccount(awsClients(), { ...params, execution, line: line() });

      // Assess: the no-answer attempt kept its slot with no request id; only the same execution's
      // retry sent CreateAccount, in that slot; the line holds one slot, with the request's id.
      expect(held.map((s) => [s.email, s.requestId])).toEqual([[account.email, undefined]]);
      expect(other.state).toBe('QUEUED');
      expect(retry.state).toBe('IN_PROGRESS');
      const sent = creates(sandbox).filter((c) => c.error === undefined);
      expect(sent).toHaveLength(1);
      const queue = await ledger.accountQueue();
      expect(queue.slots?.map((s) => [s.email, s.requestId])).toEqual([[account.email, retry.requestId]]);
    },
  );
});
