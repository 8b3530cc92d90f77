import { randomUUID } from 'node:crypto';
import {
  DeleteStackInstancesCommand,
  DeleteStackSetCommand,
  DescribeStackSetCommand,
  paginateListStackInstances,
  paginateListStackSetOperations,
  type CloudFormationClient,
  type StackSet,
} from '@aws-sdk/client-cloudformation';
import { notTaggedReason, taggedFor } from './application-tag';
import { collect, findInPages, isAwsError } from './paginate';
import type { CallAs } from './stack-set-permissions';

/** Where the removal of one stack set stands after one call. */
export type StackSetRemovalProgress =
  | { state: 'RUNNING'; operationId: string; action: string; accounts: string[] }
  | { state: 'PREPARING'; accounts: string[]; removed: number }
  | { state: 'DONE'; outcome: 'deleted' | 'absent' }
  | { state: 'DONE'; outcome: 'kept'; reason: string };

/** As the vend's operations: all accounts at once, and one failure fails the operation. */
const OPERATION_PREFERENCES = {
  RegionConcurrencyType: 'PARALLEL',
  MaxConcurrentPercentage: 100,
  FailureToleranceCount: 0,
  ConcurrencyMode: 'SOFT_FAILURE_TOLERANCE',
} as const;
const ACTIVE_OPERATION = new Set(['RUNNING', 'QUEUED', 'STOPPING']);

async function describe(
  client: CloudFormationClient,
  name: string,
  callAs: { CallAs?: CallAs },
): Promise<StackSet | undefined> {
  try {
    const { StackSet: stackSet } = await client.send(
      new DescribeStackSetCommand({ StackSetName: name, ...callAs }),
    );
    // A deleted stack set is still described (and listed) by CloudFormation, as DELETED.
    return stackSet?.Status === 'DELETED' ? undefined : stackSet;
  } catch (error) {
    if (isAwsError(error, 'StackSetNotFoundException')) return undefined;
    throw error;
  }
}

/** A stack instance about to be deleted, with its stack's id. */
export interface InstanceToDelete {
  account: string;
  region: string;
  stackId?: string;
}

/**
 * Makes the stacks of these instances deletable (empties their buckets): `ready` is false when
 * there is more of that to do than one call should take on, and the removal should be called
 * again; `removed` counts what this call removed (object versions).
 */
export type PrepareDeletion = (instances: InstanceToDelete[]) => Promise<{ ready: boolean; removed: number }>;

/**
 * Moves the removal of a stack set one step on, and says whether an operation now runs (the state
 * machine waits for it, then calls again): wait for an operation already running; prepare the
 * instances of one Region (`PREPARING` while that takes more calls), then delete them (one
 * operation per call); once none is left, delete the stack set. A stack set without the
 * application's tag is left alone (`kept`), whatever its name.
 */
export async function removeStackSet(
  client: CloudFormationClient,
  params: { name: string; application: string; callAs?: CallAs },
  prepare: PrepareDeletion,
): Promise<StackSetRemovalProgress> {
  // Service-managed stack sets live in the management account: a delegated administrator reaches
  // them only as DELEGATED_ADMIN (without it, describe would answer "not found", read as absent).
  const callAs = params.callAs ? { CallAs: params.callAs } : {};
  const stackSet = await describe(client, params.name, callAs);
  if (!stackSet) return { state: 'DONE', outcome: 'absent' };
  if (!taggedFor(stackSet.Tags, params.application)) {
    return { state: 'DONE', outcome: 'kept', reason: notTaggedReason(params.application) };
  }

  const active = await findInPages(
    paginateListStackSetOperations({ client }, { StackSetName: params.name, ...callAs }),
    (page) => page.Summaries,
    (op) => op.Status !== undefined && ACTIVE_OPERATION.has(op.Status),
  );
  if (active?.OperationId) {
    return {
      state: 'RUNNING',
      operationId: active.OperationId,
      action: active.Action ?? 'UNKNOWN',
      accounts: [],
    };
  }

  const instances = await collect(
    paginateListStackInstances({ client }, { StackSetName: params.name, ...callAs }),
    (page) => page.Summaries,
  );
  const region = instances.find((i) => i.Region)?.Region;
  if (region) {
    const inRegion = instances.filter((i) => i.Region === region && i.Account);
    const accounts = [...new Set(inRegion.map((i) => i.Account!))].sort();
    const { ready, removed } = await prepare(
      inRegion.map((i) => ({ account: i.Account!, region, ...(i.StackId && { stackId: i.StackId }) })),
    );
    if (!ready) return { state: 'PREPARING', accounts, removed };
    // Our own id, re-sent by the SDK with a retry; an emulator may answer with its own instead.
    const ownId = randomUUID();
    let operationId: string = ownId;
    try {
      // Service-managed instances are deleted by the OU they were created for (DeploymentTargets
      // name OUs for a delete), filtered to exactly these accounts.
      const ous = [
        ...new Set(inRegion.flatMap((i) => (i.OrganizationalUnitId ? [i.OrganizationalUnitId] : []))),
      ];
      const targets =
        stackSet.PermissionModel === 'SERVICE_MANAGED'
          ? {
              DeploymentTargets: {
                OrganizationalUnitIds: ous,
                Accounts: accounts,
                AccountFilterType: 'INTERSECTION' as const,
              },
            }
          : { Accounts: accounts };
      const answer = await client.send(
        new DeleteStackInstancesCommand({
          StackSetName: params.name,
          ...targets,
          ...callAs,
          Regions: [region],
          RetainStacks: false,
          OperationPreferences: OPERATION_PREFERENCES,
          OperationId: ownId,
        }),
      );
      operationId = answer.OperationId ?? ownId;
    } catch (error) {
      // The first send of a retried call took effect: the operation is ours, under our id.
      if (!isAwsError(error, 'OperationIdAlreadyExistsException')) throw error;
    }
    return { state: 'RUNNING', operationId, action: 'DELETE', accounts };
  }

  try {
    await client.send(new DeleteStackSetCommand({ StackSetName: params.name, ...callAs }));
  } catch (error) {
    // Deleted by a call whose answer was lost.
    if (!isAwsError(error, 'StackSetNotFoundException')) throw error;
  }
  return { state: 'DONE', outcome: 'deleted' };
}
