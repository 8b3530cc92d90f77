import { CloudFormationClient, CreateStackInstancesCommand } from '@aws-sdk/client-cloudformation';
import { ConfigServiceClient, DescribeConfigurationRecordersCommand } from '@aws-sdk/client-config-service';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import {
  ConcurrentModificationException,
  CreateAccountCommand,
  CreateOrganizationalUnitCommand,
  DuplicateOrganizationalUnitException,
  ListRootsCommand,
  OrganizationsClient,
  TooManyRequestsException,
} from '@aws-sdk/client-organizations';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import type { AwsCredentialIdentity, FinalizeRequestMiddleware, HttpRequest } from '@smithy/types';
import type { AnyPluggable } from '../../shared/aws/client-factory';
import { VirtualClock } from '../../shared/clock/clock';
import { Sandbox } from '../../shared/sandbox';
import { FaultInjector, type FaultKind } from '../../shared/sandbox/faults';
import { faultInjectionPlugin, type InjectedCall } from '../support/fault-injection-plugin';

const REGION = 'us-east-1';
const ROOT = 'r-sbx1';
const createOu = () => new CreateOrganizationalUnitCommand({ ParentId: ROOT, Name: 'appvend-shop' });

interface Client {
  middlewareStack: { use(plugin: AnyPluggable): void };
}

/**
 * The sandbox stands in for the endpoint: its plugin answers below the fault injector (added
 * first, so the injector runs before it), and `sandbox.calls` counts the attempts that got there.
 */
function world(maxAttempts: number) {
  const clock = new VirtualClock();
  const sandbox = new Sandbox({ clock });
  const faults = new FaultInjector();
  const calls: InjectedCall[] = [];
  const management = sandbox.managementCredentials;
  const plugin = faultInjectionPlugin(faults, {
    accounts: { [management.accessKeyId]: sandbox.organization().MasterAccountId! },
    onCall: (call) => calls.push(call),
  });
  const plug = <T extends Client>(client: T): T => {
    client.middlewareStack.use(sandbox.plugin());
    client.middlewareStack.use(plugin);
    return client;
  };
  const config = (credentials: AwsCredentialIdentity = management) => ({
    region: REGION,
    credentials,
    maxAttempts,
  });
  return {
    clock,
    sandbox,
    faults,
    calls,
    plug,
    organizations: plug(new OrganizationsClient(config())),
    sts: plug(new STSClient(config())),
    config,
  };
}

/** An endpoint that answers every attempt with `output` and counts them; for services the sandbox does not model. */
function stubEndpoint(output: Record<string, unknown>): { plugin: AnyPluggable; requests: HttpRequest[] } {
  const requests: HttpRequest[] = [];
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- answers any client
  const middleware: FinalizeRequestMiddleware<any, any> = () => async (args) => {
    requests.push(args.request as HttpRequest);
    return {
      output: { ...output, $metadata: { httpStatusCode: 200 } },
      response: { statusCode: 200, headers: {} },
    };
  };
  return {
    requests,
    plugin: {
      applyToStack: (stack) =>
        stack.addRelativeTo(middleware, {
          name: 'stubEndpoint',
          relation: 'after',
          toMiddleware: 'httpSigningMiddleware',
        }),
    },
  };
}

async function failure(promise: Promise<unknown>): Promise<Error & Record<string, unknown>> {
  try {
    await promise;
  } catch (error) {
    return error as Error & Record<string, unknown>;
  }
  throw new Error('Expected the call to fail');
}

const attemptsOf = (error: Record<string, unknown>) => (error.$metadata as { attempts?: number }).attempts;

