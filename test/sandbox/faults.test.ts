import { CreateStackInstancesCommand, CreateStackSetCommand } from '@aws-sdk/client-cloudformation';
import {
  ConcurrentModificationException,
  CreateOrganizationalUnitCommand,
  DuplicateOrganizationalUnitException,
  ListRootsCommand,
  TooManyRequestsException,
} from '@aws-sdk/client-organizations';
import { failure, roleTemplate, vendAccounts, world } from './support';

const ROOT = 'r-sbx1';
const createOu = new CreateOrganizationalUnitCommand({ ParentId: ROOT, Name: 'appvend-shop' });

describe('Class: Sandbox', () => {
  describe('Faults', () => {
    it('throttles a call, and the SDK retries it to success', async () => {
      // Prepare
      const w = world({}, 3);
      w.sandbox.faults.inject({
        service: 'organizations',
        operation: 'CreateOrganizationalUnit',
        error: 'throttling',
      });

      // Act
      const output = await w.organizations.send(createOu);

      // Assess
      expect(output.$metadata.attempts).toBe(2);
      expect(w.sandbox.calls.map((c) => c.error)).toEqual(['TooManyRequestsException', undefined]);
      expect(w.sandbox.ous()).toHaveLength(1);
    });

    it('fails the call once throttling outlasts the SDK attempts', async () => {
      // Prepare
      const w = world({}, 2);
      w.sandbox.faults.inject({
        operation: 'CreateOrganizationalUnitCommand',
        error: 'throttling',
        times: 2,
      });

      // Act
      const error = await failure(w.organizations.send(createOu));

      // Assess
      expect(error).toBeInstanceOf(TooManyRequestsException);
      expect((error.$metadata as { attempts: number }).attempts).toBe(2);
    });

    it('applies the effect of a crash-after-success call although the caller sees an error', async () => {
      // Prepare
      const w = world({}, 1);
      w.sandbox.faults.inject({
        service: 'organizations',
        operation: 'CreateOrganizationalUnit',
        error: 'crash-after-success',
      });

      // Act
      const error = await failure(w.organizations.send(createOu));

      // Assess
      expect(error.name).toBe('ServiceException');
      expect(error.$fault).toBe('server');
      expect(w.sandbox.ous().map((ou) => ou.name)).toEqual(['appvend-shop']);
    });

    it('makes the SDK retry a crashed call into the effect it already had', async () => {
      // Prepare
      const w = world({}, 2);
      w.sandbox.faults.inject({
        service: 'organizations',
        operation: 'CreateOrganizationalUnit',
        error: 'crash-after-success',
      });

      // Act
      const error = await failure(w.organizations.send(createOu));

      // Assess
      expect(error).toBeInstanceOf(DuplicateOrganizationalUnitException);
      expect(w.sandbox.ous()).toHaveLength(1);
    });

    it('answers the SDK retry of a crashed stack set operation with the operation it started', async () => {
      // Prepare
      const w = world({}, 2);
      const [account] = await vendAccounts(w, 1);
      await w.cloudformation.send(
        new CreateStackSetCommand({
          StackSetName: 'roles',
          TemplateBody: roleTemplate(),
          Parameters: [{ ParameterKey: 'AppName', ParameterValue: 'shop' }],
          Capabilities: ['CAPABILITY_NAMED_IAM'],
          ExecutionRoleName: 'OrganizationAccountAccessRole',
        }),
      );
      w.sandbox.faults.inject({
        service: 'cloudformation',
        operation: 'CreateStackInstances',
        error: 'crash-after-success',
      });

      // Act
      const { OperationId } = await w.cloudformation.send(
        new CreateStackInstancesCommand({
          StackSetName: 'roles',
          Accounts: [account!],
          Regions: ['us-east-1'],
        }),
      );

      // Assess
      expect(w.sandbox.stackSetOperations().map((op) => op.id)).toEqual([OperationId]);
      expect(
        w.sandbox.calls.filter((c) => c.operation === 'CreateStackInstances').map((c) => c.error),
      ).toEqual(['InternalFailure', undefined]);
    });

    it('times a call out without effect', async () => {
      // Prepare
      const w = world({}, 1);
      w.sandbox.faults.inject({
        service: 'organizations',
        operation: 'CreateOrganizationalUnit',
        error: 'timeout',
      });

      // Act
      const error = await failure(w.organizations.send(createOu));

      // Assess
      expect(error.name).toBe('TimeoutError');
      expect(w.sandbox.ous()).toHaveLength(0);
    });

    it('raises ConcurrentModificationException, which the SDK does not retry', async () => {
      // Prepare
      const w = world({}, 3);
      w.sandbox.faults.inject({
        service: 'organizations',
        operation: 'CreateOrganizationalUnit',
        error: 'concurrent-modification',
      });

      // Act
      const error = await failure(w.organizations.send(createOu));

      // Assess
      expect(error).toBeInstanceOf(ConcurrentModificationException);
      expect((error.$metadata as { attempts: number }).attempts).toBe(1);
    });

    it('hits only the calls of the account a fault names', async () => {
      // Prepare
      const w = world();
      const [member] = await vendAccounts(w, 1);
      w.sandbox.faults.inject({ operation: 'ListRoots', account: member, error: 'server-error' });

      // Act
      const output = await w.organizations.send(new ListRootsCommand({}));

      // Assess
      expect(output.Roots).toHaveLength(1);
      expect(w.sandbox.faults.pending()).toHaveLength(1);
    });

    it('disarms every fault on clear', async () => {
      // Prepare
      const w = world();
      w.sandbox.faults.inject({ operation: 'ListRoots', error: 'server-error', times: 5 });

      // Act
      w.sandbox.faults.clear();
      const output = await w.organizations.send(new ListRootsCommand({}));

      // Assess
      expect(output.Roots).toHaveLength(1);
    });
  });
});
