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
import type { CallAs } from './stack-set-permissions';

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
  /**
   * SERVICE_MANAGED permissions instead (the roles above are then not sent): StackSets' own roles,
   * instances targeted by the application's OU filtered to `accounts` (INTERSECTION), called as the
   * management account (SELF) or as the StackSets delegated administrator (DELEGATED_ADMIN).
   */
  serviceManaged?: { callAs: CallAs; organizationalUnitId: string };
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
  callAs?: CallAs,
): Promise<StackSet | undefined> {
  try {
    const { StackSet: stackSet } = await client.send(
      new DescribeStackSetCommand({ StackSetName: name, ...(callAs && { CallAs: callAs }) }),
    );
    return stackSet;
  } catch (error) {
    if (isAwsError(error, 'StackSetNotFoundException')) return undefined;
    throw error;
  }
}

/** What CreateStackSet says about permissions: the two roles, or service-managed with CallAs. */
function permissionsOf(spec: StackSetSpec) {
  if (!spec.serviceManaged) {
    return {
      PermissionModel: 'SELF_MANAGED' as const,
      AdministrationRoleARN: spec.administrationRoleArn,
      ExecutionRoleName: spec.executionRoleName,
    };
  }
  return {
    PermissionModel: 'SERVICE_MANAGED' as const,
    // Required with service-managed permissions. Off: an account added to the application's OU
    // gets only the stack sets the vend decides it belongs in, not all of them.
    AutoDeployment: { Enabled: false },
    CallAs: spec.serviceManaged.callAs,
  };
}

/** CallAs for every other call on a service-managed stack set (none for a self-managed one). */
const callAsOf = (spec: StackSetSpec) => (spec.serviceManaged ? { CallAs: spec.serviceManaged.callAs } : {});

async function createStackSet(client: CloudFormationClient, spec: StackSetSpec): Promise<StackSet> {
  try {
    await client.send(
      new CreateStackSetCommand({
        StackSetName: spec.name,
        Description: spec.description,
        TemplateBody: spec.templateBody,
        Parameters: toParameters(spec.parameters),
        Capabilities: [...CAPABILITIES],
        ...permissionsOf(spec),
        // Managed execution queues conflicting operations instead of refusing them.
        ManagedExecution: { Active: true },
        Tags: toAwsTags(spec.tags),
      }),
    );
  } catch (error) {
    // A create whose answer was lost, or a concurrent vend of the same application.
    if (!isAwsError(error, 'NameAlreadyExistsException')) throw error;
  }
  const created = await describeStackSet(client, spec.name, spec.serviceManaged?.callAs);
  if (!created) throw new Error(`Stack set ${spec.name} was created but cannot be described`);
  return created;
}

