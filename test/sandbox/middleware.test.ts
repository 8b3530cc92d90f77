import { CreateStackSetCommand } from '@aws-sdk/client-cloudformation';
import { ListTablesCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  CreateOrganizationalUnitCommand,
  ListHandshakesForOrganizationCommand,
  OrganizationsClient,
} from '@aws-sdk/client-organizations';
import { VirtualClock } from '../../shared/clock/clock';
import { NotImplementedInSandbox, Sandbox } from '../../shared/sandbox';
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
