import {
  ActivateOrganizationsAccessCommand,
  CloudFormationClient,
  CreateStackInstancesCommand,
  CreateStackSetCommand,
  DeleteStackInstancesCommand,
  DescribeOrganizationsAccessCommand,
  DescribeStackSetCommand,
  DescribeStackSetOperationCommand,
  ListStackInstancesCommand,
  ListStackSetsCommand,
  StackSetNotFoundException,
  type CreateStackSetCommandInput,
  type DeploymentTargets,
} from '@aws-sdk/client-cloudformation';
import {
  AccessDeniedException,
  AccountAlreadyRegisteredException,
  AttachPolicyCommand,
  CreatePolicyCommand,
  ConstraintViolationException,
  CreateOrganizationalUnitCommand,
  EnableAWSServiceAccessCommand,
  ListAWSServiceAccessForOrganizationCommand,
  ListDelegatedAdministratorsCommand,
  MoveAccountCommand,
  RegisterDelegatedAdministratorCommand,
} from '@aws-sdk/client-organizations';
import { DEFAULT_LATENCY } from '../../shared/sandbox';
import { MINUTE, assume, failure, roleTemplate, vendAccounts, world, type World } from './support';

const PRINCIPAL = 'member.org.stacksets.cloudformation.amazonaws.com';
const NAME = 'appvend-shop-guardrails';

/** An organization of five member accounts: the platform account, three in an OU, one outside it. */
async function organization(w: World) {
  const [platform, a, b, c, outside] = await vendAccounts(w, 5);
  const root = w.sandbox.organization().RootId;
  const { OrganizationalUnit } = await w.organizations.send(
    new CreateOrganizationalUnitCommand({ ParentId: root, Name: 'shop' }),
  );
  const ou = OrganizationalUnit!.Id!;
  for (const account of [a!, b!, c!]) {
    await w.organizations.send(
      new MoveAccountCommand({ AccountId: account, SourceParentId: root, DestinationParentId: ou }),
    );
  }
  const management = w.sandbox.organization().MasterAccountId;
  return { platform: platform!, a: a!, b: b!, c: c!, outside: outside!, ou, root, management };
}

/** Trusted access on, the platform account the StackSets delegated administrator, its CloudFormation client. */
async function delegate(w: World, platform: string): Promise<CloudFormationClient> {
  await w.cloudformation.send(new ActivateOrganizationsAccessCommand({}));
  await w.organizations.send(
    new RegisterDelegatedAdministratorCommand({ AccountId: platform, ServicePrincipal: PRINCIPAL }),
  );
  return w.clientsFor(await assume(w, platform)).cloudformation;
}

const serviceManaged = (extra: Partial<CreateStackSetCommandInput> = {}) =>
  new CreateStackSetCommand({
    StackSetName: NAME,
    TemplateBody: roleTemplate(),
    Parameters: [{ ParameterKey: 'AppName', ParameterValue: 'shop' }],
    Capabilities: ['CAPABILITY_NAMED_IAM'],
    PermissionModel: 'SERVICE_MANAGED',
    AutoDeployment: { Enabled: false },
    CallAs: 'DELEGATED_ADMIN',
    ...extra,
  });

const createInstances = (client: CloudFormationClient, targets: DeploymentTargets) =>
  client.send(
    new CreateStackInstancesCommand({
      StackSetName: NAME,
      DeploymentTargets: targets,
      Regions: ['us-east-1'],
      CallAs: 'DELEGATED_ADMIN',
    }),
  );

const instanceAccounts = async (client: CloudFormationClient) => {
  const { Summaries = [] } = await client.send(
    new ListStackInstancesCommand({ StackSetName: NAME, CallAs: 'DELEGATED_ADMIN' }),
  );
  return Summaries.map((s) => s.Account).sort();
};

const settle = (w: World) => w.clock.advance(DEFAULT_LATENCY.stackSetOperationOverhead + 10 * MINUTE);

