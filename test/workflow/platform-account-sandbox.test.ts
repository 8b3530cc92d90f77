/**
 * The two-account layout (issue 18) on the sandbox: the service runs as a principal of a platform
 * member account, and the calls AWS allows only from the management account go through the
 * management role (`APPVEND_MANAGEMENT_ROLE_ARN`, shared/aws/client-factory.ts). The sandbox refuses
 * Organizations calls from any other account, as AWS does, so a call that bypasses the role fails.
 * Stack sets here are self-managed, whose roles the platform account cannot use, so these tests stop
 * short of them; platform-account-service-managed-sandbox.test.ts vends end to end with
 * service-managed stack sets, as the two-account layout deploys.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { ListRootsCommand } from '@aws-sdk/client-organizations';
import { useStsCallerIdentity } from '../../shared/aws/caller-identity';
import { awsClients, configureAws, setDefaultIdentitySource } from '../../shared/aws/client-factory';
import { callerAccount } from '../../shared/aws/service-account';
import {
  FUNCTION_ROLE_ENV,
  FUNCTION_SESSION_TAG,
  MANAGEMENT_WRITE_ROLE_NAME,
} from '../../shared/domain/management-access';
import type { CallRecord } from '../../shared/sandbox';
import { sandboxWorld, type SandboxWorld } from '../support/workflow';

const sample = JSON.parse(
  readFileSync(join(__dirname, '../../events/application-request.json'), 'utf8'),
) as Record<string, unknown>;
const accessSample = JSON.parse(
  readFileSync(join(__dirname, '../../events/application-request-access.json'), 'utf8'),
) as Record<string, unknown>;

/** The services whose calls AWS answers only in the management account (bar a delegated administrator). */
const MANAGEMENT_ONLY = new Set(['organizations', 'account', 'sso-admin', 'identitystore']);
const SERVICE_ROLE = 'appvend-service';
const OTHER_ROLE = 'platform-operator';

