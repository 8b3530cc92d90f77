import { CreateStackSetCommand } from '@aws-sdk/client-cloudformation';
import { ListTablesCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  CreateOrganizationalUnitCommand,
  ListHandshakesForOrganizationCommand,
  OrganizationsClient,
} from '@aws-sdk/client-organizations';
import { VirtualClock } from '../../shared/clock/clock';
import { HttpRequest } from '@smithy/core/transport';
import { NotImplementedInSandbox, Sandbox, SandboxRequestSigner } from '../../shared/sandbox';
import { failure, world } from './support';

describe('Class: Sandbox', () => {
  describe('Method: plugin', () => {
    it('answers a real SDK client end to end', async () => {
      // Prepare
      const sandbox = new Sandbox({ clock: new VirtualClock() });
      const client = new OrganizationsClient({
        region: 'us-east-1',
        credentials: sandbox.managementCredentials,
      });
      client.middlewareStack.use(sandbox.plugin());

      // Act
      const output = await client.send(
        new CreateOrganizationalUnitCommand({ ParentId: 'r-sbx1', Name: 'appvend-shop' }),
      );

      // Assess
      expect(output.OrganizationalUnit?.Name).toBe('appvend-shop');
      expect(output.$metadata).toMatchObject({ httpStatusCode: 200, attempts: 1 });
      expect(output.$metadata.requestId).toMatch(/^[0-9a-f-]{36}$/);
    });

    it("knows the caller from the sandbox's signer as from SigV4: the management account may create an OU", async () => {
      // Prepare
      const sandbox = new Sandbox({ clock: new VirtualClock() });
      const client = new OrganizationsClient({
        region: 'us-east-1',
        credentials: sandbox.managementCredentials,
        signerConstructor: SandboxRequestSigner,
      });
      client.middlewareStack.use(sandbox.plugin());

      // Act
      const output = await client.send(
        new CreateOrganizationalUnitCommand({ ParentId: 'r-sbx1', Name: 'appvend-shop' }),
      );

      // Assess
      expect(output.OrganizationalUnit?.Name).toBe('appvend-shop');
      expect(sandbox.calls.at(-1)).toMatchObject({
        operation: 'CreateOrganizationalUnit',
        accountId: sandbox.organization().MasterAccountId,
      });
    });

    it('names the client and command of an operation it does not model', async () => {
      // Prepare
      const w = world();

      // Act
      const error = await failure(w.organizations.send(new ListHandshakesForOrganizationCommand({})));

      // Assess
      expect(error).toBeInstanceOf(NotImplementedInSandbox);
      expect(error.name).toBe('NotImplementedInSandbox');
      expect(error.message).toContain('OrganizationsClient ListHandshakesForOrganizationCommand');
    });

    it('refuses clients of services it does not model', async () => {
      // Prepare
      const w = world();
      const client = new DynamoDBClient({
        region: 'us-east-1',
        credentials: w.sandbox.managementCredentials,
        maxAttempts: 1,
      });
      client.middlewareStack.use(w.sandbox.plugin());

      // Act
      const error = await failure(client.send(new ListTablesCommand({})));

      // Assess
      expect(error.message).toContain('DynamoDBClient ListTablesCommand');
    });

    it('reports a template it cannot read as a gap, not as invalid', async () => {
      // Prepare
      const w = world();

      // Act
      const error = await failure(
        w.cloudformation.send(
          new CreateStackSetCommand({
            StackSetName: 'yaml',
            TemplateBody: 'Resources:\n  Topic:\n    Type: AWS::SNS::Topic\n',
          }),
        ),
      );

      // Assess
      expect(error.name).toBe('NotImplementedInSandbox');
      expect(error.message).toContain('YAML');
    });
  });
});

describe('Class: SandboxRequestSigner', () => {
  it('writes the credential scope SigV4 would, on a copy, with the signing Region and service the SDK passes', async () => {
    // Prepare
    const signer = new SandboxRequestSigner({
      credentials: async () => ({ accessKeyId: 'ASIAEXAMPLE', secretAccessKey: 'secret' }),
      region: 'us-east-1',
      service: 'organizations',
    });
    const request = new HttpRequest({ method: 'POST', hostname: 'example.com', headers: {} });

    // Act
    const signed = await signer.sign(request, {
      signingDate: new Date('2026-12-04T01:02:03Z'),
      signingRegion: 'eu-west-1',
      signingService: 'cloudformation',
    });

    // Assess
    expect(signed.headers.authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=ASIAEXAMPLE\/20261204\/eu-west-1\/cloudformation\/aws4_request, /,
    );
    expect(request.headers.authorization).toBeUndefined();
  });
});
