import { CloudFormationClient, CreateStackCommand } from '@aws-sdk/client-cloudformation';
import {
  CreateAccountCommand,
  CreateOrganizationCommand,
  EnableAWSServiceAccessCommand,
  OrganizationsClient,
} from '@aws-sdk/client-organizations';
import { CreateRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import type { Pluggable } from '@smithy/types';
import { configureAws } from '../../shared/aws/client-factory';
import { openBackend } from '../../cli/backends';
import { runDoctorChecks } from '../../cli/doctor-checks';
import { describeServiceStack } from '../../cli/stack-outputs';
import {
  MOTO_CREDENTIALS,
  MOTO_REGION,
  describeWithMoto,
  platformServiceCredentials,
  startMoto,
  type MotoServer,
} from '../support/moto';

const SAVED_ENV = { ...process.env };

/** Every command the clients send, by name: the doctor must send only reads. */
function recordingPlugin(names: string[]): Pluggable<object, object> {
  return {
    applyToStack: (stack) => {
      stack.add(
        (next, context) => async (args) => {
          names.push(String(context.commandName));
          return next(args);
        },
        { step: 'initialize', name: 'recordCommands' },
      );
    },
  };
}

/**
 * Points the real-AWS backend (`--aws`) at moto, through the endpoint override the client factory
 * reads, with an assumed role's session (moto's default caller, `sts::…:user/moto`, is no IAM ARN).
 */
async function awsBackendOnMoto(endpoint: string): Promise<void> {
  const sts = new STSClient({ region: MOTO_REGION, endpoint, credentials: MOTO_CREDENTIALS });
  const { Credentials } = await sts.send(
    new AssumeRoleCommand({ RoleArn: 'arn:aws:iam::123456789012:role/platform', RoleSessionName: 'doctor' }),
  );
  process.env.APPVEND_AWS_ENDPOINT = endpoint;
  process.env.AWS_ACCESS_KEY_ID = Credentials!.AccessKeyId!;
  process.env.AWS_SECRET_ACCESS_KEY = Credentials!.SecretAccessKey!;
  process.env.AWS_SESSION_TOKEN = Credentials!.SessionToken!;
}

const isRead = (command: string): boolean => /^(Get|List|Describe)[A-Za-z]*Command$/.test(command);

describeWithMoto('appvend doctor and the stack outputs on moto server', () => {
  let moto: MotoServer;

  beforeAll(async () => {
    moto = await startMoto({ isolated: true });
  }, 60_000);
  afterAll(async () => {
    process.env = SAVED_ENV;
    configureAws({});
    await moto?.stop();
  });
  beforeEach(async () => {
    await moto.reset();
    for (const key of Object.keys(process.env)) if (key.startsWith('APPVEND_')) delete process.env[key];
  });

  it('names each missing prerequisite of a bare organization, with read calls only', async () => {
    // A bare organization: all features, but no SCP policy type, no suspended OU, no Config bucket.
    const organizations = new OrganizationsClient({
      region: MOTO_REGION,
      endpoint: moto.endpoint,
      credentials: MOTO_CREDENTIALS,
    });
    await organizations.send(new CreateOrganizationCommand({ FeatureSet: 'ALL' }));
    const commands: string[] = [];
    configureAws({
      region: MOTO_REGION,
      endpoint: moto.endpoint,
      credentials: MOTO_CREDENTIALS,
      plugins: [recordingPlugin(commands)],
    });

    const stack = await describeServiceStack('AppvendService');
    const results = await runDoctorChecks({ stack, stackName: 'AppvendService' });

    const status = Object.fromEntries(results.map((r) => [r.name, r.status]));
    expect(status).toEqual({
      'management account': 'ok',
      'all features': 'ok',
      'SCP policy type': 'missing',
      'parent OU': 'ok',
      'suspended OU': 'warn',
      'account quota': 'ok',
      'Config delivery bucket': 'missing',
      'RAM sharing in the organization': 'warn',
      'service stack': 'info',
    });
    const fixes = results.filter((r) => r.status !== 'ok').map((r) => r.fix);
    expect(fixes).toEqual([
      expect.stringMatching(
        /^aws organizations enable-policy-type --root-id r-\w+ --policy-type SERVICE_CONTROL_POLICY$/,
      ),
      expect.stringContaining('aws organizations create-organizational-unit'),
      expect.stringContaining('aws s3api create-bucket --bucket appvend-config-'),
      'aws ram enable-sharing-with-aws-organization',
      expect.stringContaining('npx cdk deploy AppvendService'),
    ]);
    expect(commands.length).toBeGreaterThan(5);
    expect(commands.filter((command) => !isRead(command))).toEqual([]);
  });

  it('on --aws takes its settings from the deployed stack and replaces the mismatched ones', async () => {
    const cloudformation = new CloudFormationClient({
      region: MOTO_REGION,
      endpoint: moto.endpoint,
      credentials: MOTO_CREDENTIALS,
    });
    // The service stack's outputs as infra/service/service-stack.ts declares them (a topic moto
    // creates, so that the output is the real ARN).
    await cloudformation.send(
      new CreateStackCommand({
        StackName: 'AppvendService',
        TemplateBody: JSON.stringify({
          Resources: {
            SecurityFindings: {
              Type: 'AWS::SNS::Topic',
              Properties: { TopicName: 'appvend-security-findings' },
            },
          },
          Outputs: {
            SecurityFindingsTopicArn: { Value: { Ref: 'SecurityFindings' } },
            ConfigDeliveryBucketName: { Value: 'org-config-delivery' },
            StackSetAdministrationRoleName: { Value: 'appvend-stackset-administration' },
            LedgerTableName: { Value: 'appvend-ledger' },
          },
        }),
      }),
    );
    await awsBackendOnMoto(moto.endpoint);
    // What the CLI's --aws used to guess: a topic the stack does not have.
    process.env.APPVEND_NOTIFICATION_TOPIC_ARN =
      'arn:aws:sns:us-east-1:123456789012:appvend-security-notifications';
    process.env.APPVEND_EVENT_BUS_NAME = 'my-bus';
    const stderr: string[] = [];
    const write = jest.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
      stderr.push(String(chunk));
      return true;
    });
    try {
      await openBackend({ kind: 'aws', stateFile: 'unused.json', region: MOTO_REGION });
    } finally {
      write.mockRestore();
    }

    expect(process.env.APPVEND_NOTIFICATION_TOPIC_ARN).toMatch(
      /^arn:aws:sns:us-east-1:\d{12}:appvend-security-findings$/,
    );
    expect(process.env.APPVEND_CONFIG_BUCKET).toBe('org-config-delivery');
    expect(process.env.APPVEND_STACKSET_ADMIN_ROLE_NAME).toBe('appvend-stackset-administration');
    // No output for the bus: the environment's value stays, and stderr says so.
    expect(process.env.APPVEND_EVENT_BUS_NAME).toBe('my-bus');
    const said = stderr.join('');
    expect(said).toContain(
      "settings from stack AppvendService's outputs; from the environment: APPVEND_EVENT_BUS_NAME",
    );
    expect(said).toContain(
      'APPVEND_NOTIFICATION_TOPIC_ARN=arn:aws:sns:us-east-1:123456789012:appvend-security-notifications differs from the stack',
    );
  });

  it("on --aws without a stack says so and uses the stack's names as defaults", async () => {
    await awsBackendOnMoto(moto.endpoint);
    const stderr: string[] = [];
    const write = jest.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
      stderr.push(String(chunk));
      return true;
    });
    try {
      await openBackend({ kind: 'aws', stateFile: 'unused.json', region: MOTO_REGION });
    } finally {
      write.mockRestore();
    }
    expect(stderr.join('')).toContain('no stack AppvendService in this account and Region');
    expect(process.env.APPVEND_NOTIFICATION_TOPIC_ARN).toMatch(/:appvend-security-findings$/);
  });

  it('checks StackSets trusted access and the delegated administrator from a platform account, through the management role (two accounts)', async () => {
    // Prepare: the organization in moto's default account (the management account), a platform
    // member account, and in the management account the management role.
    const management = { region: MOTO_REGION, endpoint: moto.endpoint, credentials: MOTO_CREDENTIALS };
    const organizations = new OrganizationsClient(management);
    await organizations.send(new CreateOrganizationCommand({ FeatureSet: 'ALL' }));
    const { CreateAccountStatus } = await organizations.send(
      new CreateAccountCommand({ Email: 'platform@example.com', AccountName: 'platform' }),
    );
    const platform = CreateAccountStatus!.AccountId!;
    const roleArn = 'arn:aws:iam::123456789012:role/appvend-management-access';
    await new IAMClient(management).send(
      new CreateRoleCommand({
        RoleName: 'appvend-management-access',
        AssumeRolePolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Allow',
              Principal: { AWS: `arn:aws:iam::${platform}:root` },
              Action: ['sts:AssumeRole', 'sts:TagSession'],
              Condition: {
                ArnEquals: { 'aws:PrincipalArn': `arn:aws:iam::${platform}:role/appvend-service` },
              },
            },
          ],
        }),
      }),
    );
    const credentials = await platformServiceCredentials(management, platform);
    const commands: string[] = [];
    configureAws({
      region: MOTO_REGION,
      endpoint: moto.endpoint,
      credentials,
      plugins: [recordingPlugin(commands)],
      managementRoleArn: roleArn,
    });
    process.env.APPVEND_STACKSETS_MODE = 'SERVICE_MANAGED';
    const stackSetChecks = async () =>
      (await runDoctorChecks({ stack: null, stackName: 'AppvendService' })).filter(
        (r) => r.name.startsWith('StackSets') || r.name.startsWith('management'),
      );

    // Act
    const before = await stackSetChecks();
    await organizations.send(
      new EnableAWSServiceAccessCommand({
        ServicePrincipal: 'member.org.stacksets.cloudformation.amazonaws.com',
      }),
    );
    const after = await stackSetChecks();

    // Assess
    expect(before.map((r) => `${r.name}: ${r.status}`)).toEqual([
      'management role: ok',
      'management account: ok',
      'StackSets trusted access: missing',
      // moto 5.2.1 refuses StackSets' principal in ListDelegatedAdministrators ("unrecognized
      // service principal"), which AWS answers: the doctor says it could not check, and how to.
      'StackSets delegated administrator: warn',
    ]);
    expect(before[2]!.fix).toBe(
      'aws cloudformation activate-organizations-access (with credentials of the management account)',
    );
    expect(before[3]!.detail).toMatch(/InvalidInputException/);
    expect(before[3]!.fix).toContain(`should list ${platform}`);
    expect(after[2]).toMatchObject({ name: 'StackSets trusted access', status: 'ok' });
    expect(commands.filter((command) => !isRead(command) && command !== 'AssumeRoleCommand')).toEqual([]);
  });
});
