/**
 * Entering member accounts from the platform account (issue 18, item 3) on the sandbox: the
 * readiness probe enters a new account through its access role, chained from the management role
 * (the only way in before the baseline); every later call in the account (the Config guardrails)
 * goes through the member access role the guardrails stack set made there, which trusts only the
 * service's named function roles. The sandbox reads that trust from the deployed template and
 * refuses AssumeRole to anyone else, as STS does.
 *
 * The local runner runs every step in one process, with one set of credentials: here a session of
 * `appvend-register-guardrails`, one of the function roles the member access role trusts (on AWS
 * each function has its own role; infra/service/appvend-function.ts gives the variable only to
 * those the trust names).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RegisterDelegatedAdministratorCommand } from '@aws-sdk/client-organizations';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import type { AwsCredentialIdentity } from '@smithy/types';
import { awsClients, configureAws } from '../../shared/aws/client-factory';
import { FUNCTION_SESSION_TAG, MANAGEMENT_WRITE_ROLE_NAME } from '../../shared/domain/management-access';
import { MEMBER_ACCESS_ROLE_NAME } from '../../shared/domain/member-access';
import { ACCOUNT_ACCESS_ROLE, artifactBucketName } from '../../shared/domain/naming';
import { createSuspendedOu, offboard, vendThroughLedger } from '../support/offboard';
import { sandboxWorld, type SandboxWorld } from '../support/workflow';

const sample = JSON.parse(
  readFileSync(join(__dirname, '../../events/application-request.json'), 'utf8'),
) as Record<string, unknown> & { source: { connectionArn: string } };
const STACKSETS = 'member.org.stacksets.cloudformation.amazonaws.com';
/** A function role the member access role trusts (shared/domain/member-access.ts). */
const FUNCTION_ROLE = 'appvend-register-guardrails';
/** A function role of the service it does not trust. */
const OTHER_FUNCTION_ROLE = 'appvend-move-account';

