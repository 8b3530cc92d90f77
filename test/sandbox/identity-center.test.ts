import {
  AccountClient,
  DeleteAlternateContactCommand,
  GetAlternateContactCommand,
  PutAlternateContactCommand,
} from '@aws-sdk/client-account';
import { GetGroupIdCommand, IdentitystoreClient, ListGroupsCommand } from '@aws-sdk/client-identitystore';
import {
  CreateAccountAssignmentCommand,
  DeleteAccountAssignmentCommand,
  DescribeAccountAssignmentCreationStatusCommand,
  DescribeAccountAssignmentDeletionStatusCommand,
  DescribePermissionSetCommand,
  ListAccountAssignmentsCommand,
  ListInstancesCommand,
  ListPermissionSetsCommand,
  SSOAdminClient,
} from '@aws-sdk/client-sso-admin';
import { DEFAULT_LATENCY } from '../../shared/sandbox';
import { REGION, assume, failure, vendAccounts, world, type World } from './support';

type Credentials = { accessKeyId: string; secretAccessKey: string; sessionToken?: string };

function clients(w: World, credentials: Credentials = w.sandbox.managementCredentials) {
  const config = { region: REGION, credentials, maxAttempts: 1 };
  const made = {
    sso: new SSOAdminClient(config),
    store: new IdentitystoreClient(config),
    account: new AccountClient(config),
  };
  for (const client of Object.values(made)) client.middlewareStack.use(w.sandbox.plugin());
  return made;
}

const contact = {
  Name: 'Sec',
  Title: 'Security',
  EmailAddress: 'sec@example.com',
  PhoneNumber: '+1 555 0100',
};