async function findActiveOperation(client: CloudFormationClient, name: string, callAs?: CallAs) {
  return findInPages(
    paginateListStackSetOperations({ client }, { StackSetName: name, ...(callAs && { CallAs: callAs }) }),
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
  callAs?: CallAs,
): Promise<StackInstanceSummary[]> {
  return collect(
    paginateListStackInstances(
      { client },
      { StackSetName: name, StackInstanceRegion: region, ...(callAs && { CallAs: callAs }) },
    ),
    (page) => page.Summaries,
  );
}

/**
 * With OU targets and INTERSECTION, an account that is not in the OU gets no instance and the
 * operation still succeeds: without this check the next call would start the same create again,
 * for ever. When the latest operation was a create that reached none of the accounts still
 * missing, they are outside the OU, and the vend stops naming them.
 */
async function refuseAccountsOutsideOu(
  client: CloudFormationClient,
  spec: StackSetSpec,
  serviceManaged: NonNullable<StackSetSpec['serviceManaged']>,
  missing: string[],
): Promise<void> {
  const { callAs, organizationalUnitId } = serviceManaged;
  const operations = await collect(
    paginateListStackSetOperations({ client }, { StackSetName: spec.name, CallAs: callAs }),
    (page) => page.Summaries,
  );
  const latest = operations.sort(
    (a, b) => (b.CreationTimestamp?.getTime() ?? 0) - (a.CreationTimestamp?.getTime() ?? 0),
  )[0];
  if (latest?.Action !== 'CREATE' || latest.Status !== 'SUCCEEDED' || !latest.OperationId) return;
  const results = await collect(
    paginateListStackSetOperationResults(
      { client },
      { StackSetName: spec.name, OperationId: latest.OperationId, CallAs: callAs },
    ),
    (page) => page.Summaries,
  );
  const reached = new Set(results.map((r) => r.Account));
  if (missing.some((account) => reached.has(account))) return;
  throw new StackSetOperationFailedError(
    `Stack set ${spec.name}: accounts ${missing.join(', ')} got no stack instance from a deployment to OU ${organizationalUnitId}; they are not in it`,
    { stackSet: spec.name },
  );
}

export async function reconcileStackSet(
  client: CloudFormationClient,
  spec: StackSetSpec,
): Promise<StackSetProgress> {
  const callAs = spec.serviceManaged?.callAs;
  const stackSet =
    (await describeStackSet(client, spec.name, callAs)) ?? (await createStackSet(client, spec));
  const stackSetId = stackSet.StackSetId ?? spec.name;
  const wantedModel = spec.serviceManaged ? 'SERVICE_MANAGED' : 'SELF_MANAGED';
  if ((stackSet.PermissionModel ?? 'SELF_MANAGED') !== wantedModel) {
    // A stack set keeps the permission model it was created with: one made in the other mode is
    // the operator's to remove (offboard) or the setting's to change back, not the vend's.
    throw new StackSetOperationFailedError(
      `Stack set ${spec.name} has ${stackSet.PermissionModel ?? 'SELF_MANAGED'} permissions; this deployment deploys with ${wantedModel} (APPVEND_STACKSETS_MODE)`,
      { stackSet: spec.name },
    );
  }

  const active = await findActiveOperation(client, spec.name, callAs);
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
          // Service-managed stack sets have no such roles, only CallAs.
          ...(spec.serviceManaged
            ? callAsOf(spec)
            : {
                AdministrationRoleARN: spec.administrationRoleArn,
                ExecutionRoleName: spec.executionRoleName,
              }),
          OperationId,
        }),
      ),
    );
    return { state: 'RUNNING', stackSetId, operationId, action: 'UPDATE' };
  }

  const instances = await listStackInstances(client, spec.name, spec.region, callAs);
  const present = new Set(instances.map((i) => i.Account));
  const missing = spec.accounts.filter((account) => !present.has(account));
  if (missing.length > 0) {
    if (spec.serviceManaged) await refuseAccountsOutsideOu(client, spec, spec.serviceManaged, missing);
    const operationId = await startOperation((OperationId) =>
      client.send(
        new CreateStackInstancesCommand({
          StackSetName: spec.name,
          ...(spec.serviceManaged
            ? {
                // The application's OU, filtered to the accounts this template belongs in.
                DeploymentTargets: {
                  OrganizationalUnitIds: [spec.serviceManaged.organizationalUnitId],
                  Accounts: missing,
                  AccountFilterType: 'INTERSECTION' as const,
                },
                CallAs: spec.serviceManaged.callAs,
              }
            : { Accounts: missing }),
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
  params: { name: string; operationId: string; retryRefilledBuckets?: boolean; callAs?: CallAs },
): Promise<'RUNNING' | 'SUCCEEDED' | 'BUCKET_REFILLED'> {
  const callAs = params.callAs && { CallAs: params.callAs };
  const { StackSetOperation: op } = await client.send(
    new DescribeStackSetOperationCommand({
      StackSetName: params.name,
      OperationId: params.operationId,
      ...callAs,
    }),
  );
  const status = op?.Status;
  if (status === 'SUCCEEDED') return 'SUCCEEDED';
  if (status === 'FAILED' || status === 'STOPPED') {
    const results = await collect(
      paginateListStackSetOperationResults(
        { client },
        { StackSetName: params.name, OperationId: params.operationId, ...callAs },
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