describe('Workflow: member accounts entered through the member access role after their baseline, on the sandbox', () => {
  let world: SandboxWorld;
  let management: string;
  let platform: string;
  const session = (account: string, role: string) => `arn:aws:sts::${account}:assumed-role/${role}/appvend`;
  /** The sample, its source connection in the platform account (shared from the account that owns it). */
  const request = () => ({
    ...sample,
    source: {
      ...sample.source,
      connectionArn: sample.source.connectionArn.replace(/:\d{12}:/, `:${platform}:`),
    },
  });

  beforeEach(async () => {
    world = sandboxWorld();
    management = world.sandbox.organization().MasterAccountId as string;
    platform = world.sandbox.setUpPlatformAccount({
      functionRoles: [FUNCTION_ROLE, OTHER_FUNCTION_ROLE],
      managementRoles: { [MANAGEMENT_WRITE_ROLE_NAME]: [FUNCTION_ROLE] },
      principalSessionTag: FUNCTION_SESSION_TAG,
    });
    // The stack sets run from the platform account as the StackSets delegated administrator.
    world.sandbox.enableTrustedAccess(STACKSETS);
    await awsClients()
      .organizations()
      .send(new RegisterDelegatedAdministratorCommand({ AccountId: platform, ServicePrincipal: STACKSETS }));
    process.env.APPVEND_STACKSETS_MODE = 'SERVICE_MANAGED';
    // The service stack's topic is in the service's account: the guardrails template's trust names
    // that account's function roles.
    process.env.APPVEND_NOTIFICATION_TOPIC_ARN = `arn:aws:sns:us-east-1:${platform}:appvend-security-notifications`;
    configureAws({
      region: 'us-east-1',
      plugins: [world.sandbox.plugin()],
      credentials: world.sandbox.executionRoleSession(platform, FUNCTION_ROLE),
      maxAttempts: 3,
      now: () => world.clock.now(),
      managementRoleArn: `arn:aws:iam::${management}:role/${MANAGEMENT_WRITE_ROLE_NAME}`,
      memberAccessRoleName: MEMBER_ACCESS_ROLE_NAME,
    });
  });

  afterEach(() => {
    delete process.env.APPVEND_STACKSETS_MODE;
    delete process.env.APPVEND_SUSPENDED_OU_ID;
  });

  it('probes each new account through its access role, then registers the guardrails through the member access role the baseline made', async () => {
    // Act
    const { summary } = await world.vend(request());

    // Assess
    expect(summary.status).toBe('SUCCEEDED');
    const vended = Object.values(summary.accounts).map((a) => a.id);
    expect(vended).toHaveLength(3);
    for (const id of vended) {
      expect(world.sandbox.accounts().find((a) => a.id === id)?.roles).toContain(MEMBER_ACCESS_ROLE_NAME);
      const calls = world.sandbox.calls.filter((c) => c.accountId === id);
      // The access role (reached by chaining from the management role) only answered the probe.
      const throughAccessRole = calls.filter((c) => c.principal === session(id, ACCOUNT_ACCESS_ROLE));
      expect(throughAccessRole.length).toBeGreaterThan(0);
      expect(new Set(throughAccessRole.map((c) => c.operation))).toEqual(new Set(['GetCallerIdentity']));
      // Every Config call, through the member access role.
      const config = calls.filter((c) => c.service === 'config');
      expect(config.length).toBeGreaterThan(0);
      expect(new Set(config.map((c) => c.principal))).toEqual(
        new Set([session(id, MEMBER_ACCESS_ROLE_NAME)]),
      );
      expect(world.sandbox.configState(id).conformancePacks.map((p) => p.name)).toEqual([
        'appvend-orders-guardrails',
      ]);
    }
    // Assumed with the function's own session: the member access role refuses the management
    // role's (next test), so a chained entry would have failed the vend.
  });

  it('lets only the trusted function roles of the service account assume the member access role', async () => {
    // Prepare
    const { summary } = await world.vend(request());
    const test = summary.accounts.test!.id;
    const prod = summary.accounts.prod!.id;
    // Impostors named like the trusted function role: in another vended account, and in the
    // vended account itself.
    world.sandbox.createRoleByHand(prod, FUNCTION_ROLE);
    world.sandbox.createRoleByHand(test, FUNCTION_ROLE);
    const assumeWith = (credentials: AwsCredentialIdentity) => {
      const client = new STSClient({ region: 'us-east-1', credentials });
      client.middlewareStack.use(world.sandbox.plugin());
      return client
        .send(
          new AssumeRoleCommand({
            RoleArn: `arn:aws:iam::${test}:role/${MEMBER_ACCESS_ROLE_NAME}`,
            RoleSessionName: 'appvend',
          }),
        )
        .catch((error: Error) => error);
    };
    const accessRole = await awsClients().accessRoleClient(STSClient, test);
    const accessRoleCredentials = await accessRole.config.credentials();

    // Act
    const trusted = await assumeWith(world.sandbox.executionRoleSession(platform, FUNCTION_ROLE));
    const refused = {
      otherFunction: await assumeWith(world.sandbox.executionRoleSession(platform, OTHER_FUNCTION_ROLE)),
      managementRole: await assumeWith(await awsClients().managementRoleSession()),
      accessRole: await assumeWith(accessRoleCredentials),
      lookalikeInOtherAccount: await assumeWith(world.sandbox.executionRoleSession(prod, FUNCTION_ROLE)),
      lookalikeInAccount: await assumeWith(world.sandbox.executionRoleSession(test, FUNCTION_ROLE)),
      managementAdministrator: await assumeWith(world.sandbox.managementCredentials),
    };

    // Assess
    expect(trusted).toMatchObject({
      AssumedRoleUser: { Arn: session(test, MEMBER_ACCESS_ROLE_NAME) },
    });
    for (const [who, answer] of Object.entries(refused)) {
      expect([who, answer]).toEqual([who, expect.objectContaining({ name: 'AccessDenied' })]);
    }
  });

  it('offboards through the member access role: guardrails removed and buckets emptied through it, the role removed last with the guardrails', async () => {
    // Prepare
    await createSuspendedOu();
    const { summary: vended } = await vendThroughLedger(world, request());
    expect(vended.status).toBe('SUCCEEDED');
    const tooling = vended.accounts.tooling!.id;
    const ids = Object.values(vended.accounts).map((a) => a.id);
    const s3 = await awsClients().memberClient(S3Client, tooling);
    const bucket = artifactBucketName('orders', tooling);
    for (let i = 0; i < 3; i += 1) {
      await s3.send(
        new PutObjectCommand({ Bucket: bucket, Key: `appvend-orders/BuildOutpu/${i}`, Body: 'zip' }),
      );
    }
    const from = world.sandbox.calls.length;

    // Act
    const run = await offboard(world, 'orders');

    // Assess
    expect(run).not.toBe('already-offboarded');
    expect(run !== 'already-offboarded' && run.summary.status).toBe('OFFBOARDED');
    const inAccounts = world.sandbox.calls.slice(from).filter((c) => ids.includes(c.accountId));
    const work = inAccounts.filter((c) => c.service === 's3' || c.service === 'config');
    expect(work.filter((c) => c.service === 's3').length).toBeGreaterThan(0);
    expect(work.filter((c) => c.service === 'config').length).toBeGreaterThan(0);
    expect(work.filter((c) => c.principal !== session(c.accountId, MEMBER_ACCESS_ROLE_NAME))).toEqual([]);
    // Nothing but the member access role's sessions worked in the accounts, and none failed.
    expect(inAccounts.filter((c) => c.error)).toEqual([]);
    expect(world.sandbox.buckets().filter((b) => b.name === bucket)).toEqual([]);
    for (const id of ids) {
      expect(world.sandbox.accounts().find((a) => a.id === id)?.roles).not.toContain(MEMBER_ACCESS_ROLE_NAME);
    }
  });
});