describe('Class: Sandbox', () => {
  describe('Organizations: trusted access and delegated administrators', () => {
    it('lists a service whose trusted access EnableAWSServiceAccess enabled', async () => {
      // Prepare
      const w = world();

      // Act
      await w.organizations.send(new EnableAWSServiceAccessCommand({ ServicePrincipal: PRINCIPAL }));
      const { EnabledServicePrincipals = [] } = await w.organizations.send(
        new ListAWSServiceAccessForOrganizationCommand({}),
      );

      // Assess
      expect(EnabledServicePrincipals.map((p) => p.ServicePrincipal)).toContain(PRINCIPAL);
    });

    it('registers a member account once, never the management account, and at most five for StackSets', async () => {
      // Prepare
      const w = world({ createAccountQuota: 6 });
      const accounts = await vendAccounts(w, 6);
      const management = w.sandbox.organization().MasterAccountId;
      const register = (AccountId: string) =>
        w.organizations.send(
          new RegisterDelegatedAdministratorCommand({ AccountId, ServicePrincipal: PRINCIPAL }),
        );

      // Act
      for (const account of accounts.slice(0, 5)) await register(account);
      const again = await failure(register(accounts[0]!));
      const sixth = await failure(register(accounts[5]!));
      const itself = await failure(register(management));

      // Assess
      expect(again).toBeInstanceOf(AccountAlreadyRegisteredException);
      expect(sixth).toBeInstanceOf(ConstraintViolationException);
      expect(sixth.Reason).toBe('MAX_DELEGATED_ADMINISTRATORS_FOR_SERVICE_LIMIT_EXCEEDED');
      expect(itself).toBeInstanceOf(ConstraintViolationException);
      expect(itself.Reason).toBe('CANNOT_REGISTER_MASTER_AS_DELEGATED_ADMINISTRATOR');
    });

    it('lets the management account and a delegated administrator list delegated administrators, and no other member', async () => {
      // Prepare
      const w = world();
      const [platform, other] = await vendAccounts(w, 2);
      await w.organizations.send(
        new RegisterDelegatedAdministratorCommand({ AccountId: platform!, ServicePrincipal: PRINCIPAL }),
      );
      const asPlatform = w.clientsFor(await assume(w, platform!)).organizations;
      const asOther = w.clientsFor(await assume(w, other!)).organizations;

      // Act
      const listed = await asPlatform.send(
        new ListDelegatedAdministratorsCommand({ ServicePrincipal: PRINCIPAL }),
      );
      const refused = await failure(asOther.send(new ListDelegatedAdministratorsCommand({})));
      const registerFromMember = await failure(
        asPlatform.send(
          new RegisterDelegatedAdministratorCommand({ AccountId: other!, ServicePrincipal: PRINCIPAL }),
        ),
      );

      // Assess
      expect(listed.DelegatedAdministrators?.map((d) => d.Id)).toEqual([platform]);
      expect(refused).toBeInstanceOf(AccessDeniedException);
      expect(registerFromMember).toBeInstanceOf(AccessDeniedException);
    });
  });

  describe('CloudFormation StackSets: service-managed permissions', () => {
    it('activates organizations access from the management account only', async () => {
      // Prepare
      const w = world();
      const { platform } = await organization(w);
      const member = w.clientsFor(await assume(w, platform)).cloudformation;

      // Act
      const before = await w.cloudformation.send(new DescribeOrganizationsAccessCommand({}));
      const refused = await failure(member.send(new ActivateOrganizationsAccessCommand({})));
      await w.cloudformation.send(new ActivateOrganizationsAccessCommand({}));
      const after = await w.cloudformation.send(new DescribeOrganizationsAccessCommand({}));

      // Assess
      expect(before.Status).toBe('DISABLED');
      expect(refused.name).toBe('InvalidOperationException');
      expect(after.Status).toBe('ENABLED');
    });

    it('refuses a service-managed stack set before trusted access is activated', async () => {
      // Prepare
      const w = world();
      await organization(w);

      // Act
      const error = await failure(w.cloudformation.send(serviceManaged({ CallAs: 'SELF' })));

      // Assess
      expect(error.name).toBe('ValidationError');
      expect(w.sandbox.stackSets()).toEqual([]);
    });

    it('refuses DELEGATED_ADMIN from an account that is not a registered delegated administrator', async () => {
      // Prepare
      const w = world();
      const { a } = await organization(w);
      await w.cloudformation.send(new ActivateOrganizationsAccessCommand({}));
      const member = w.clientsFor(await assume(w, a)).cloudformation;

      // Act
      const error = await failure(member.send(serviceManaged()));

      // Assess
      expect(error.name).toBe('ValidationError');
      expect(error.message).toBe('Account used is not a delegated administrator');
    });

    it('refuses a service-managed stack set that a member account creates as SELF', async () => {
      // Prepare
      const w = world();
      const { platform } = await organization(w);
      const client = await delegate(w, platform);

      // Act
      const error = await failure(client.send(serviceManaged({ CallAs: 'SELF' })));

      // Assess
      expect(error.name).toBe('ValidationError');
      expect(error.message).toMatch(/management account or delegated admin account/);
    });

    it('refuses self-managed roles or CallAs where they do not belong, and a missing AutoDeployment', async () => {
      // Prepare
      const w = world();
      const { platform } = await organization(w);
      const client = await delegate(w, platform);

      // Act
      const withRole = await failure(
        client.send(serviceManaged({ ExecutionRoleName: 'OrganizationAccountAccessRole' })),
      );
      const withoutAutoDeployment = await failure(client.send(serviceManaged({ AutoDeployment: undefined })));
      const selfManagedAsAdmin = await failure(
        client.send(serviceManaged({ PermissionModel: 'SELF_MANAGED', AutoDeployment: undefined })),
      );

      // Assess
      for (const error of [withRole, withoutAutoDeployment, selfManagedAsAdmin])
        expect(error.name).toBe('ValidationError');
      expect(w.sandbox.stackSets()).toEqual([]);
    });

    it('creates a delegated administrator’s stack set in the management account, reachable only as DELEGATED_ADMIN', async () => {
      // Prepare
      const w = world();
      const { platform, management } = await organization(w);
      const client = await delegate(w, platform);

      // Act
      await client.send(serviceManaged());
      const asAdmin = await client.send(
        new DescribeStackSetCommand({ StackSetName: NAME, CallAs: 'DELEGATED_ADMIN' }),
      );
      const asSelf = await failure(client.send(new DescribeStackSetCommand({ StackSetName: NAME })));
      const fromManagement = await w.cloudformation.send(new DescribeStackSetCommand({ StackSetName: NAME }));
      const ownList = await client.send(new ListStackSetsCommand({}));

      // Assess
      expect(asAdmin.StackSet).toMatchObject({
        PermissionModel: 'SERVICE_MANAGED',
        AutoDeployment: { Enabled: false },
      });
      expect(asAdmin.StackSet?.AdministrationRoleARN).toBeUndefined();
      expect(asAdmin.StackSet?.StackSetARN).toContain(`:${management}:stackset/`);
      expect(asSelf).toBeInstanceOf(StackSetNotFoundException);
      expect(fromManagement.StackSet?.StackSetId).toBe(asAdmin.StackSet?.StackSetId);
      expect(ownList.Summaries).toEqual([]);
    });

    it('refuses Accounts without OUs, OUs with Accounts but no filter, and UNION, for a create', async () => {
      // Prepare
      const w = world();
      const { platform, ou, a } = await organization(w);
      const client = await delegate(w, platform);
      await client.send(serviceManaged());

      // Act
      const accountsOnly = await failure(
        client.send(
          new CreateStackInstancesCommand({
            StackSetName: NAME,
            Accounts: [a],
            Regions: ['us-east-1'],
            CallAs: 'DELEGATED_ADMIN',
          }),
        ),
      );
      const noFilter = await failure(createInstances(client, { OrganizationalUnitIds: [ou], Accounts: [a] }));
      const union = await failure(
        createInstances(client, { OrganizationalUnitIds: [ou], Accounts: [a], AccountFilterType: 'UNION' }),
      );

      // Assess
      for (const error of [accountsOnly, noFilter, union]) expect(error.name).toBe('ValidationError');
      expect(w.sandbox.stackInstances()).toEqual([]);
    });

    it('deploys, with INTERSECTION, only to the listed accounts that are in the OU, each under its OU', async () => {
      // Prepare
      const w = world();
      const { platform, ou, a, b, outside } = await organization(w);
      const client = await delegate(w, platform);
      await client.send(serviceManaged());

      // Act
      const { OperationId } = await createInstances(client, {
        OrganizationalUnitIds: [ou],
        Accounts: [a, b, outside],
        AccountFilterType: 'INTERSECTION',
      });
      settle(w);
      const { StackSetOperation } = await client.send(
        new DescribeStackSetOperationCommand({ StackSetName: NAME, OperationId, CallAs: 'DELEGATED_ADMIN' }),
      );
      const { Summaries = [] } = await client.send(
        new ListStackInstancesCommand({ StackSetName: NAME, CallAs: 'DELEGATED_ADMIN' }),
      );

      // Assess
      expect(StackSetOperation?.Status).toBe('SUCCEEDED');
      expect(Summaries.map((s) => s.Account).sort()).toEqual([a, b].sort());
      expect(Summaries.every((s) => s.OrganizationalUnitId === ou && s.Status === 'CURRENT')).toBe(true);
      // StackSets made its execution role in each target, and the template's role.
      const roles = (id: string) => w.sandbox.accounts().find((x) => x.id === id)!.roles;
      expect(roles(a).some((r) => r.startsWith('stacksets-exec-'))).toBe(true);
      expect(roles(a)).toContain('shop-deployer');
      expect(roles(outside)).not.toContain('shop-deployer');
    });

    it('fails the instance of an account whose SCP denies StackSets’ execution role everything, and deploys where the SCP exempts stacksets-exec-*', async () => {
      // Prepare: the quarantine's shape on two accounts of the OU, one exempting StackSets' role.
      const w = world();
      const { platform, ou, a, b } = await organization(w);
      const quarantine = (exempt: string[]) =>
        JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Deny',
              Action: '*',
              Resource: '*',
              Condition: {
                ArnNotLike: { 'aws:PrincipalArn': exempt.map((r) => `arn:aws:iam::*:role/${r}`) },
              },
            },
          ],
        });
      const attach = async (account: string, name: string, content: string) => {
        const { Policy } = await w.organizations.send(
          new CreatePolicyCommand({
            Name: name,
            Description: name,
            Type: 'SERVICE_CONTROL_POLICY',
            Content: content,
          }),
        );
        await w.organizations.send(
          new AttachPolicyCommand({ PolicyId: Policy!.PolicySummary!.Id!, TargetId: account }),
        );
      };
      const client = await delegate(w, platform);
      await client.send(serviceManaged());
      await attach(a, 'without-exemption', quarantine(['OrganizationAccountAccessRole']));
      await attach(b, 'with-exemption', quarantine(['OrganizationAccountAccessRole', 'stacksets-exec-*']));

      // Act
      // One account per operation: a failure stops the rest of its operation (no failure tolerance).
      for (const account of [b, a]) {
        await createInstances(client, {
          OrganizationalUnitIds: [ou],
          Accounts: [account],
          AccountFilterType: 'INTERSECTION',
        });
        settle(w);
      }
      const { Summaries = [] } = await client.send(
        new ListStackInstancesCommand({ StackSetName: NAME, CallAs: 'DELEGATED_ADMIN' }),
      );

      // Assess
      const of = (account: string) => Summaries.find((i) => i.Account === account)!;
      expect(of(a)).toMatchObject({
        Status: 'OUTDATED',
        StatusReason: expect.stringMatching(
          /stacksets-exec-.* is not authorized .* explicit deny in a service control policy/,
        ),
      });
      expect([of(b).Status, of(b).StatusReason]).toEqual(['CURRENT', undefined]);
    });

    it('deploys to every account of the OU but those listed with DIFFERENCE, and to all of them with NONE', async () => {
      // Prepare
      const w = world();
      const { platform, ou, a, b, c } = await organization(w);
      const client = await delegate(w, platform);
      await client.send(serviceManaged());

      // Act
      await createInstances(client, {
        OrganizationalUnitIds: [ou],
        Accounts: [a],
        AccountFilterType: 'DIFFERENCE',
      });
      settle(w);
      const afterDifference = await instanceAccounts(client);
      await createInstances(client, { OrganizationalUnitIds: [ou], AccountFilterType: 'NONE' });
      settle(w);
      const afterNone = await instanceAccounts(client);

      // Assess
      expect(afterDifference).toEqual([b, c].sort());
      expect(afterNone).toEqual([a, b, c].sort());
    });

    it('never deploys to the management account, even when the root is the target', async () => {
      // Prepare
      const w = world();
      const { platform, root, management } = await organization(w);
      const client = await delegate(w, platform);
      await client.send(serviceManaged());

      // Act
      await createInstances(client, { OrganizationalUnitIds: [root], AccountFilterType: 'NONE' });
      settle(w);

      // Assess
      const accounts = await instanceAccounts(client);
      expect(accounts).toHaveLength(5);
      expect(accounts).not.toContain(management);
    });

    it('deletes instances by OU with INTERSECTION, refuses Accounts, and keeps the others', async () => {
      // Prepare
      const w = world();
      const { platform, ou, a, b, c } = await organization(w);
      const client = await delegate(w, platform);
      await client.send(serviceManaged());
      await createInstances(client, { OrganizationalUnitIds: [ou], AccountFilterType: 'NONE' });
      settle(w);

      // Act
      const byAccounts = await failure(
        client.send(
          new DeleteStackInstancesCommand({
            StackSetName: NAME,
            Accounts: [a],
            Regions: ['us-east-1'],
            RetainStacks: false,
            CallAs: 'DELEGATED_ADMIN',
          }),
        ),
      );
      await client.send(
        new DeleteStackInstancesCommand({
          StackSetName: NAME,
          DeploymentTargets: {
            OrganizationalUnitIds: [ou],
            Accounts: [a, b],
            AccountFilterType: 'INTERSECTION',
          },
          Regions: ['us-east-1'],
          RetainStacks: false,
          CallAs: 'DELEGATED_ADMIN',
        }),
      );
      settle(w);

      // Assess
      expect(byAccounts.name).toBe('ValidationError');
      expect(await instanceAccounts(client)).toEqual([c]);
      expect(w.sandbox.accounts().find((x) => x.id === a)!.roles).not.toContain('shop-deployer');
    });

    it('deletes by OU an instance whose account has since left the OU (estimate)', async () => {
      // Prepare
      const w = world();
      const { platform, ou, a, root } = await organization(w);
      const client = await delegate(w, platform);
      await client.send(serviceManaged());
      await createInstances(client, {
        OrganizationalUnitIds: [ou],
        Accounts: [a],
        AccountFilterType: 'INTERSECTION',
      });
      settle(w);
      await w.organizations.send(
        new MoveAccountCommand({ AccountId: a, SourceParentId: ou, DestinationParentId: root }),
      );

      // Act
      await client.send(
        new DeleteStackInstancesCommand({
          StackSetName: NAME,
          DeploymentTargets: {
            OrganizationalUnitIds: [ou],
            Accounts: [a],
            AccountFilterType: 'INTERSECTION',
          },
          Regions: ['us-east-1'],
          RetainStacks: false,
          CallAs: 'DELEGATED_ADMIN',
        }),
      );
      settle(w);

      // Assess
      expect(await instanceAccounts(client)).toEqual([]);
    });
  });
});
