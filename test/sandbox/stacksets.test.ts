import {
  CloudFormationServiceException,
  CreateStackInstancesCommand,
  CreateStackSetCommand,
  DeleteStackInstancesCommand,
  DeleteStackSetCommand,
  DescribeStackInstanceCommand,
  DescribeStackSetCommand,
  DescribeStackSetOperationCommand,
  InsufficientCapabilitiesException,
  ListStackInstancesCommand,
  ListStackSetOperationResultsCommand,
  NameAlreadyExistsException,
  OperationIdAlreadyExistsException,
  OperationInProgressException,
  OperationNotFoundException,
  StackSetNotEmptyException,
  UpdateStackInstancesCommand,
  UpdateStackSetCommand,
  type CreateStackInstancesCommandInput,
  type CreateStackSetCommandInput,
} from '@aws-sdk/client-cloudformation';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { DEFAULT_LATENCY } from '../../shared/sandbox';
import { assume, failure, roleTemplate, vendAccounts, world, type World } from './support';

const {
  stackSetOperationOverhead: OVERHEAD,
  stackInstanceCreate: CREATE,
  stackInstanceUpdate: UPDATE,
  stackInstanceDelete: DELETE,
} = DEFAULT_LATENCY;
const NAME = 'appvend-shop-cross-account-roles';

async function createStackSet(w: World, extra: Partial<CreateStackSetCommandInput> = {}) {
  return w.cloudformation.send(
    new CreateStackSetCommand({
      StackSetName: NAME,
      TemplateBody: roleTemplate(),
      Parameters: [{ ParameterKey: 'AppName', ParameterValue: 'shop' }],
      Capabilities: ['CAPABILITY_NAMED_IAM'],
      PermissionModel: 'SELF_MANAGED',
      AdministrationRoleARN: 'arn:aws:iam::111111111111:role/AWSCloudFormationStackSetAdministrationRole',
      ExecutionRoleName: 'OrganizationAccountAccessRole',
      ...extra,
    }),
  );
}

async function createInstances(
  w: World,
  accounts: string[],
  extra: Partial<CreateStackInstancesCommandInput> = {},
) {
  const { OperationId } = await w.cloudformation.send(
    new CreateStackInstancesCommand({
      StackSetName: NAME,
      Accounts: accounts,
      Regions: ['us-east-1'],
      ...extra,
    }),
  );
  return OperationId!;
}

async function operationStatus(w: World, operationId: string) {
  const { StackSetOperation } = await w.cloudformation.send(
    new DescribeStackSetOperationCommand({ StackSetName: NAME, OperationId: operationId }),
  );
  return StackSetOperation!.Status;
}