describe('Function: faultInjectionPlugin', () => {
  it.each<FaultKind>(['throttling', 'server-error', 'timeout'])(
    'has the SDK retry a %s fault, which never reaches the endpoint',
    async (kind) => {
      // Prepare
      const w = world(3);
      w.faults.inject({ service: 'organizations', operation: 'CreateOrganizationalUnit', error: kind });

      // Act
      const output = await w.organizations.send(createOu());

      // Assess
      expect(output.$metadata.attempts).toBe(2);
      expect(w.calls.map((c) => c.fault)).toEqual([kind, undefined]);
      expect(w.sandbox.calls.map((c) => c.operation)).toEqual(['CreateOrganizationalUnit']);
      expect(w.sandbox.ous()).toHaveLength(1);
    },
  );

  it.each<[FaultKind, string]>([
    ['throttling', 'TooManyRequestsException'],
    ['server-error', 'ServiceException'],
    ['timeout', 'TimeoutError'],
  ])('fails the call with the service’s error once %s outlasts the SDK’s attempts', async (kind, name) => {
    // Prepare
    const w = world(2);
    w.faults.inject({
      service: 'organizations',
      operation: 'CreateOrganizationalUnit',
      error: kind,
      times: 2,
    });

    // Act
    const error = await failure(w.organizations.send(createOu()));

    // Assess
    expect(error.name).toBe(name);
    expect(attemptsOf(error)).toBe(2);
    expect(w.sandbox.calls).toHaveLength(0);
    expect(w.faults.pending()).toEqual([]);
  });

  it('raises a concurrent modification that the SDK does not retry', async () => {
    // Prepare
    const w = world(3);
    w.faults.inject({
      service: 'organizations',
      operation: 'CreateOrganizationalUnit',
      error: 'concurrent-modification',
    });

    // Act
    const error = await failure(w.organizations.send(createOu()));

    // Assess
    expect(error).toBeInstanceOf(ConcurrentModificationException);
    expect(attemptsOf(error)).toBe(1);
    expect(w.sandbox.calls).toHaveLength(0);
  });

  it('lets a crash-after-success call take effect at the endpoint, then loses its answer', async () => {
    // Prepare
    const w = world(1);
    w.faults.inject({
      service: 'organizations',
      operation: 'CreateOrganizationalUnit',
      error: 'crash-after-success',
    });

    // Act
    const error = await failure(w.organizations.send(createOu()));

    // Assess
    expect(error.name).toBe('ServiceException');
    expect(error.$fault).toBe('server');
    expect(w.sandbox.ous().map((ou) => ou.name)).toEqual(['appvend-shop']);
  });

  it('has the SDK retry a crashed call, and passes on what the endpoint answers the retry', async () => {
    // Prepare
    const w = world(3);
    w.faults.inject({
      service: 'organizations',
      operation: 'CreateOrganizationalUnit',
      error: 'crash-after-success',
      times: 3,
    });

    // Act
    const error = await failure(w.organizations.send(createOu()));

    // Assess: the second attempt reached the endpoint, which refused it; nothing took effect twice
    expect(error).toBeInstanceOf(DuplicateOrganizationalUnitException);
    expect(attemptsOf(error)).toBe(2);
    expect(w.sandbox.calls.map((c) => c.error)).toEqual([undefined, 'DuplicateOrganizationalUnitException']);
    expect(w.sandbox.ous()).toHaveLength(1);
  });

  it('sends the same idempotency token on the SDK’s retry of a crashed call', async () => {
    // Prepare: CreateStackInstances' OperationId is filled by the SDK when the caller leaves it out
    const faults = new FaultInjector();
    const endpoint = stubEndpoint({ OperationId: 'answered' });
    const client = new CloudFormationClient({
      region: REGION,
      credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'secret' },
      maxAttempts: 3,
    });
    client.middlewareStack.use(endpoint.plugin);
    client.middlewareStack.use(faultInjectionPlugin(faults));
    faults.inject({ operation: 'CreateStackInstances', error: 'crash-after-success' });

    // Act
    await client.send(
      new CreateStackInstancesCommand({
        StackSetName: 'roles',
        Accounts: ['222222222222'],
        Regions: [REGION],
      }),
    );

    // Assess
    const tokens = endpoint.requests.map((r) => new URLSearchParams(String(r.body)).get('OperationId'));
    expect(tokens).toHaveLength(2);
    expect(tokens[0]).toMatch(/^[0-9a-f-]{36}$/);
    expect(tokens[1]).toBe(tokens[0]);
  });

  it('attributes calls to accounts: the given keys, and the keys AssumeRole handed out', async () => {
    // Prepare
    const w = world(1);
    await w.organizations.send(new CreateAccountCommand({ Email: 'app@example.com', AccountName: 'app' }));
    // CreateAccount (3 minutes), then the access role's propagation (1 minute)
    w.clock.advance(4 * 60_000);
    const member = w.sandbox.accounts().find((a) => a.email === 'app@example.com')!.id;
    const { Credentials } = await w.sts.send(
      new AssumeRoleCommand({
        RoleArn: `arn:aws:iam::${member}:role/OrganizationAccountAccessRole`,
        RoleSessionName: 'test',
      }),
    );
    const config = w.plug(
      new ConfigServiceClient(
        w.config({
          accessKeyId: Credentials!.AccessKeyId!,
          secretAccessKey: Credentials!.SecretAccessKey!,
          sessionToken: Credentials!.SessionToken!,
        }),
      ),
    );
    w.faults.inject({
      service: 'config',
      operation: 'DescribeConfigurationRecorders',
      account: member,
      error: 'server-error',
    });

    // Act
    await w.organizations.send(new ListRootsCommand({}));
    const error = await failure(config.send(new DescribeConfigurationRecordersCommand({})));

    // Assess
    const management = w.sandbox.organization().MasterAccountId;
    expect(w.calls.map((c) => [c.operation, c.accountId, c.fault])).toEqual([
      ['CreateAccount', management, undefined],
      ['AssumeRole', management, undefined],
      ['ListRoots', management, undefined],
      ['DescribeConfigurationRecorders', member, 'server-error'],
    ]);
    expect(error.name).toBe('InternalFailure');
  });

  it('leaves calls of other accounts alone when the fault names an account', async () => {
    // Prepare
    const w = world(1);
    w.faults.inject({ operation: 'ListRoots', account: '999999999999', error: 'server-error' });

    // Act
    const output = await w.organizations.send(new ListRootsCommand({}));

    // Assess
    expect(output.Roots).toHaveLength(1);
    expect(w.faults.pending()).toHaveLength(1);
  });

  it('gives the SDK the service’s own error classes', async () => {
    // Prepare
    const w = world(1);
    w.faults.inject({ service: 'OrganizationsClient', operation: 'ListRootsCommand', error: 'throttling' });

    // Act
    const error = await failure(w.organizations.send(new ListRootsCommand({})));

    // Assess
    expect(error).toBeInstanceOf(TooManyRequestsException);
    expect(error.$metadata).toMatchObject({ httpStatusCode: 400, attempts: 1 });
  });

  describe('services faults.ts does not shape (DynamoDB)', () => {
    function dynamo(maxAttempts: number) {
      const faults = new FaultInjector();
      const endpoint = stubEndpoint({ TableNames: ['ledger'] });
      const client = new DynamoDBClient({
        region: REGION,
        credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'secret' },
        maxAttempts,
      });
      client.middlewareStack.use(endpoint.plugin);
      client.middlewareStack.use(faultInjectionPlugin(faults));
      return { faults, endpoint, client };
    }

    it.each<FaultKind>(['throttling', 'server-error', 'timeout'])(
      'has the SDK retry %s like any service’s',
      async (kind) => {
        // Prepare
        const d = dynamo(3);
        d.faults.inject({ service: 'dynamodb', operation: 'ListTables', error: kind });

        // Act
        const output = await d.client.send(new ListTablesCommand({}));

        // Assess
        expect(output.TableNames).toEqual(['ledger']);
        expect(output.$metadata.attempts).toBe(2);
        expect(d.endpoint.requests).toHaveLength(1);
      },
    );

    it('raises a concurrent modification that the SDK does not retry', async () => {
      // Prepare
      const d = dynamo(3);
      d.faults.inject({
        service: 'DynamoDBClient',
        operation: 'ListTables',
        error: 'concurrent-modification',
      });

      // Act
      const error = await failure(d.client.send(new ListTablesCommand({})));

      // Assess
      expect(error.name).toBe('ConcurrentModificationException');
      expect(attemptsOf(error)).toBe(1);
      expect(d.endpoint.requests).toHaveLength(0);
    });

    it('loses the answer of a crash-after-success call that reached the endpoint', async () => {
      // Prepare
      const d = dynamo(1);
      d.faults.inject({ service: 'dynamodb', operation: 'ListTables', error: 'crash-after-success' });

      // Act
      const error = await failure(d.client.send(new ListTablesCommand({})));

      // Assess
      expect(error).toMatchObject({ name: 'InternalFailure', $fault: 'server' });
      expect(d.endpoint.requests).toHaveLength(1);
    });
  });
});
