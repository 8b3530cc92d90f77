import {
  CloudFormationClient,
  CreateStackInstancesCommand,
  CreateStackSetCommand,
  DescribeStackSetOperationCommand,
  UpdateStackSetCommand,
} from '@aws-sdk/client-cloudformation';
import {
  CreateAccountCommand,
  DescribeCreateAccountStatusCommand,
  OrganizationsClient,
} from '@aws-sdk/client-organizations';
import {
  ACCOUNT_ACCESS_ROLE,
  accountSpecs,
  roleArn,
  stackSetName,
  type TemplateKey,
} from '../shared/domain/naming';
import { planStackSet, type PlannedAccount } from '../shared/domain/stack-set-plan';
import { parseRequest } from '../shared/request/validate';
import { loadTemplate } from '../shared/templates/template-store';
import type { BenchWorld } from './world';

/** How often the person running the reference procedure looks at a running step. */
export const REFERENCE_POLL_MS = 5_000;

export interface ReferenceStep {
  step: string;
  startedAt: number;
  endedAt: number;
}

export interface ReferenceRun {
  makespanMs: number;
  steps: ReferenceStep[];
  apiCalls: number;
}

/**
 * The reference procedure (the blog post appvend grew from), modelled on the same sandbox and
 * clock as appvend, by driving the sandbox's AWS SDK clients directly: create the accounts one
 * after another, then deploy the stacks one after another, by hand: artifact store (tooling),
 * roles in test, roles in prod, pipeline (tooling), artifact store again, pipeline again (the
 * second passes close the circular dependency between the key, the roles and the pipeline).
 *
 * Each stack is deployed as a single-account stack set operation, which the sandbox times as a
 * stack deployment plus the StackSets overhead. The operator looks every 5 seconds, a tighter
 * watch than a person keeps, so the figure favours the reference.
 */
export async function runReference(world: BenchWorld, request: unknown): Promise<ReferenceRun> {
  const { clock, sandbox } = world;
  const app = parseRequest(request);
  const config = sandbox.clientConfig();
  const organizations = new OrganizationsClient(config);
  organizations.middlewareStack.use(sandbox.plugin());
  const cloudFormation = new CloudFormationClient(config);
  cloudFormation.middlewareStack.use(sandbox.plugin());
  const management = sandbox.organization().MasterAccountId;
  const callsBefore = sandbox.calls.length;
  const steps: ReferenceStep[] = [];
  const startedAt = clock.now();

  const step = async (name: string, work: () => Promise<void>) => {
    const begin = clock.now();
    await work();
    steps.push({ step: name, startedAt: begin, endedAt: clock.now() });
  };
  const waitUntil = async (done: () => Promise<boolean>) => {
    while (!(await clock.busy(done))) await clock.sleep(REFERENCE_POLL_MS);
  };

  const accounts: PlannedAccount[] = [];
  for (const spec of accountSpecs(app)) {
    await step(`account ${spec.stage}`, async () => {
      const { CreateAccountStatus: status } = await clock.busy(() =>
        organizations.send(new CreateAccountCommand({ AccountName: spec.name, Email: spec.email })),
      );
      let accountId: string | undefined;
      await waitUntil(async () => {
        const { CreateAccountStatus: now } = await organizations.send(
          new DescribeCreateAccountStatusCommand({ CreateAccountRequestId: status!.Id! }),
        );
        if (now?.State === 'FAILED')
          throw new Error(`CreateAccount ${spec.email} failed: ${now.FailureReason}`);
        accountId = now?.AccountId;
        return now?.State === 'SUCCEEDED';
      });
      accounts.push({ stage: spec.stage, id: accountId! });
    });
  }

  const settings = {
    notificationTopicArn: `arn:aws:sns:us-east-1:${management}:appvend-security-notifications`,
  };
  const waitForOperation = (name: string, operationId: string) =>
    waitUntil(async () => {
      const { StackSetOperation: op } = await cloudFormation.send(
        new DescribeStackSetOperationCommand({ StackSetName: name, OperationId: operationId }),
      );
      if (op?.Status === 'FAILED' || op?.Status === 'STOPPED')
        throw new Error(`${name}: operation ${op.Status}`);
      return op?.Status === 'SUCCEEDED';
    });
  const created = new Set<string>();
  const deploy = async (template: TemplateKey, account: string) => {
    const plan = planStackSet(template, app, accounts, settings);
    const name = stackSetName(app.name, template);
    const parameters = Object.entries(plan.parameters).map(([ParameterKey, ParameterValue]) => ({
      ParameterKey,
      ParameterValue,
    }));
    const { OperationId } = await clock.busy(async () => {
      if (!created.has(name)) {
        await cloudFormation.send(
          new CreateStackSetCommand({
            StackSetName: name,
            TemplateBody: loadTemplate(template),
            Parameters: parameters,
            Capabilities: ['CAPABILITY_NAMED_IAM'],
            PermissionModel: 'SELF_MANAGED',
            AdministrationRoleARN: roleArn(management, 'AWSCloudFormationStackSetAdministrationRole'),
            ExecutionRoleName: ACCOUNT_ACCESS_ROLE,
          }),
        );
        created.add(name);
        return cloudFormation.send(
          new CreateStackInstancesCommand({
            StackSetName: name,
            Accounts: [account],
            Regions: ['us-east-1'],
          }),
        );
      }
      const known = sandbox.stackInstances().some((i) => i.stackSetName === name && i.account === account);
      if (!known) {
        return cloudFormation.send(
          new CreateStackInstancesCommand({
            StackSetName: name,
            Accounts: [account],
            Regions: ['us-east-1'],
          }),
        );
      }
      // The second pass: the same stack deployed again once the other stacks exist.
      return cloudFormation.send(
        new UpdateStackSetCommand({
          StackSetName: name,
          TemplateBody: loadTemplate(template),
          Parameters: parameters,
          Capabilities: ['CAPABILITY_NAMED_IAM'],
        }),
      );
    });
    await waitForOperation(name, OperationId!);
  };

  const id = (stage: string) => accounts.find((a) => a.stage === stage)!.id;
  const tooling = id('tooling');
  await step('artifact store', () => deploy('artifact-store', tooling));
  for (const stage of app.stages)
    await step(`roles in ${stage}`, () => deploy('cross-account-roles', id(stage)));
  await step('pipeline', () => deploy('pipeline', tooling));
  await step('artifact store again', () => deploy('artifact-store', tooling));
  await step('pipeline again', () => deploy('pipeline', tooling));

  return { makespanMs: clock.now() - startedAt, steps, apiCalls: sandbox.calls.length - callsBefore };
}