describe('Sandbox: IAM Identity Center', () => {
  let w: World;
  let member: string;

  beforeEach(async () => {
    w = world();
    member = (await vendAccounts(w, 1))[0]!;
    w.sandbox.setUpIdentityCenter({ groups: ['orders-developers'], permissionSets: ['AppvendDeveloper'] });
  });

  async function resolved() {
    const { sso, store } = clients(w);
    const { Instances } = await sso.send(new ListInstancesCommand({}));
    const instance = Instances![0]!;
    const { PermissionSets } = await sso.send(
      new ListPermissionSetsCommand({ InstanceArn: instance.InstanceArn }),
    );
    const { GroupId } = await store.send(
      new GetGroupIdCommand({
        IdentityStoreId: instance.IdentityStoreId,
        AlternateIdentifier: {
          UniqueAttribute: { AttributePath: 'displayName', AttributeValue: 'orders-developers' },
        },
      }),
    );
    return {
      sso,
      store,
      instanceArn: instance.InstanceArn!,
      storeId: instance.IdentityStoreId!,
      ps: PermissionSets![0]!,
      groupId: GroupId!,
    };
  }

  it('shows the instance to the management account only, and finds groups and permission sets by name', async () => {
    // Act
    const { sso, store, instanceArn, storeId, ps, groupId } = await resolved();
    const { PermissionSet } = await sso.send(
      new DescribePermissionSetCommand({ InstanceArn: instanceArn, PermissionSetArn: ps }),
    );
    const { Groups } = await store.send(
      new ListGroupsCommand({
        IdentityStoreId: storeId,
        Filters: [{ AttributePath: 'DisplayName', AttributeValue: 'orders-developers' }],
      }),
    );
    const fromMember = clients(w, await assume(w, member));
    const seenByMember = await fromMember.sso.send(new ListInstancesCommand({}));

    // Assess
    expect(PermissionSet?.Name).toBe('AppvendDeveloper');
    expect(Groups?.map((g) => g.GroupId)).toEqual([groupId]);
    expect(seenByMember.Instances).toEqual([]);
  });

  it('refuses a group that does not exist with ResourceNotFoundException', async () => {
    // Arrange
    const { store, storeId } = await resolved();

    // Act
    const error = await failure(
      store.send(
        new GetGroupIdCommand({
          IdentityStoreId: storeId,
          AlternateIdentifier: {
            UniqueAttribute: { AttributePath: 'displayName', AttributeValue: 'nobody' },
          },
        }),
      ),
    );

    // Assess
    expect(error.name).toBe('ResourceNotFoundException');
  });

  it('creates an assignment asynchronously: IN_PROGRESS, then SUCCEEDED with the permission set provisioned', async () => {
    // Arrange
    const { sso, instanceArn, ps, groupId } = await resolved();
    const assignment = {
      InstanceArn: instanceArn,
      TargetId: member,
      TargetType: 'AWS_ACCOUNT' as const,
      PermissionSetArn: ps,
      PrincipalType: 'GROUP' as const,
      PrincipalId: groupId,
    };

    // Act
    const { AccountAssignmentCreationStatus: started } = await sso.send(
      new CreateAccountAssignmentCommand(assignment),
    );
    const listedAtOnce = await sso.send(
      new ListAccountAssignmentsCommand({
        InstanceArn: instanceArn,
        AccountId: member,
        PermissionSetArn: ps,
      }),
    );
    w.clock.advance(DEFAULT_LATENCY.accountAssignment);
    const { AccountAssignmentCreationStatus: ended } = await sso.send(
      new DescribeAccountAssignmentCreationStatusCommand({
        InstanceArn: instanceArn,
        AccountAssignmentCreationRequestId: started!.RequestId,
      }),
    );
    const listed = await sso.send(
      new ListAccountAssignmentsCommand({
        InstanceArn: instanceArn,
        AccountId: member,
        PermissionSetArn: ps,
      }),
    );

    // Assess
    expect(started?.Status).toBe('IN_PROGRESS');
    expect(listedAtOnce.AccountAssignments).toEqual([]);
    expect(ended?.Status).toBe('SUCCEEDED');
    expect(listed.AccountAssignments).toEqual([
      { AccountId: member, PermissionSetArn: ps, PrincipalType: 'GROUP', PrincipalId: groupId },
    ]);
    expect(w.sandbox.accountAssignments()).toEqual([
      { accountId: member, group: 'orders-developers', permissionSet: 'AppvendDeveloper', provisioned: true },
    ]);
  });

  it('ends an assignment to an account outside the organization FAILED, with a reason', async () => {
    // Arrange
    const { sso, instanceArn, ps, groupId } = await resolved();

    // Act
    const { AccountAssignmentCreationStatus: started } = await sso.send(
      new CreateAccountAssignmentCommand({
        InstanceArn: instanceArn,
        TargetId: '999999999999',
        TargetType: 'AWS_ACCOUNT',
        PermissionSetArn: ps,
        PrincipalType: 'GROUP',
        PrincipalId: groupId,
      }),
    );
    w.clock.advance(DEFAULT_LATENCY.accountAssignment);
    const { AccountAssignmentCreationStatus: ended } = await sso.send(
      new DescribeAccountAssignmentCreationStatusCommand({
        InstanceArn: instanceArn,
        AccountAssignmentCreationRequestId: started!.RequestId,
      }),
    );

    // Assess
    expect(ended).toMatchObject({ Status: 'FAILED', FailureReason: expect.stringContaining('999999999999') });
  });

  it('refuses an unknown permission set and a malformed request id, and deletes asynchronously', async () => {
    // Arrange
    const { sso, instanceArn, ps, groupId } = await resolved();
    const assignment = {
      InstanceArn: instanceArn,
      TargetId: member,
      TargetType: 'AWS_ACCOUNT' as const,
      PermissionSetArn: ps,
      PrincipalType: 'GROUP' as const,
      PrincipalId: groupId,
    };
    await sso.send(new CreateAccountAssignmentCommand(assignment));
    w.clock.advance(DEFAULT_LATENCY.accountAssignment);

    // Act
    const unknown = await failure(
      sso.send(
        new CreateAccountAssignmentCommand({ ...assignment, PermissionSetArn: `${ps.slice(0, -1)}f` }),
      ),
    );
    const malformed = await failure(
      sso.send(
        new DescribeAccountAssignmentCreationStatusCommand({
          InstanceArn: instanceArn,
          AccountAssignmentCreationRequestId: 'nope',
        }),
      ),
    );
    const { AccountAssignmentDeletionStatus: deleting } = await sso.send(
      new DeleteAccountAssignmentCommand(assignment),
    );
    w.clock.advance(DEFAULT_LATENCY.accountAssignment);
    const { AccountAssignmentDeletionStatus: deleted } = await sso.send(
      new DescribeAccountAssignmentDeletionStatusCommand({
        InstanceArn: instanceArn,
        AccountAssignmentDeletionRequestId: deleting!.RequestId,
      }),
    );

    // Assess
    expect(unknown.name).toBe('ResourceNotFoundException');
    expect(malformed.name).toBe('ValidationException');
    expect(deleting?.Status).toBe('IN_PROGRESS');
    expect(deleted?.Status).toBe('SUCCEEDED');
    expect(w.sandbox.accountAssignments()).toEqual([]);
  });

  it('refuses the instance to a member account’s role (AccessDeniedException)', async () => {
    // Arrange
    const { instanceArn } = await resolved();
    const fromMember = clients(w, await assume(w, member));

    // Act
    const error = await failure(
      fromMember.sso.send(new ListPermissionSetsCommand({ InstanceArn: instanceArn })),
    );

    // Assess
    expect(error.name).toBe('AccessDeniedException');
  });
});