describe('Class: Sandbox', () => {
  describe('CloudFormation StackSets: stack sets', () => {
    it('creates a stack set and describes it back', async () => {
      // Prepare
      const w = world();

      // Act
      const { StackSetId } = await createStackSet(w, { ManagedExecution: { Active: true } });
      const { StackSet } = await w.cloudformation.send(new DescribeStackSetCommand({ StackSetName: NAME }));

      // Assess
      expect(StackSetId).toMatch(new RegExp(`^${NAME}:[0-9a-f-]{36}$`));
      expect(StackSet).toMatchObject({
        StackSetId,
        Status: 'ACTIVE',
        TemplateBody: roleTemplate(),
        Parameters: [{ ParameterKey: 'AppName', ParameterValue: 'shop' }],
        ExecutionRoleName: 'OrganizationAccountAccessRole',
        ManagedExecution: { Active: true },
      });
    });

    it('refuses a second stack set of the same name with NameAlreadyExistsException', async () => {
      // Prepare
      const w = world();
      await createStackSet(w);

      // Act
      const error = await failure(createStackSet(w));

      // Assess
      expect(error).toBeInstanceOf(NameAlreadyExistsException);
    });

    it('refuses a name CloudFormation does not allow with ValidationError', async () => {
      // Prepare
      const w = world();

      // Act
      const error = await failure(createStackSet(w, { StackSetName: '1-starts-with-a-digit' }));

      // Assess
      expect(error).toBeInstanceOf(CloudFormationServiceException);
      expect(error.name).toBe('ValidationError');
    });

    it('refuses a template parameter without a value or default', async () => {
      // Prepare
      const w = world();

      // Act
      const error = await failure(createStackSet(w, { Parameters: [] }));

      // Assess
      expect(error.name).toBe('ValidationError');
      expect(error.message).toBe('Parameters: [AppName] must have values');
    });

    it('refuses a parameter the template does not declare', async () => {
      // Prepare
      const w = world();

      // Act
      const error = await failure(
        createStackSet(w, {
          Parameters: [
            { ParameterKey: 'AppName', ParameterValue: 'shop' },
            { ParameterKey: 'Nope', ParameterValue: 'x' },
          ],
        }),
      );

      // Assess
      expect(error.message).toBe('Parameters: [Nope] do not exist in the template');
    });

    it('checks AllowedPattern against each element of a list parameter', async () => {
      // Prepare
      const w = world();
      const template = JSON.stringify({
        Parameters: { Accounts: { Type: 'CommaDelimitedList', AllowedPattern: '^\\d{12}$' } },
        Resources: { Topic: { Type: 'AWS::SNS::Topic' } },
      });
      const withAccounts = (name: string, value: string) =>
        createStackSet(w, {
          StackSetName: name,
          TemplateBody: template,
          Parameters: [{ ParameterKey: 'Accounts', ParameterValue: value }],
        });

      // Act
      await withAccounts('valid', '200000000001,200000000002');
      const error = await failure(withAccounts('invalid', '200000000001,nope'));

      // Assess
      expect(error.message).toBe("Parameter 'Accounts' must match pattern ^\\d{12}$");
    });

    it('requires CAPABILITY_NAMED_IAM for a template with named IAM roles', async () => {
      // Prepare
      const w = world();

      // Act
      const error = await failure(createStackSet(w, { Capabilities: ['CAPABILITY_IAM'] }));

      // Assess
      expect(error).toBeInstanceOf(InsufficientCapabilitiesException);
      expect(error.message).toBe('Requires capabilities : [CAPABILITY_NAMED_IAM]');
    });

    it('refuses to delete a stack set that still has instances', async () => {
      // Prepare
      const w = world();
      const accounts = await vendAccounts(w, 1);
      await createStackSet(w);
      await createInstances(w, accounts);
      w.clock.advance(OVERHEAD + CREATE);

      // Act
      const error = await failure(w.cloudformation.send(new DeleteStackSetCommand({ StackSetName: NAME })));

      // Assess
      expect(error).toBeInstanceOf(StackSetNotEmptyException);
    });
  });

  describe('CloudFormation StackSets: operations', () => {
    it('runs a create operation for overhead + one instance latency per account at the default concurrency of 1', async () => {
      // Prepare
      const w = world();
      const accounts = await vendAccounts(w, 2);
      await createStackSet(w);
      const operationId = await createInstances(w, accounts);

      // Act
      w.clock.advance(OVERHEAD + 2 * CREATE - 1);
      const before = await operationStatus(w, operationId);
      w.clock.advance(1);
      const after = await operationStatus(w, operationId);

      // Assess
      expect(before).toBe('RUNNING');
      expect(after).toBe('SUCCEEDED');
    });

    it('deploys batches of MaxConcurrentCount when the failure tolerance allows it', async () => {
      // Prepare
      const w = world();
      const accounts = await vendAccounts(w, 4);
      await createStackSet(w);
      const operationId = await createInstances(w, accounts, {
        OperationPreferences: { MaxConcurrentCount: 2, FailureToleranceCount: 1 },
      });

      // Act
      w.clock.advance(OVERHEAD + 2 * CREATE);
      const status = await operationStatus(w, operationId);

      // Assess
      expect(status).toBe('SUCCEEDED');
    });

    it('caps concurrency at FailureToleranceCount + 1 under STRICT_FAILURE_TOLERANCE, the default', async () => {
      // Prepare
      const w = world();
      const accounts = await vendAccounts(w, 3);
      await createStackSet(w);
      const operationId = await createInstances(w, accounts, {
        OperationPreferences: {
          RegionConcurrencyType: 'PARALLEL',
          MaxConcurrentPercentage: 100,
          FailureToleranceCount: 0,
        },
      });

      // Act
      w.clock.advance(OVERHEAD + CREATE);
      const status = await operationStatus(w, operationId);

      // Assess
      expect(status).toBe('RUNNING');
    });

    it('deploys all accounts at once with SOFT_FAILURE_TOLERANCE', async () => {
      // Prepare
      const w = world();
      const accounts = await vendAccounts(w, 3);
      await createStackSet(w);
      const operationId = await createInstances(w, accounts, {
        OperationPreferences: {
          MaxConcurrentPercentage: 100,
          FailureToleranceCount: 0,
          ConcurrencyMode: 'SOFT_FAILURE_TOLERANCE',
        },
      });

      // Act
      w.clock.advance(OVERHEAD + CREATE);
      const status = await operationStatus(w, operationId);

      // Assess
      expect(status).toBe('SUCCEEDED');
    });

    it('records what each instance was deployed with', async () => {
      // Prepare
      const w = world();
      const [account] = await vendAccounts(w, 1);
      await createStackSet(w);
      const operationId = await createInstances(w, [account!], {
        ParameterOverrides: [{ ParameterKey: 'Stage', ParameterValue: 'prod' }],
      });

      // Act
      w.clock.advance(OVERHEAD + CREATE);
      const [instance] = w.sandbox.stackInstances();

      // Assess
      expect(instance).toMatchObject({
        stackSetName: NAME,
        account,
        region: 'us-east-1',
        status: 'CURRENT',
        detailedStatus: 'SUCCEEDED',
        lastOperationId: operationId,
        deployed: {
          templateBody: roleTemplate(),
          parameters: { AppName: 'shop', Stage: 'prod' },
          operationId,
        },
      });
    });

    it('creates the named IAM roles of the template in the target account', async () => {
      // Prepare
      const w = world();
      const [account] = await vendAccounts(w, 1);
      await createStackSet(w);
      await createInstances(w, [account!]);
      w.clock.advance(OVERHEAD + CREATE);

      // Act
      const identity = await w
        .clientsFor(await assume(w, account!, 'shop-deployer'))
        .sts.send(new GetCallerIdentityCommand({}));

      // Assess
      expect(identity.Arn).toBe(`arn:aws:sts::${account}:assumed-role/shop-deployer/test`);
    });

    it('fails an instance whose account lacks the execution role, and the operation with it', async () => {
      // Prepare
      const w = world();
      const [account] = await vendAccounts(w, 1);
      await createStackSet(w, { ExecutionRoleName: 'AWSCloudFormationStackSetExecutionRole' });
      const operationId = await createInstances(w, [account!]);

      // Act
      w.clock.advance(OVERHEAD);
      const status = await operationStatus(w, operationId);
      const { StackInstance } = await w.cloudformation.send(
        new DescribeStackInstanceCommand({
          StackSetName: NAME,
          StackInstanceAccount: account,
          StackInstanceRegion: 'us-east-1',
        }),
      );

      // Assess
      expect(status).toBe('FAILED');
      expect(StackInstance).toMatchObject({
        Status: 'OUTDATED',
        StackInstanceStatus: { DetailedStatus: 'FAILED' },
      });
      expect(StackInstance?.StatusReason).toContain(
        "should have 'AWSCloudFormationStackSetExecutionRole' role",
      );
    });

    it('reports per-target results once the operation ends', async () => {
      // Prepare
      const w = world();
      const accounts = await vendAccounts(w, 2);
      await createStackSet(w);
      const operationId = await createInstances(w, accounts);
      w.clock.advance(OVERHEAD + 2 * CREATE);

      // Act
      const { Summaries } = await w.cloudformation.send(
        new ListStackSetOperationResultsCommand({ StackSetName: NAME, OperationId: operationId }),
      );

      // Assess
      expect(Summaries?.map((s) => [s.Account, s.Status])).toEqual(accounts.map((a) => [a, 'SUCCEEDED']));
    });

    it('refuses a second operation while one runs with OperationInProgressException', async () => {
      // Prepare
      const w = world();
      const [first, second] = await vendAccounts(w, 2);
      await createStackSet(w);
      await createInstances(w, [first!]);

      // Act
      const error = await failure(createInstances(w, [second!]));

      // Assess
      expect(error).toBeInstanceOf(OperationInProgressException);
    });

    it('queues a second operation under managed execution and runs it when the first ends', async () => {
      // Prepare
      const w = world();
      const [first, second] = await vendAccounts(w, 2);
      await createStackSet(w, { ManagedExecution: { Active: true } });
      await createInstances(w, [first!]);
      const queued = await createInstances(w, [second!]);

      // Act
      const whileFirstRuns = await operationStatus(w, queued);
      w.clock.advance(OVERHEAD + CREATE);
      const afterFirst = await operationStatus(w, queued);
      w.clock.advance(OVERHEAD + CREATE);
      const afterBoth = await operationStatus(w, queued);

      // Assess
      expect([whileFirstRuns, afterFirst, afterBoth]).toEqual(['QUEUED', 'RUNNING', 'SUCCEEDED']);
    });

    it('leaves a stack set unchanged when its update is refused', async () => {
      // Prepare
      const w = world();
      const [account] = await vendAccounts(w, 1);
      await createStackSet(w);
      await createInstances(w, [account!]);

      // Act
      await failure(
        w.cloudformation.send(
          new UpdateStackSetCommand({
            StackSetName: NAME,
            TemplateBody: roleTemplate('${AppName}-other'),
            Capabilities: ['CAPABILITY_NAMED_IAM'],
          }),
        ),
      );

      // Assess
      expect(w.sandbox.stackSets()[0]?.templateBody).toBe(roleTemplate());
    });

    it('runs an update without AdministrationRoleARN with the default administration role, not the previous one', async () => {
      // Prepare: the management account has a customized administration role only
      const w = world({ stackSetAdministrationRoleName: 'appvend-stackset-administration' });
      const [account] = await vendAccounts(w, 1);
      await createStackSet(w, {
        AdministrationRoleARN: 'arn:aws:iam::111111111111:role/appvend-stackset-administration',
      });
      await createInstances(w, [account!]);
      w.clock.advance(OVERHEAD + CREATE);
      const update = (extra: object) =>
        w.cloudformation.send(
          new UpdateStackSetCommand({
            StackSetName: NAME,
            TemplateBody: roleTemplate('${AppName}-other'),
            Capabilities: ['CAPABILITY_NAMED_IAM'],
            ...extra,
          }),
        );

      // Act
      const omitted = (await update({})).OperationId!;
      w.clock.advance(OVERHEAD + UPDATE);
      const named = (
        await update({
          AdministrationRoleARN: 'arn:aws:iam::111111111111:role/appvend-stackset-administration',
        })
      ).OperationId!;
      w.clock.advance(OVERHEAD + UPDATE);

      // Assess
      const { StackSetOperation } = await w.cloudformation.send(
        new DescribeStackSetOperationCommand({ StackSetName: NAME, OperationId: omitted }),
      );
      expect(StackSetOperation).toMatchObject({
        Status: 'FAILED',
        AdministrationRoleARN: 'arn:aws:iam::111111111111:role/AWSCloudFormationStackSetAdministrationRole',
      });
      const { Summaries } = await w.cloudformation.send(
        new ListStackSetOperationResultsCommand({ StackSetName: NAME, OperationId: omitted }),
      );
      expect(Summaries?.[0]?.StatusReason).toContain(
        'Cannot assume role arn:aws:iam::111111111111:role/AWSCloudFormationStackSetAdministrationRole',
      );
      expect(await operationStatus(w, named)).toBe('SUCCEEDED');
    });

    it('updates every instance with a new template', async () => {
      // Prepare
      const w = world();
      const accounts = await vendAccounts(w, 2);
      await createStackSet(w);
      await createInstances(w, accounts);
      w.clock.advance(OVERHEAD + 2 * CREATE);

      // Act
      const { OperationId } = await w.cloudformation.send(
        new UpdateStackSetCommand({
          StackSetName: NAME,
          TemplateBody: roleTemplate('${AppName}-other'),
          Capabilities: ['CAPABILITY_NAMED_IAM'],
        }),
      );
      w.clock.advance(OVERHEAD + 2 * UPDATE);

      // Assess
      expect(
        w.sandbox.stackInstances().map((i) => [i.status, i.deployed?.operationId, i.deployed?.templateBody]),
      ).toEqual(accounts.map(() => ['CURRENT', OperationId, roleTemplate('${AppName}-other')]));
      expect(w.sandbox.accounts().find((a) => a.id === accounts[0])?.roles).toEqual([
        'OrganizationAccountAccessRole',
        'shop-other',
      ]);
    });

    it('skips instances that are already current when asked to create them again', async () => {
      // Prepare
      const w = world();
      const [account] = await vendAccounts(w, 1);
      await createStackSet(w);
      await createInstances(w, [account!]);
      w.clock.advance(OVERHEAD + CREATE);

      // Act
      const operationId = await createInstances(w, [account!]);
      w.clock.advance(OVERHEAD);

      // Assess
      expect(await operationStatus(w, operationId)).toBe('SUCCEEDED');
      const { Summaries } = await w.cloudformation.send(
        new ListStackInstancesCommand({ StackSetName: NAME }),
      );
      expect(Summaries).toHaveLength(1);
    });

    it('answers a repeated request with the same OperationId with the same operation', async () => {
      // Prepare
      const w = world({}, 1);
      const [account] = await vendAccounts(w, 1);
      await createStackSet(w);
      const first = await createInstances(w, [account!], { OperationId: 'vend-shop-roles-1' });

      // Act
      const again = await createInstances(w, [account!], { OperationId: 'vend-shop-roles-1' });

      // Assess
      expect(again).toBe(first);
      expect(w.sandbox.stackSetOperations()).toHaveLength(1);
    });

    it('refuses an OperationId reused for a different request', async () => {
      // Prepare
      const w = world();
      const [first, second] = await vendAccounts(w, 2);
      await createStackSet(w, { ManagedExecution: { Active: true } });
      await createInstances(w, [first!], { OperationId: 'vend-shop-roles-1' });

      // Act
      const error = await failure(createInstances(w, [second!], { OperationId: 'vend-shop-roles-1' }));

      // Assess
      expect(error).toBeInstanceOf(OperationIdAlreadyExistsException);
    });

    it('redeploys an instance with new parameter overrides', async () => {
      // Prepare
      const w = world();
      const [account] = await vendAccounts(w, 1);
      await createStackSet(w);
      await createInstances(w, [account!]);
      w.clock.advance(OVERHEAD + CREATE);

      // Act
      await w.cloudformation.send(
        new UpdateStackInstancesCommand({
          StackSetName: NAME,
          Accounts: [account!],
          Regions: ['us-east-1'],
          ParameterOverrides: [{ ParameterKey: 'Stage', ParameterValue: 'prod' }],
        }),
      );
      w.clock.advance(OVERHEAD + UPDATE);

      // Assess
      expect(w.sandbox.stackInstances()[0]?.deployed?.parameters).toEqual({ AppName: 'shop', Stage: 'prod' });
    });

    it('deletes instances with their stacks, after which the stack set can be deleted', async () => {
      // Prepare
      const w = world();
      const [account] = await vendAccounts(w, 1);
      await createStackSet(w);
      await createInstances(w, [account!]);
      w.clock.advance(OVERHEAD + CREATE);

      // Act
      await w.cloudformation.send(
        new DeleteStackInstancesCommand({
          StackSetName: NAME,
          Accounts: [account!],
          Regions: ['us-east-1'],
          RetainStacks: false,
        }),
      );
      w.clock.advance(OVERHEAD + DELETE);
      await w.cloudformation.send(new DeleteStackSetCommand({ StackSetName: NAME }));

      // Assess
      expect(w.sandbox.stackInstances()).toEqual([]);
      expect(w.sandbox.accounts().find((a) => a.id === account)?.roles).toEqual([
        'OrganizationAccountAccessRole',
      ]);
      expect(w.sandbox.stackSets()[0]?.status).toBe('DELETED');
    });

    it('refuses a stack that imports an export nobody made, and the deletion of an export still imported', async () => {
      // Prepare: one stack set exports a value, another imports it, in the same account and Region
      const w = world();
      const [account] = await vendAccounts(w, 1);
      const resources = { Topic: { Type: 'AWS::SNS::Topic', Properties: {} } };
      const exporter = JSON.stringify({
        Parameters: { AppName: { Type: 'String' } },
        Resources: resources,
        Outputs: { Value: { Value: 'v', Export: { Name: { 'Fn::Sub': '${AppName}-value' } } } },
      });
      const importer = JSON.stringify({
        Parameters: { AppName: { Type: 'String' } },
        Resources: {
          Topic: {
            Type: 'AWS::SNS::Topic',
            Properties: { DisplayName: { 'Fn::ImportValue': { 'Fn::Sub': '${AppName}-value' } } },
          },
        },
      });
      const deploy = async (name: string, body: string) => {
        await createStackSet(w, { StackSetName: name, TemplateBody: body });
        await w.cloudformation.send(
          new CreateStackInstancesCommand({
            StackSetName: name,
            Accounts: [account!],
            Regions: ['us-east-1'],
          }),
        );
        w.clock.advance(OVERHEAD + CREATE);
      };
      const statusOf = (name: string) => w.sandbox.stackInstances().find((i) => i.stackSetName === name);

      // Act
      await deploy('shop-importer', importer);
      const beforeExport = statusOf('shop-importer');
      await deploy('shop-exporter', exporter);
      await w.cloudformation.send(
        new CreateStackInstancesCommand({
          StackSetName: 'shop-importer',
          Accounts: [account!],
          Regions: ['us-east-1'],
        }),
      );
      w.clock.advance(OVERHEAD + CREATE);
      const afterExport = statusOf('shop-importer');
      await w.cloudformation.send(
        new DeleteStackInstancesCommand({
          StackSetName: 'shop-exporter',
          Accounts: [account!],
          Regions: ['us-east-1'],
          RetainStacks: false,
        }),
      );
      w.clock.advance(OVERHEAD + DELETE);

      // Assess
      expect(beforeExport).toMatchObject({
        status: 'OUTDATED',
        statusReason: 'No export named shop-value found. Rollback requested by user.',
      });
      expect(afterExport?.status).toBe('CURRENT');
      expect(statusOf('shop-exporter')).toMatchObject({
        status: 'INOPERABLE',
        statusReason: expect.stringMatching(/^Export shop-value cannot be deleted as it is in use by /),
      });
    });

    it('answers OperationNotFoundException for an unknown operation', async () => {
      // Prepare
      const w = world();
      await createStackSet(w);

      // Act
      const error = await failure(operationStatus(w, '00000000-0000-4000-8000-000000000000'));

      // Assess
      expect(error).toBeInstanceOf(OperationNotFoundException);
    });
  });
});
