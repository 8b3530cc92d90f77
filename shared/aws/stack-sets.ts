import { randomUUID } from 'node:crypto';
import { stackSetDifferences } from '../domain/stack-set-differences';
import {
  CreateStackInstancesCommand,
  CreateStackSetCommand,
  DescribeStackSetCommand,
  DescribeStackSetOperationCommand,
  UpdateStackSetCommand,
  paginateListStackInstances,
  paginateListStackSetOperationResults,
  paginateListStackSetOperations,
  type CloudFormationClient,
  type StackInstanceSummary,
  type StackSet,
  type StackSetOperationPreferences,
} from '@aws-sdk/client-cloudformation';
import { StackSetOperationFailedError } from '../errors';
import { collect, findInPages, isAwsError } from './paginate';
import { isBucketRefill } from './stack-buckets';
import { toAwsTags } from './tags';

/** Everything that defines one stack set and where its instances go. */
export interface StackSetSpec {
  name: string;
  description: string;
  templateBody: string;
  parameters: Record<string, string>;
  accounts: string[];
  region: string;
  tags?: Record<string, string>;
  /** SELF_MANAGED permissions: the admin role in this account, the execution role in targets. */
  administrationRoleArn: string;
  executionRoleName: string;
}

export type StackSetProgress =
  | { state: 'DONE'; stackSetId: string }
  | { state: 'RUNNING'; stackSetId: string; operationId: string; action: string };

/**
 * All accounts at once, and one failure fails the operation: a half-deployed pipeline is useless.
 * SOFT_FAILURE_TOLERANCE keeps the concurrency at 100 %: under the default STRICT mode it would be
 * capped at FailureToleranceCount + 1 = 1, deploying the accounts one after another.
 */
const OPERATION_PREFERENCES: StackSetOperationPreferences = {
  RegionConcurrencyType: 'PARALLEL',
  MaxConcurrentPercentage: 100,
  FailureToleranceCount: 0,
  ConcurrencyMode: 'SOFT_FAILURE_TOLERANCE',
};
const CAPABILITIES = ['CAPABILITY_NAMED_IAM'] as const;
const ACTIVE_OPERATION = new Set(['RUNNING', 'QUEUED', 'STOPPING']);

const toParameters = (parameters: Record<string, string>) =>
  Object.entries(parameters)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([ParameterKey, ParameterValue]) => ({ ParameterKey, ParameterValue }));

/** The stack set, or undefined when there is none (a read only: the plan describes it the same way). */
export async function describeStackSet(
  client: CloudFormationClient,
  name: string,
): Promise<StackSet | undefined> {
  try {
    const { StackSet: stackSet } = await client.send(new DescribeStackSetCommand({ StackSetName: name }));
    return stackSet;
  } catch (error) {
    if (isAwsError(error, 'StackSetNotFoundException')) return undefined;
    throw error;
  }
}

async function createStackSet(client: CloudFormationClient, spec: StackSetSpec): Promise<StackSet> {
  try {
    await client.send(
      new CreateStackSetCommand({
        StackSetName: spec.name,
        Description: spec.description,
        TemplateBody: spec.templateBody,
        Parameters: toParameters(spec.parameters),
        Capabilities: [...CAPABILITIES],
        PermissionModel: 'SELF_MANAGED',
        AdministrationRoleARN: spec.administrationRoleArn,
        ExecutionRoleName: spec.executionRoleName,
        // Managed execution queues conflicting operations instead of refusing them.
        ManagedExecution: { Active: true },
        Tags: toAwsTags(spec.tags),
      }),
    );
  } catch (error) {
    // A create whose answer was lost, or a concurrent vend of the same application.
    if (!isAwsError(error, 'NameAlreadyExistsException')) throw error;
  }
  const created = await describeStackSet(client, spec.name);
  if (!created) throw new Error(`Stack set ${spec.name} was created but cannot be described`);
  return created;
}

async function findActiveOperation(client: CloudFormationClient, name: string) {
  return findInPages(
    paginateListStackSetOperations({ client }, { StackSetName: name }),
    (page) => page.Summaries,
    (op) => op.Status !== undefined && ACTIVE_OPERATION.has(op.Status),
  );
}

/**
 * Moves a stack set one step towards the spec and says whether an operation is now running.
 * The state machine calls it again after each operation ends, until it answers DONE: create the
 * stack set, wait for any operation already running (one a lost earlier attempt may have
 * started), update the template and parameters when they differ, then add missing instances.
 */
/**
 * Starts a stack set operation under an id of our own. The SDK re-sends the same id when it retries
 * a call whose answer was lost; if AWS then answers OperationIdAlreadyExistsException, the
 * operation is the one the first send started, and it is followed like any other.
 */
async function startOperation(
  send: (operationId: string) => Promise<{ OperationId?: string }>,
): Promise<string> {
  const operationId = randomUUID();
  try {
    // AWS answers with the id it was given; an emulator that makes up its own is followed too.
    const { OperationId } = await send(operationId);
    return OperationId ?? operationId;
  } catch (error) {
    if (!isAwsError(error, 'OperationIdAlreadyExistsException')) throw error;
    return operationId;
  }
}

