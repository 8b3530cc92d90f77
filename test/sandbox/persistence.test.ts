import {
  CreateStackInstancesCommand,
  CreateStackSetCommand,
  DescribeStackSetOperationCommand,
} from '@aws-sdk/client-cloudformation';
import {
  CreateAccountCommand,
  CreateOrganizationalUnitCommand,
  CreatePolicyCommand,
  DescribeCreateAccountStatusCommand,
} from '@aws-sdk/client-organizations';
import { VirtualClock } from '../../shared/clock/clock';
import { DEFAULT_LATENCY, Sandbox } from '../../shared/sandbox';
import { MINUTE, roleTemplate, vendAccounts, world, type World } from './support';

/** A little of everything, with a CreateAccount and a stack set operation still in flight. */
async function busyOrganization(w: World) {
  const [account] = await vendAccounts(w, 1);
  await w.organizations.send(new CreateOrganizationalUnitCommand({ ParentId: 'r-sbx1', Name: 'shop' }));
  await w.organizations.send(
    new CreatePolicyCommand({
      Name: 'guardrails',
      Description: 'd',
      Type: 'SERVICE_CONTROL_POLICY',
      Content: '{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"ec2:*","Resource":"*"}]}',
    }),
  );
  const { CreateAccountStatus } = await w.organizations.send(
    new CreateAccountCommand({ Email: 'late@example.com', AccountName: 'late' }),
  );
  await w.cloudformation.send(
    new CreateStackSetCommand({
      StackSetName: 'roles',
      TemplateBody: roleTemplate(),
      Parameters: [{ ParameterKey: 'AppName', ParameterValue: 'shop' }],
      Capabilities: ['CAPABILITY_NAMED_IAM'],
      ExecutionRoleName: 'OrganizationAccountAccessRole',
    }),
  );
  const { OperationId } = await w.cloudformation.send(
    new CreateStackInstancesCommand({
      StackSetName: 'roles',
      Accounts: [account!],
      Regions: ['us-east-1'],
      OperationId: 'op-1',
    }),
  );
  return { requestId: CreateAccountStatus!.Id!, operationId: OperationId! };
}

describe('Class: Sandbox', () => {
  describe('Persistence', () => {
    it('round-trips its whole state through JSON', async () => {
      // Prepare
      const w = world();
      await busyOrganization(w);

      // Act
      const saved = JSON.parse(JSON.stringify(w.sandbox.toJSON()));
      const resumed = new Sandbox({ clock: new VirtualClock(w.clock.now()), state: saved });

      // Assess
      expect(resumed.toJSON()).toEqual(w.sandbox.toJSON());
    });

    it('completes work that was in flight when the state was saved', async () => {
      // Prepare
      const w = world();
      const { requestId, operationId } = await busyOrganization(w);
      const clock = new VirtualClock(w.clock.now());
      const resumed = world({ state: JSON.parse(JSON.stringify(w.sandbox.toJSON())), clock });

      // Act
      clock.advance(DEFAULT_LATENCY.createAccount);
      const { CreateAccountStatus } = await resumed.organizations.send(
        new DescribeCreateAccountStatusCommand({ CreateAccountRequestId: requestId }),
      );
      const { StackSetOperation } = await resumed.cloudformation.send(
        new DescribeStackSetOperationCommand({ StackSetName: 'roles', OperationId: operationId }),
      );

      // Assess
      expect(CreateAccountStatus?.State).toBe('SUCCEEDED');
      expect(StackSetOperation?.Status).toBe('SUCCEEDED');
    });

    it('produces identical state from identical calls', async () => {
      // Prepare
      const first = world();
      const second = world();

      // Act
      await busyOrganization(first);
      await busyOrganization(second);
      first.clock.advance(10 * MINUTE);
      second.clock.advance(10 * MINUTE);

      // Assess
      expect(JSON.stringify(second.sandbox.toJSON())).toBe(JSON.stringify(first.sandbox.toJSON()));
    });
  });
});
