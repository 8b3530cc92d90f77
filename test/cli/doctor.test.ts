import {
  AttachPolicyCommand,
  CreateOrganizationalUnitCommand,
  CreatePolicyCommand,
  ListOrganizationalUnitsForParentCommand,
  OrganizationsClient,
} from '@aws-sdk/client-organizations';
import { ActivateOrganizationsAccessCommand, CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { RegisterDelegatedAdministratorCommand } from '@aws-sdk/client-organizations';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { awsClients, configureAws } from '../../shared/aws/client-factory';
import { configDeliveryBucketPolicy } from '../../shared/domain/config-delivery';
import type { Sandbox } from '../../shared/sandbox';
import { connectBackend } from '../../cli/backends';
import { admitsRecorderRoles, deniesEverything, runDoctorChecks } from '../../cli/doctor-checks';
import { main } from '../../cli/main';

const SAVED_ENV = { ...process.env };

beforeEach(() => {
  for (const key of Object.keys(process.env)) if (key.startsWith('APPVEND_')) delete process.env[key];
});
afterAll(() => {
  process.env = SAVED_ENV;
});

const freshStateFile = (): string => join(mkdtempSync(join(tmpdir(), 'appvend-doctor-')), 'sandbox.json');

/**
 * The suspended OU with its deny-all SCP, as docs/deploy.md has the platform team make it; made
 * here unless the sandbox's seed already has one (the seed gains it on main).
 */
async function ensureSuspendedOu(): Promise<void> {
  const organizations: OrganizationsClient = awsClients().organizations();
  const rootId = 'r-sbx1';
  const { OrganizationalUnits = [] } = await organizations.send(
    new ListOrganizationalUnitsForParentCommand({ ParentId: rootId }),
  );
  if (OrganizationalUnits.some((ou) => ou.Name?.toLowerCase() === 'suspended')) return;
  const { OrganizationalUnit } = await organizations.send(
    new CreateOrganizationalUnitCommand({ ParentId: rootId, Name: 'Suspended' }),
  );
  const { Policy } = await organizations.send(
    new CreatePolicyCommand({
      Name: 'appvend-deny-all',
      Description: 'Deny everything',
      Type: 'SERVICE_CONTROL_POLICY',
      Content: JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Deny', Action: '*', Resource: '*' }],
      }),
    }),
  );
  await organizations.send(
    new AttachPolicyCommand({ PolicyId: Policy!.PolicySummary!.Id!, TargetId: OrganizationalUnit!.Id! }),
  );
}

const mutatingCalls = (sandbox: Sandbox, from: number) =>
  sandbox.calls
    .slice(from)
    .filter((call) => call.mutating)
    .map((call) => call.operation);