/** The stack set's instances in the Region. */
export async function listStackInstances(
  client: CloudFormationClient,
  name: string,
  region: string,
): Promise<StackInstanceSummary[]> {
  return collect(
    paginateListStackInstances({ client }, { StackSetName: name, StackInstanceRegion: region }),
    (page) => page.Summaries,
  );
}

export async function reconcileStackSet(
  client: CloudFormationClient,
  spec: StackSetSpec,
): Promise<StackSetProgress> {
  const stackSet = (await describeStackSet(client, spec.name)) ?? (await createStackSet(client, spec));
  const stackSetId = stackSet.StackSetId ?? spec.name;

  const active = await findActiveOperation(client, spec.name);
  if (active?.OperationId) {
    return {
      state: 'RUNNING',
      stackSetId,
      operationId: active.OperationId,
      action: active.Action ?? 'UNKNOWN',
    };
  }

  if (!stackSetDifferences(stackSet, spec).upToDate) {
    const operationId = await startOperation((OperationId) =>
      client.send(
        new UpdateStackSetCommand({
          StackSetName: spec.name,
          Description: spec.description,
          TemplateBody: spec.templateBody,
          Parameters: toParameters(spec.parameters),
          Capabilities: [...CAPABILITIES],
          OperationPreferences: OPERATION_PREFERENCES,
          Tags: toAwsTags(spec.tags),
          // Both roles on every update: CloudFormation does not carry a customized administration
          // role over from the create ("you must specify a customized administrator role, even if
          // it is the same customized administrator role used with this StackSet previously").
          AdministrationRoleARN: spec.administrationRoleArn,
          ExecutionRoleName: spec.executionRoleName,
          OperationId,
        }),
      ),
    );
    return { state: 'RUNNING', stackSetId, operationId, action: 'UPDATE' };
  }

  const instances = await listStackInstances(client, spec.name, spec.region);
  const present = new Set(instances.map((i) => i.Account));
  const missing = spec.accounts.filter((account) => !present.has(account));
  if (missing.length > 0) {
    const operationId = await startOperation((OperationId) =>
      client.send(
        new CreateStackInstancesCommand({
          StackSetName: spec.name,
          Accounts: missing,
          Regions: [spec.region],
          OperationPreferences: OPERATION_PREFERENCES,
          OperationId,
        }),
      ),
    );
    return { state: 'RUNNING', stackSetId, operationId, action: 'CREATE' };
  }

  const broken = instances.filter((i) => spec.accounts.includes(i.Account ?? '') && i.Status !== 'CURRENT');
  if (broken.length > 0) {
    throw new StackSetOperationFailedError(
      `Stack set ${spec.name} has instances that are not current: ` +
        broken
          .map((i) => `${i.Account} ${i.Status}${i.StatusReason ? ` (${i.StatusReason})` : ''}`)
          .join('; '),
      { stackSet: spec.name },
    );
  }
  return { state: 'DONE', stackSetId };
}

/**
 * Looks once at a stack set operation. FAILED or STOPPED becomes a
 * {@link StackSetOperationFailedError} that names each account that failed and why, except, when
 * `retryRefilledBuckets` is set, a FAILED operation whose every failure is a bucket CloudFormation
 * found not empty (server access logs delivered after the bucket was emptied): BUCKET_REFILLED, for
 * the caller to empty the buckets again and retry.
 */
export async function checkStackSetOperation(
  client: CloudFormationClient,
  params: { name: string; operationId: string; retryRefilledBuckets?: boolean },
): Promise<'RUNNING' | 'SUCCEEDED' | 'BUCKET_REFILLED'> {
  const { StackSetOperation: op } = await client.send(
    new DescribeStackSetOperationCommand({ StackSetName: params.name, OperationId: params.operationId }),
  );
  const status = op?.Status;
  if (status === 'SUCCEEDED') return 'SUCCEEDED';
  if (status === 'FAILED' || status === 'STOPPED') {
    const results = await collect(
      paginateListStackSetOperationResults(
        { client },
        { StackSetName: params.name, OperationId: params.operationId },
      ),
      (page) => page.Summaries,
    );
    const failed = results.filter((r) => r.Status === 'FAILED');
    if (
      params.retryRefilledBuckets === true &&
      status === 'FAILED' &&
      failed.length > 0 &&
      failed.every((r) => isBucketRefill(r.StatusReason))
    ) {
      return 'BUCKET_REFILLED';
    }
    const failures = results
      .filter((r) => r.Status !== 'SUCCEEDED')
      .map((r) => `${r.Account}/${r.Region}: ${r.Status}${r.StatusReason ? ` ${r.StatusReason}` : ''}`);
    throw new StackSetOperationFailedError(
      `Stack set ${params.name} operation ${params.operationId} ${status}` +
        (op?.StatusReason ? `: ${op.StatusReason}` : '') +
        (failures.length > 0 ? ` [${failures.join('; ')}]` : ''),
      { stackSet: params.name, operationId: params.operationId },
    );
  }
  return 'RUNNING';
}