describe('Sandbox: alternate contacts', () => {
  let w: World;
  let member: string;

  beforeEach(async () => {
    w = world();
    member = (await vendAccounts(w, 1))[0]!;
  });

  it('refuses AccountId until trusted access for Account Management is enabled, then puts, reads and deletes', async () => {
    // Arrange
    const { account } = clients(w);
    const put = new PutAlternateContactCommand({
      ...contact,
      AccountId: member,
      AlternateContactType: 'SECURITY',
    });

    // Act
    const beforeTrust = await failure(account.send(put));
    w.sandbox.enableTrustedAccess('account.amazonaws.com');
    await account.send(put);
    const { AlternateContact } = await account.send(
      new GetAlternateContactCommand({ AccountId: member, AlternateContactType: 'SECURITY' }),
    );
    await account.send(
      new DeleteAlternateContactCommand({ AccountId: member, AlternateContactType: 'SECURITY' }),
    );
    const gone = await failure(
      account.send(new GetAlternateContactCommand({ AccountId: member, AlternateContactType: 'SECURITY' })),
    );

    // Assess
    expect(beforeTrust.name).toBe('AccessDeniedException');
    expect(AlternateContact).toEqual({ ...contact, AlternateContactType: 'SECURITY' });
    expect(gone.name).toBe('ResourceNotFoundException');
  });

  it('refuses the management account naming itself, a member naming another account, and a bad phone number', async () => {
    // Arrange
    w.sandbox.enableTrustedAccess('account.amazonaws.com');
    const { account } = clients(w);
    const fromMember = clients(w, await assume(w, member));

    // Act
    const itself = await failure(
      account.send(
        new PutAlternateContactCommand({
          ...contact,
          AccountId: '111111111111',
          AlternateContactType: 'BILLING',
        }),
      ),
    );
    const other = await failure(
      fromMember.account.send(
        new PutAlternateContactCommand({
          ...contact,
          AccountId: '111111111111',
          AlternateContactType: 'BILLING',
        }),
      ),
    );
    const phone = await failure(
      account.send(
        new PutAlternateContactCommand({
          ...contact,
          PhoneNumber: 'call me',
          AccountId: member,
          AlternateContactType: 'BILLING',
        }),
      ),
    );

    // Assess
    expect(itself.name).toBe('AccessDeniedException');
    expect(other.name).toBe('AccessDeniedException');
    expect(phone.name).toBe('ValidationException');
    expect(w.sandbox.alternateContacts(member)).toEqual({});
  });
});
