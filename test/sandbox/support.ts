import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { ConfigServiceClient } from '@aws-sdk/client-config-service';
import { OrganizationsClient } from '@aws-sdk/client-organizations';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { VirtualClock } from '../../shared/clock/clock';
import { DEFAULT_LATENCY, Sandbox, type SandboxOptions } from '../../shared/sandbox';

/** Real SDK v3 clients, all answered by one sandbox. */
export interface Clients {
  organizations: OrganizationsClient;
  sts: STSClient;
  cloudformation: CloudFormationClient;
  config: ConfigServiceClient;
}

export interface World extends Clients {
  clock: VirtualClock;
  sandbox: Sandbox;
  /** Clients signed with other credentials (an assumed role's). */
  clientsFor(credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string }): Clients;
}

export const REGION = 'us-east-1';
export const MINUTE = 60_000;

/** A fresh sandbox and management-account clients; `maxAttempts` 1 unless a test needs retries. */
export function world(options: Partial<SandboxOptions> = {}, maxAttempts = 1): World {
  const clock = new VirtualClock();
  const sandbox = new Sandbox({ clock, ...options });
  const clientsFor: World['clientsFor'] = (credentials) => {
    const config = { region: REGION, credentials, maxAttempts };
    const clients: Clients = {
      organizations: new OrganizationsClient(config),
      sts: new STSClient(config),
      cloudformation: new CloudFormationClient(config),
      config: new ConfigServiceClient(config),
    };
    for (const client of Object.values(clients)) client.middlewareStack.use(sandbox.plugin());
    return clients;
  };
  return { clock, sandbox, clientsFor, ...clientsFor(sandbox.managementCredentials) };
}

/** The error a promise rejects with (fails the test if it resolves). */
export async function failure(promise: Promise<unknown>): Promise<Error & Record<string, unknown>> {
  try {
    await promise;
  } catch (error) {
    return error as Error & Record<string, unknown>;
  }
  throw new Error('Expected the call to fail');
}

/** Credentials of a role session in an account. */
export async function assume(w: World, accountId: string, roleName = 'OrganizationAccountAccessRole') {
  const { Credentials } = await w.sts.send(
    new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${accountId}:role/${roleName}`, RoleSessionName: 'test' }),
  );
  const { AccessKeyId, SecretAccessKey, SessionToken } = Credentials ?? {};
  if (!AccessKeyId || !SecretAccessKey) throw new Error('AssumeRole returned no credentials');
  return { accessKeyId: AccessKeyId, secretAccessKey: SecretAccessKey, sessionToken: SessionToken };
}

/** Vends `count` accounts through CreateAccount and waits (virtually) until they exist. */
export async function vendAccounts(w: World, count: number): Promise<string[]> {
  const { CreateAccountCommand } = await import('@aws-sdk/client-organizations');
  for (let i = 1; i <= count; i += 1) {
    await w.organizations.send(
      new CreateAccountCommand({ Email: `app-${i}@example.com`, AccountName: `app-${i}` }),
    );
  }
  // Created, then past the access role's propagation (DEFAULT_LATENCY.accessRolePropagation).
  w.clock.advance(3 * MINUTE + DEFAULT_LATENCY.accessRolePropagation);
  return w.sandbox
    .accounts()
    .filter((a) => a.joinedMethod === 'CREATED')
    .map((a) => a.id);
}

/** A template like the vended ones: a named role trusted by the management account. */
export function roleTemplate(roleName = '${AppName}-deployer'): string {
  return JSON.stringify({
    Parameters: { AppName: { Type: 'String' }, Stage: { Type: 'String', Default: 'test' } },
    Resources: {
      DeployerRole: {
        Type: 'AWS::IAM::Role',
        Properties: {
          RoleName: { 'Fn::Sub': roleName },
          AssumeRolePolicyDocument: {
            Version: '2012-10-17',
            Statement: [
              {
                Effect: 'Allow',
                Principal: { AWS: 'arn:aws:iam::111111111111:root' },
                Action: 'sts:AssumeRole',
              },
            ],
          },
        },
      },
    },
  });
}