describe('Workflow: the service in a platform account, through the management role, on the sandbox', () => {
  let world: SandboxWorld;
  let management: string;
  let platform: string;
  const managementRoleArn = () => `arn:aws:iam::${management}:role/${MANAGEMENT_WRITE_ROLE_NAME}`;
  const roleSession = `arn:aws:sts::\${management}:assumed-role/${MANAGEMENT_WRITE_ROLE_NAME}/appvend`;
  const managementSession = () => roleSession.replace('${management}', management);

  /** The service's process, as Lambda runs it: a session of its execution role in the platform account. */
  const runAsPlatformService = (options: { managementRole: boolean }) =>
    configureAws({
      region: 'us-east-1',
      plugins: [world.sandbox.plugin()],
      credentials: world.sandbox.executionRoleSession(platform, SERVICE_ROLE),
      maxAttempts: 3,
      now: () => world.clock.now(),
      ...(options.managementRole && { managementRoleArn: managementRoleArn() }),
    });

  const managementOnlyCalls = (): CallRecord[] =>
    world.sandbox.calls.filter((c) => MANAGEMENT_ONLY.has(c.service));

  beforeEach(() => {
    world = sandboxWorld();
    management = world.sandbox.organization().MasterAccountId as string;
    platform = world.sandbox.setUpPlatformAccount({
      functionRoles: [SERVICE_ROLE, OTHER_ROLE],
      managementRoles: { [MANAGEMENT_WRITE_ROLE_NAME]: [SERVICE_ROLE] },
      principalSessionTag: FUNCTION_SESSION_TAG,
    });
  });

  it('refuses the Organizations calls the service makes with its own credentials: the vend stops at its first, and nothing is created', async () => {
    // Prepare
    runAsPlatformService({ managementRole: false });
    const accountsBefore = world.sandbox.accounts().length;

    // Act
    const { summary } = await world.vend(sample);

    // Assess
    expect(summary).toMatchObject({ status: 'FAILED', error: { step: 'EnsureOrganizationalUnit' } });
    const refused = managementOnlyCalls();
    expect(refused.length).toBeGreaterThan(0);
    expect(refused.map((c) => `${c.accountId} ${c.error}`)).toEqual(
      refused.map(() => `${platform} AccessDeniedException`),
    );
    expect(world.sandbox.ous().filter((ou) => ou.name.startsWith('appvend-'))).toEqual([]);
    expect(world.sandbox.accounts()).toHaveLength(accountsBefore);
  });

  it('refuses an Organizations call the service makes outside the role, and answers the same call made through it', async () => {
    // Prepare
    runAsPlatformService({ managementRole: false });
    const direct = awsClients().organizations();
    runAsPlatformService({ managementRole: true });
    const throughRole = awsClients().organizations();

    // Act
    const refused = await direct.send(new ListRootsCommand({})).catch((error: Error) => error);
    const answered = await throughRole.send(new ListRootsCommand({}));

    // Assess
    expect(refused).toMatchObject({ name: 'AccessDeniedException' });
    expect(answered.Roots?.map((r) => r.Id)).toEqual(['r-sbx1']);
    expect(world.sandbox.calls.filter((c) => c.operation === 'ListRoots').map((c) => c.principal)).toEqual([
      `arn:aws:sts::${platform}:assumed-role/${SERVICE_ROLE}/${SERVICE_ROLE}`,
      managementSession(),
    ]);
  });

  it('makes every Organizations, Identity Center and Account Management call as the management role, and enters member accounts from it', async () => {
    // Prepare
    runAsPlatformService({ managementRole: true });

    // Act
    const { summary } = await world.vend(accessSample);

    // Assess: the organization's side of the vend happened, in the management account.
    expect(summary.organizationalUnit?.id).toMatch(/^ou-/);
    expect(summary.serviceControlPolicy?.id).toMatch(/^p-/);
    expect(Object.keys(summary.accounts ?? {}).sort()).toEqual(['prod', 'test', 'tooling']);
    const calls = managementOnlyCalls();
    expect(new Set(calls.map((c) => c.service))).toEqual(
      new Set(['organizations', 'account', 'sso-admin', 'identitystore']),
    );
    expect(calls.filter((c) => c.principal !== managementSession())).toEqual([]);
    expect(calls.filter((c) => c.error === 'AccessDeniedException')).toEqual([]);
    // Member accounts are entered by chaining from the management role: their access role trusts
    // the management account only.
    const memberEntries = world.sandbox.calls.filter(
      (c) => c.operation === 'AssumeRole' && c.principal === managementSession(),
    );
    expect(memberEntries.filter((c) => !c.error).length).toBeGreaterThan(0);
    // Only the service's own session assumes the management role, and its credentials are reused.
    const roleEntries = world.sandbox.calls.filter(
      (c) => c.operation === 'AssumeRole' && c.accountId === platform,
    );
    expect(new Set(roleEntries.map((c) => c.principal))).toEqual(
      new Set([`arn:aws:sts::${platform}:assumed-role/${SERVICE_ROLE}/${SERVICE_ROLE}`]),
    );
    const hours = Math.ceil((world.clock.now() - world.sandbox.calls[0]!.at) / 3_600_000);
    expect(roleEntries.length).toBeLessThanOrEqual(hours + 1);
    expect(roleEntries.length).toBeLessThan(calls.length);
  });

  it('lets only the named function roles assume the management role, each naming itself in the function tag', async () => {
    // Prepare
    const roleArnOf = (role: string) => `arn:aws:iam::${platform}:role/${role}`;
    const assume = (role: string, tags?: Array<{ Key: string; Value: string }>) => {
      const client = new STSClient({
        region: 'us-east-1',
        credentials: world.sandbox.executionRoleSession(platform, role),
      });
      client.middlewareStack.use(world.sandbox.plugin());
      return client
        .send(
          new AssumeRoleCommand({
            RoleArn: managementRoleArn(),
            RoleSessionName: 'appvend',
            ...(tags && { Tags: tags }),
          }),
        )
        .catch((error: Error) => error);
    };
    const naming = (arn: string) => [{ Key: FUNCTION_SESSION_TAG, Value: arn }];

    // Act
    const named = await assume(SERVICE_ROLE, naming(roleArnOf(SERVICE_ROLE)));
    const untagged = await assume(SERVICE_ROLE);
    const posing = await assume(SERVICE_ROLE, naming(roleArnOf(OTHER_ROLE)));
    const extraTag = await assume(SERVICE_ROLE, [
      ...naming(roleArnOf(SERVICE_ROLE)),
      { Key: 'team', Value: 'x' },
    ]);
    const other = await assume(OTHER_ROLE, naming(roleArnOf(OTHER_ROLE)));

    // Assess
    expect(named).toMatchObject({ AssumedRoleUser: { Arn: managementSession() } });
    for (const refused of [untagged, posing, extraTag, other]) {
      expect(refused).toMatchObject({ name: 'AccessDenied' });
    }
  });

  describe('who the function is, as a deployed function learns it: its role ARN in its environment', () => {
    const roleArnOf = (role: string) => `arn:aws:iam::${platform}:role/${role}`;
    afterEach(() => {
      delete process.env[FUNCTION_ROLE_ENV];
      useStsCallerIdentity();
    });

    it('names itself to the management role and knows its account without asking STS', async () => {
      // Prepare: no STS fallback, as in a function's bundle.
      setDefaultIdentitySource(undefined);
      process.env[FUNCTION_ROLE_ENV] = roleArnOf(SERVICE_ROLE);
      runAsPlatformService({ managementRole: true });

      // Act
      const answered = await awsClients().organizations().send(new ListRootsCommand({}));
      const account = await callerAccount(awsClients());

      // Assess
      expect(answered.Roots?.map((r) => r.Id)).toEqual(['r-sbx1']);
      expect(account).toBe(platform);
      expect(world.sandbox.calls.filter((c) => c.operation === 'GetCallerIdentity')).toEqual([]);
    });

    it('is refused by the management role when its environment names another function (the trust checks the tag)', async () => {
      // Prepare: the service's own session, with an environment that claims the other function's role.
      setDefaultIdentitySource(undefined);
      process.env[FUNCTION_ROLE_ENV] = roleArnOf(OTHER_ROLE);
      runAsPlatformService({ managementRole: true });

      // Act
      const refused = await awsClients()
        .organizations()
        .send(new ListRootsCommand({}))
        .catch((error: Error) => error);

      // Assess
      expect(refused).toMatchObject({ name: 'AccessDenied' });
      expect(world.sandbox.calls.filter((c) => c.operation === 'ListRoots')).toEqual([]);
    });

    it('names the variable when neither its environment nor STS can say who it is', async () => {
      // Prepare
      setDefaultIdentitySource(undefined);
      runAsPlatformService({ managementRole: true });

      // Act
      const unknown = await awsClients()
        .organizations()
        .send(new ListRootsCommand({}))
        .catch((error: Error) => error);

      // Assess
      expect(unknown).toBeInstanceOf(Error);
      expect((unknown as Error).message).toContain(FUNCTION_ROLE_ENV);
      expect(world.sandbox.calls.filter((c) => c.service === 'organizations')).toEqual([]);
    });
  });

  it("keeps today's behaviour without the setting: the management account's own credentials make the calls", async () => {
    // Prepare: sandboxWorld configured the management account's administrator, as the CLI runs.

    // Act
    const { summary } = await world.vend(accessSample);

    // Assess
    expect(summary.status).toBe('SUCCEEDED');
    const principals = new Set(managementOnlyCalls().map((c) => c.principal));
    expect(principals).toEqual(new Set([`arn:aws:iam::${management}:user/sandbox-admin`]));
  });
});