describe('appvend doctor on the sandbox', () => {
  it('passes every check on a new organization with a suspended OU, and makes no write call', async () => {
    const { sandbox } = connectBackend({ kind: 'sandbox', stateFile: freshStateFile() });
    await ensureSuspendedOu();
    const mark = sandbox!.calls.length;

    const results = await runDoctorChecks({ stack: null, stackName: 'AppvendService' });

    const byName = Object.fromEntries(results.map((r) => [r.name, r]));
    expect(Object.keys(byName)).toEqual([
      'management account',
      'all features',
      'SCP policy type',
      'parent OU',
      'suspended OU',
      'account quota',
      'Config delivery bucket',
      'RAM sharing in the organization',
      'service stack',
    ]);
    for (const result of results)
      expect([result.name, result.status]).toEqual([result.name, result.status === 'info' ? 'info' : 'ok']);
    expect(byName['suspended OU']!.detail).toMatch(/deny-all SCP p-/);
    expect(sandbox!.calls.length).toBeGreaterThan(mark);
    expect(mutatingCalls(sandbox!, mark)).toEqual([]);
  });

  it('checks the management role first when one is configured: assumed by the service, refused to another principal', async () => {
    const { sandbox, clock } = connectBackend({ kind: 'sandbox', stateFile: freshStateFile() });
    await ensureSuspendedOu();
    const management = sandbox!.organization().MasterAccountId as string;
    const platform = sandbox!.setUpPlatformAccount({
      functionRoles: ['appvend-service', 'someone-else'],
      managementRoles: { 'appvend-management-access': ['appvend-service'] },
      principalSessionTag: 'appvend:function',
    });
    const runAs = (role: string) =>
      configureAws({
        region: 'us-east-1',
        plugins: [sandbox!.plugin()],
        credentials: sandbox!.executionRoleSession(platform, role),
        now: () => clock.now(),
        managementRoleArn: `arn:aws:iam::${management}:role/appvend-management-access`,
      });

    runAs('appvend-service');
    const trusted = await runDoctorChecks({ stack: null, stackName: 'AppvendService' });
    runAs('someone-else');
    const refused = await runDoctorChecks({ stack: null, stackName: 'AppvendService' });

    expect(
      trusted.slice(0, 2).map((r) => `${r.name}: ${r.status}${r.status === 'ok' ? '' : ` ${r.detail}`}`),
    ).toEqual(['management role: ok', 'management account: ok']);
    expect(trusted[1]!.detail).toMatch(/through arn:aws:iam::\d+:role\/appvend-management-access/);
    expect(refused.map((r) => `${r.name}: ${r.status}`)).toEqual(['management role: missing']);
    expect(refused[0]!.detail).toMatch(/AccessDenied/);
  });

  it('exits 0 through the CLI on a new organization and saves no state', async () => {
    const stateFile = freshStateFile();
    const out: string[] = [];
    const write = jest.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      out.push(String(chunk));
      return true;
    });
    let code: number;
    try {
      code = await main(['doctor', '--state', stateFile]);
    } finally {
      write.mockRestore();
    }
    // The suspended OU is the seed's to provide: until it does, that line is a WARN (no exit 1).
    expect(code).toBe(0);
    const lines = out.join('').trim().split('\n');
    expect(lines).toHaveLength(9);
    expect(lines.filter((l) => l.startsWith('MISSING'))).toEqual([]);
    expect(lines.find((l) => l.includes('Config delivery bucket'))).toMatch(/^ok /);
    expect(existsSync(stateFile)).toBe(false);
  });

  it('checks a new organization with --fresh and leaves the state file alone', async () => {
    const stateFile = freshStateFile();
    const out: string[] = [];
    const write = jest.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      out.push(String(chunk));
      return true;
    });
    let code: number;
    try {
      code = await main(['doctor', '--fresh', '--state', stateFile, '--json']);
    } finally {
      write.mockRestore();
    }
    expect(code).toBe(0);
    const results = JSON.parse(out.join('')) as { name: string; status: string }[];
    expect(results.filter((r) => r.status === 'missing')).toEqual([]);
    expect(existsSync(stateFile)).toBe(false);
    const refused = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      expect(await main(['doctor', '--fresh', '--aws'])).toBe(2);
    } finally {
      refused.mockRestore();
    }
  });

  it('names a Config bucket whose policy admits only the service principal, and a suspended OU without a deny-all SCP', async () => {
    const { sandbox } = connectBackend({ kind: 'sandbox', stateFile: freshStateFile() });
    const { Id: id, MasterAccountId: managementAccountId } = sandbox!.organization();
    sandbox!.putExternalBucket({
      name: 'org-config',
      account: managementAccountId,
      policy: {
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Principal: { Service: 'config.amazonaws.com' },
            Action: 's3:PutObject',
            Resource: 'arn:aws:s3:::org-config/AWSLogs/*',
            Condition: { StringEquals: { 'aws:SourceOrgID': id } },
          },
        ],
      },
    });
    process.env.APPVEND_CONFIG_BUCKET = 'org-config';
    const { OrganizationalUnit } = await awsClients()
      .organizations()
      .send(new CreateOrganizationalUnitCommand({ ParentId: 'r-sbx1', Name: 'Parking' }));
    process.env.APPVEND_SUSPENDED_OU_ID = OrganizationalUnit!.Id!;
    process.env.APPVEND_PARENT_OU_ID = 'ou-sbx1-missing1';
    process.env.APPVEND_ACCOUNT_QUOTA = '3';

    const results = await runDoctorChecks({ stack: null, stackName: 'AppvendService' });
    const status = Object.fromEntries(results.map((r) => [r.name, r]));

    expect(status['Config delivery bucket']).toMatchObject({
      status: 'missing',
      fix: expect.stringContaining('put-bucket-policy'),
    });
    expect(status['suspended OU']).toMatchObject({
      status: 'warn',
      detail: expect.stringContaining('no SCP that denies everything'),
    });
    expect(status['parent OU']).toMatchObject({ status: 'missing' });
    expect(status['account quota']).toMatchObject({
      status: 'missing',
      fix: expect.stringContaining('service-quotas'),
    });
  });
});

