import {
  AccountNotFoundException,
  CreateAccountCommand,
  ConstraintViolationException,
  CreateAccountStatusNotFoundException,
  CreateOrganizationalUnitCommand,
  DescribeCreateAccountStatusCommand,
  DestinationParentNotFoundException,
  DuplicateAccountException,
  ListAccountsForParentCommand,
  ListCreateAccountStatusCommand,
  ListPoliciesForTargetCommand,
  ListTagsForResourceCommand,
  MoveAccountCommand,
  SourceParentNotFoundException,
} from '@aws-sdk/client-organizations';
import { DEFAULT_LATENCY } from '../../shared/sandbox';
import { MINUTE, failure, vendAccounts, world, type World } from './support';

const ROOT = 'r-sbx1';

async function requestAccount(
  w: World,
  email: string,
  extra: Partial<ConstructorParameters<typeof CreateAccountCommand>[0]> = {},
) {
  const { CreateAccountStatus } = await w.organizations.send(
    new CreateAccountCommand({ Email: email, AccountName: email.split('@')[0], ...extra }),
  );
  return CreateAccountStatus!;
}

async function statusOf(w: World, id: string | undefined) {
  const { CreateAccountStatus } = await w.organizations.send(
    new DescribeCreateAccountStatusCommand({ CreateAccountRequestId: id }),
  );
  return CreateAccountStatus!;
}

describe('Class: Sandbox', () => {
  describe('Organizations: CreateAccount', () => {
    it('answers IN_PROGRESS with a car- request id and no account yet', async () => {
      // Prepare
      const w = world();

      // Act
      const status = await requestAccount(w, 'shop-tooling@example.com');

      // Assess
      expect(status.Id).toMatch(/^car-[0-9a-f]{32}$/);
      expect(status.State).toBe('IN_PROGRESS');
      expect(status.AccountId).toBeUndefined();
      expect(w.sandbox.accounts()).toHaveLength(1);
    });

    it('is still IN_PROGRESS a moment before the creation latency has passed', async () => {
      // Prepare
      const w = world();
      const { Id } = await requestAccount(w, 'shop-tooling@example.com');

      // Act
      w.clock.advance(DEFAULT_LATENCY.createAccount - 1);
      const status = await statusOf(w, Id);

      // Assess
      expect(status.State).toBe('IN_PROGRESS');
    });

    it('succeeds once the clock passes the creation latency, with the account under the root', async () => {
      // Prepare
      const w = world();
      const { Id } = await requestAccount(w, 'shop-tooling@example.com', {
        Tags: [{ Key: 'app', Value: 'shop' }],
      });

      // Act
      w.clock.advance(DEFAULT_LATENCY.createAccount);
      const status = await statusOf(w, Id);

      // Assess
      expect(status).toMatchObject({ State: 'SUCCEEDED', AccountId: '200000000001' });
      expect(status.CompletedTimestamp?.getTime()).toBe(w.clock.now());
      const { Accounts } = await w.organizations.send(new ListAccountsForParentCommand({ ParentId: ROOT }));
      expect(Accounts?.map((a) => a.Id)).toContain('200000000001');
      const { Tags } = await w.organizations.send(
        new ListTagsForResourceCommand({ ResourceId: '200000000001' }),
      );
      expect(Tags).toEqual([{ Key: 'app', Value: 'shop' }]);
    });

    it('gives a new account FullAWSAccess and its access role', async () => {
      // Prepare
      const w = world();
      const [account] = await vendAccounts(w, 1);

      // Act
      const { Policies } = await w.organizations.send(
        new ListPoliciesForTargetCommand({ TargetId: account, Filter: 'SERVICE_CONTROL_POLICY' }),
      );

      // Assess
      expect(Policies?.map((p) => p.Name)).toEqual(['FullAWSAccess']);
      expect(w.sandbox.accounts().find((a) => a.id === account)?.roles).toEqual([
        'OrganizationAccountAccessRole',
      ]);
    });

    it('fails a request with EMAIL_ALREADY_EXISTS when an account has the address', async () => {
      // Prepare
      const w = world();
      await vendAccounts(w, 1);
      const { Id } = await requestAccount(w, 'APP-1@example.com');

      // Act
      w.clock.advance(DEFAULT_LATENCY.createAccountFailure);
      const status = await statusOf(w, Id);

      // Assess
      expect(status).toMatchObject({ State: 'FAILED', FailureReason: 'EMAIL_ALREADY_EXISTS' });
    });

    it('fails a request with CONCURRENT_ACCOUNT_MODIFICATION when one for the same address is in progress', async () => {
      // Prepare
      const w = world();
      await requestAccount(w, 'shop@example.com');
      const { Id } = await requestAccount(w, 'shop@example.com');

      // Act
      w.clock.advance(DEFAULT_LATENCY.createAccount);
      const status = await statusOf(w, Id);

      // Assess
      expect(status).toMatchObject({ State: 'FAILED', FailureReason: 'CONCURRENT_ACCOUNT_MODIFICATION' });
    });

    it('refuses a sixth request while five are in progress with ACCOUNT_CREATION_RATE_LIMIT_EXCEEDED', async () => {
      // Prepare
      const w = world();
      for (let i = 0; i < 5; i += 1) await requestAccount(w, `a${i}@example.com`);

      // Act
      const error = await failure(requestAccount(w, 'a5@example.com'));

      // Assess: AWS's answer (SDK model, ConstraintViolationException), not a throttling error
      expect(error).toBeInstanceOf(ConstraintViolationException);
      expect((error as unknown as ConstraintViolationException).Reason).toBe(
        'ACCOUNT_CREATION_RATE_LIMIT_EXCEEDED',
      );
      expect(error.$retryable).toBeUndefined();
    });

    it('accepts requests again once those in progress complete', async () => {
      // Prepare
      const w = world({ createAccountQuota: 1 });
      await requestAccount(w, 'a0@example.com');
      w.clock.advance(3 * MINUTE);

      // Act
      const status = await requestAccount(w, 'a1@example.com');

      // Assess
      expect(status.State).toBe('IN_PROGRESS');
    });

    it('answers CreateAccountStatusNotFoundException for an unknown request id', async () => {
      // Prepare
      const w = world();

      // Act
      const error = await failure(statusOf(w, `car-${'0'.repeat(31)}9`));

      // Assess
      expect(error).toBeInstanceOf(CreateAccountStatusNotFoundException);
    });

    it('lists requests filtered by state', async () => {
      // Prepare
      const w = world();
      await vendAccounts(w, 1);
      await requestAccount(w, 'second@example.com');

      // Act
      const { CreateAccountStatuses } = await w.organizations.send(
        new ListCreateAccountStatusCommand({ States: ['IN_PROGRESS'] }),
      );

      // Assess
      expect(CreateAccountStatuses?.map((s) => s.AccountName)).toEqual(['second']);
    });
  });

  describe('Organizations: MoveAccount', () => {
    async function setUp() {
      const w = world();
      const [account] = await vendAccounts(w, 1);
      const { OrganizationalUnit } = await w.organizations.send(
        new CreateOrganizationalUnitCommand({ ParentId: ROOT, Name: 'shop' }),
      );
      return { w, account: account!, ou: OrganizationalUnit!.Id! };
    }

    it('moves an account from the root into an OU', async () => {
      // Prepare
      const { w, account, ou } = await setUp();

      // Act
      await w.organizations.send(
        new MoveAccountCommand({ AccountId: account, SourceParentId: ROOT, DestinationParentId: ou }),
      );

      // Assess
      expect(w.sandbox.accounts().find((a) => a.id === account)?.parentId).toBe(ou);
    });

    it('answers DuplicateAccountException when the account is already in the destination', async () => {
      // Prepare
      const { w, account, ou } = await setUp();
      await w.organizations.send(
        new MoveAccountCommand({ AccountId: account, SourceParentId: ROOT, DestinationParentId: ou }),
      );

      // Act
      const error = await failure(
        w.organizations.send(
          new MoveAccountCommand({ AccountId: account, SourceParentId: ROOT, DestinationParentId: ou }),
        ),
      );

      // Assess
      expect(error).toBeInstanceOf(DuplicateAccountException);
    });

    it('answers SourceParentNotFoundException when the source is not the current parent', async () => {
      // Prepare
      const { w, account, ou } = await setUp();
      const { OrganizationalUnit: other } = await w.organizations.send(
        new CreateOrganizationalUnitCommand({ ParentId: ROOT, Name: 'other' }),
      );

      // Act
      const error = await failure(
        w.organizations.send(
          new MoveAccountCommand({ AccountId: account, SourceParentId: other?.Id, DestinationParentId: ou }),
        ),
      );

      // Assess
      expect(error).toBeInstanceOf(SourceParentNotFoundException);
    });

    it('answers DestinationParentNotFoundException for a destination that does not exist', async () => {
      // Prepare
      const { w, account } = await setUp();

      // Act
      const error = await failure(
        w.organizations.send(
          new MoveAccountCommand({
            AccountId: account,
            SourceParentId: ROOT,
            DestinationParentId: 'ou-sbx1-zzzzzzzz',
          }),
        ),
      );

      // Assess
      expect(error).toBeInstanceOf(DestinationParentNotFoundException);
    });

    it('answers AccountNotFoundException for an account outside the organization', async () => {
      // Prepare
      const { w, ou } = await setUp();

      // Act
      const error = await failure(
        w.organizations.send(
          new MoveAccountCommand({
            AccountId: '999999999999',
            SourceParentId: ROOT,
            DestinationParentId: ou,
          }),
        ),
      );

      // Assess
      expect(error).toBeInstanceOf(AccountNotFoundException);
    });
  });
});