describe('appvend doctor with service-managed stack sets (APPVEND_STACKSETS_MODE=SERVICE_MANAGED)', () => {
  const line = (r: { name: string; status: string }) => `${r.name}: ${r.status}`;
  const stackSetLines = (results: Array<{ name: string; status: string }>) =>
    results.filter((r) => r.name.startsWith('StackSets')).map(line);

  it('names trusted access and the delegated administrator, each with its fix, from the platform account; ok once the management account has done both', async () => {
    // Prepare
    const { sandbox, clock } = connectBackend({ kind: 'sandbox', stateFile: freshStateFile() });
    const management = sandbox!.organization().MasterAccountId as string;
    const admin = awsClients();
    const platform = sandbox!.setUpPlatformAccount({
      functionRoles: ['appvend-service'],
      managementRoles: { 'appvend-management-access': ['appvend-service'] },
      principalSessionTag: 'appvend:function',
    });
    configureAws({
      region: 'us-east-1',
      plugins: [sandbox!.plugin()],
      credentials: sandbox!.executionRoleSession(platform, 'appvend-service'),
      now: () => clock.now(),
      managementRoleArn: `arn:aws:iam::${management}:role/appvend-management-access`,
    });
    process.env.APPVEND_STACKSETS_MODE = 'SERVICE_MANAGED';

    // Act
    const mark = sandbox!.calls.length;
    const before = await runDoctorChecks({ stack: null, stackName: 'AppvendService' });
    const reads = mutatingCalls(sandbox!, mark);
    // The administrator's two commands of docs/deploy.md, in the management account.
    await admin.managementClient(CloudFormationClient).send(new ActivateOrganizationsAccessCommand({}));
    await admin.organizations().send(
      new RegisterDelegatedAdministratorCommand({
        AccountId: platform,
        ServicePrincipal: 'member.org.stacksets.cloudformation.amazonaws.com',
      }),
    );
    const after = await runDoctorChecks({ stack: null, stackName: 'AppvendService' });

    // Assess
    expect(stackSetLines(before)).toEqual([
      'StackSets trusted access: missing',
      'StackSets delegated administrator: missing',
    ]);
    const byName = Object.fromEntries(before.map((r) => [r.name, r]));
    expect(byName['StackSets trusted access']!.fix).toMatch(
      /^aws cloudformation activate-organizations-access/,
    );
    expect(byName['StackSets delegated administrator']!.detail).toContain(platform);
    expect(byName['StackSets delegated administrator']!.fix).toContain(
      `aws organizations register-delegated-administrator --account-id ${platform} --service-principal member.org.stacksets.cloudformation.amazonaws.com`,
    );
    expect(reads).toEqual([]);
    expect(stackSetLines(after)).toEqual([
      'StackSets trusted access: ok',
      'StackSets delegated administrator: ok',
    ]);
  });

  it('needs no delegated administrator in one-account mode (StackSets called as SELF), and checks nothing of StackSets with self-managed stack sets', async () => {
    // Prepare
    const { sandbox } = connectBackend({ kind: 'sandbox', stateFile: freshStateFile() });
    sandbox!.enableTrustedAccess('member.org.stacksets.cloudformation.amazonaws.com');

    // Act
    process.env.APPVEND_STACKSETS_MODE = 'SERVICE_MANAGED';
    const serviceManaged = await runDoctorChecks({ stack: null, stackName: 'AppvendService' });
    process.env.APPVEND_STACKSETS_MODE = 'SELF_MANAGED';
    const selfManaged = await runDoctorChecks({ stack: null, stackName: 'AppvendService' });

    // Assess
    expect(stackSetLines(serviceManaged)).toEqual([
      'StackSets trusted access: ok',
      'StackSets delegated administrator: ok',
    ]);
    expect(serviceManaged.find((r) => r.name === 'StackSets delegated administrator')!.detail).toMatch(
      /as SELF/,
    );
    expect(stackSetLines(selfManaged)).toEqual([]);
  });
});

describe('what the doctor reads in a policy', () => {
  it("takes appvend's own Config bucket policy as admitting the recorder roles", () => {
    const policy = JSON.stringify(configDeliveryBucketPolicy('b', 'o-a1b2c3d4e5'));
    expect(admitsRecorderRoles(policy, 'b')).toBe(true);
    expect(admitsRecorderRoles(policy, 'other')).toBe(false);
  });

  it('takes only an unconditional Deny of * on * as deny-all', () => {
    expect(deniesEverything('{"Statement":[{"Effect":"Deny","Action":"*","Resource":"*"}]}')).toBe(true);
    expect(deniesEverything('{"Statement":{"Effect":"Deny","Action":["*"],"Resource":["*"]}}')).toBe(true);
    expect(
      deniesEverything(
        '{"Statement":[{"Effect":"Deny","Action":"*","Resource":"*","Condition":{"StringNotEquals":{"aws:PrincipalAccount":"1"}}}]}',
      ),
    ).toBe(false);
    expect(deniesEverything('{"Statement":[{"Effect":"Deny","Action":"s3:*","Resource":"*"}]}')).toBe(false);
  });
});
