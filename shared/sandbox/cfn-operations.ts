import { membersBy, sizeOf } from './atomic';
import { cfnError, checkOperationId } from './cfn-common';
import { limits, planOperation, stackNameOf } from './cfn-plan';
import { deployedResources, namedBuckets, namedRoles, parseTemplate } from './cfn-template';
import type { CallContext, SandboxSettings } from './context';
import type { EventSource } from './events';
import { UuidKind, next, uuid } from './ids';
import { bucketNotEmpty, removeStackBuckets, syncStackBuckets } from './s3';
import type {
  OperationState,
  OperationTargetResult,
  SandboxStateJson,
  StackInstanceState,
  StackSetState,
} from './state';
import { stackInstanceKey } from './state';
import { operationsByStackSet, operationsByStatus } from './state-indexes';

/**
 * The life of a stack set operation: requested (QUEUED), started (RUNNING, outcome planned),
 * finished at `endsAt` by `settle`. One operation runs at a time per stack set; with managed
 * execution later ones queue ("if there are already running or queued operations, StackSets
 * queues all incoming operations even if they are non-conflicting"), otherwise they are refused.
 */

/** What an operation-starting call asks for. */
export interface OperationRequest {
  action: OperationState['action'];
  targets: { account: string; region: string }[];
  preferences: OperationState['preferences'];
  retainStacks?: boolean;
  /** The request without its OperationId, to tell a retry from a reuse of the id. */
  fingerprint: string;
  explicitId?: string;
}

/** The stack set's operations RUNNING or QUEUED. */
export const inFlightOperations = (state: SandboxStateJson, stackSetId: string): OperationState[] =>
  membersBy(state.operations, operationsByStackSet, stackSetId).filter(
    (o) => o.status === 'RUNNING' || o.status === 'QUEUED',
  );

/**
 * The id of the operation this same request already made (a retry), checked before anything else
 * so that a retry is never refused for the operation it started itself.
 */
export function gateOperation(
  ctx: CallContext,
  stackSet: StackSetState,
  fingerprint: string,
  explicitId?: string,
): string | undefined {
  checkOperationId(explicitId);
  if (explicitId !== undefined) {
    const existing = ctx.state.operations[explicitId];
    if (existing) {
      // The operation id doubles as an idempotency token: the same request again is answered
      // with the same operation; anything else reusing the id is refused.
      if (existing.stackSetId === stackSet.id && existing.fingerprint === fingerprint) return existing.id;
      throw cfnError(
        'OperationIdAlreadyExistsException',
        `The specified operation ID already exists: ${explicitId}`,
      );
    }
  } else {
    // The SDK generated the token while serializing: the same token means an SDK retry.
    const token = ctx.wireParam('OperationId');
    const known = token === undefined ? undefined : ctx.tokens.get(`operation:${token}`);
    if (known) return known;
  }
  return undefined;
}

/**
 * Records the operation and starts it, queues it behind the one in flight (managed execution), or
 * refuses it with OperationInProgressException. The dispatcher rolls back the caller's other
 * changes when it is refused.
 */
export function createOperation(
  ctx: CallContext,
  stackSet: StackSetState,
  request: OperationRequest,
): string {
  const { state, now } = ctx;
  const busy = inFlightOperations(state, stackSet.id).length > 0;
  if (busy && !stackSet.managedExecution) {
    throw cfnError(
      'OperationInProgressException',
      `Another Operation on StackSet ${stackSet.id} is in progress`,
    );
  }
  const id = request.explicitId ?? uuid(UuidKind.operation, next(state, 'operation'));
  const op: OperationState = {
    id,
    seq: sizeOf(state.operations) + 1,
    stackSetId: stackSet.id,
    action: request.action,
    status: 'QUEUED',
    preferences: request.preferences,
    ...(request.retainStacks === undefined ? {} : { retainStacks: request.retainStacks }),
    administrationRoleArn: stackSet.administrationRoleArn,
    executionRoleName: stackSet.executionRoleName,
    templateBody: stackSet.templateBody,
    parameters: { ...stackSet.parameters },
    targets: request.targets,
    fingerprint: request.fingerprint,
    createdAt: now,
    results: request.targets.map((t) => ({ ...t, status: 'PENDING' })),
  };
  state.operations[id] = op;
  const token = ctx.wireParam('OperationId');
  if (request.explicitId === undefined && token !== undefined) ctx.tokens.set(`operation:${token}`, id);
  for (const target of request.targets) {
    const instance = state.stackInstances[stackInstanceKey(stackSet.id, target.account, target.region)];
    if (instance) Object.assign(instance, { status: 'OUTDATED', detailedStatus: 'PENDING' });
  }
  if (!busy) startOperation(state, op, now, ctx.settings);
  return id;
}

function startOperation(
  state: SandboxStateJson,
  op: OperationState,
  at: number,
  settings: SandboxSettings,
): void {
  const plan = planOperation(state, op, settings.latency);
  Object.assign(op, {
    status: 'RUNNING',
    startedAt: at,
    endsAt: at + plan.durationMs,
    results: plan.results,
    outcome: plan.outcome,
  });
  for (const target of op.targets) {
    const instance = state.stackInstances[stackInstanceKey(op.stackSetId, target.account, target.region)];
    if (instance) Object.assign(instance, { status: 'OUTDATED', detailedStatus: 'RUNNING' });
  }
}

/** Finishes the earliest running operation that is due. */
export const stackSetOperationEvents: EventSource = (state, settings) => {
  const due = membersBy(state.operations, operationsByStatus, 'RUNNING').sort(
    (a, b) => a.endsAt! - b.endsAt! || a.seq - b.seq,
  )[0];
  if (!due) return undefined;
  return { at: due.endsAt!, order: due.seq, apply: () => finishOperation(state, due, settings) };
};

function finishOperation(state: SandboxStateJson, op: OperationState, settings: SandboxSettings): void {
  recheckBuckets(state, op);
  for (const result of op.results) applyResult(state, op, result);
  op.status = op.outcome ?? 'SUCCEEDED';
  op.endedAt = op.endsAt;
  const queued = membersBy(state.operations, operationsByStackSet, op.stackSetId)
    .filter((o) => o.status === 'QUEUED')
    .sort((a, b) => a.seq - b.seq)[0];
  if (queued) startOperation(state, queued, op.endsAt!, settings);
}

/**
 * CloudFormation deletes a stack's buckets as the stack's deletion ends, not when the operation
 * starts: whatever reached a bucket in the meantime (server access logs delivered late) makes that
 * deletion fail, and the operation with it once the failures exceed the tolerance.
 */
function recheckBuckets(state: SandboxStateJson, op: OperationState): void {
  if (op.action !== 'DELETE' || op.retainStacks === true) return;
  const failuresByRegion = new Map<string, number>();
  for (const result of op.results) {
    if (result.status === 'SUCCEEDED' && !result.skipped) {
      const full = bucketNotEmpty(state, stackInstanceKey(op.stackSetId, result.account, result.region));
      if (full) Object.assign(result, { status: 'FAILED', reason: full });
    }
    if (result.status === 'FAILED')
      failuresByRegion.set(result.region, (failuresByRegion.get(result.region) ?? 0) + 1);
  }
  for (const [region, failures] of failuresByRegion) {
    const targets = op.results.filter((r) => r.region === region).length;
    if (failures > limits(op.preferences, targets).tolerance) op.outcome = 'FAILED';
  }
}

function applyResult(state: SandboxStateJson, op: OperationState, result: OperationTargetResult): void {
  const key = stackInstanceKey(op.stackSetId, result.account, result.region);
  const instance = state.stackInstances[key];
  if (!instance) return;
  instance.lastOperationId = op.id;
  if (result.status !== 'SUCCEEDED') {
    // "INOPERABLE: A DeleteStackInstances operation has failed and left the stack in an unstable
    // state" (StackInstanceSummary.Status); a failed create or update leaves it OUTDATED.
    const deleteFailed = op.action === 'DELETE' && result.status === 'FAILED';
    Object.assign(instance, {
      status: deleteFailed ? 'INOPERABLE' : 'OUTDATED',
      detailedStatus: result.status === 'FAILED' ? 'FAILED' : 'CANCELLED',
    });
    if (result.reason) instance.statusReason = result.reason;
    return;
  }
  if (op.action === 'DELETE') {
    removeRoles(state, instance, op.retainStacks === true);
    removeStackBuckets(state, instance.key, op.retainStacks === true);
    delete state.stackInstances[key];
    return;
  }
  if (!result.skipped) deploy(state, op, instance, result.parameters ?? {});
  Object.assign(instance, { status: 'CURRENT', detailedStatus: 'SUCCEEDED' });
  delete instance.statusReason;
}

/** Records what the stack now runs, and creates or removes the named IAM roles and buckets it owns. */
function deploy(
  state: SandboxStateJson,
  op: OperationState,
  instance: StackInstanceState,
  parameters: Record<string, string>,
): void {
  const template = parseTemplate(op.templateBody);
  const env = {
    accountId: instance.account,
    region: instance.region,
    stackName: stackNameOf(instance),
    parameters,
  };
  const roles = namedRoles(template, env);
  const account = state.accounts[instance.account];
  const stackSet = state.stackSets[op.stackSetId];
  if (account && stackSet?.permissionModel === 'SERVICE_MANAGED') {
    // "CloudFormation creates both the necessary service-linked role and a service role named
    // stacksets-exec-* in the target (member) accounts": it stays when the instance goes.
    account.roles[op.executionRoleName] ??= {
      name: op.executionRoleName,
      trustedAccounts: [stackSet.ownerAccountId],
    };
  }
  if (account) {
    for (const [name, role] of Object.entries(account.roles)) {
      if (role.createdBy === instance.key && !roles.some((r) => r.roleName === name))
        delete account.roles[name];
    }
    for (const role of roles) {
      account.roles[role.roleName] = {
        name: role.roleName,
        trustedAccounts: role.trustedAccounts,
        ...(role.trustedPrincipalArns && { trustedPrincipalArns: role.trustedPrincipalArns }),
        createdBy: instance.key,
        allowedActions: role.allowedActions,
      };
    }
  }
  syncStackBuckets(state, instance, namedBuckets(template, env));
  instance.deployed = {
    templateBody: op.templateBody,
    parameters,
    operationId: op.id,
    at: op.endsAt!,
    resources: deployedResources(template, env),
  };
}

/** Deleting a stack deletes its roles; retaining it leaves them, no longer owned by StackSets. */
function removeRoles(state: SandboxStateJson, instance: StackInstanceState, retain: boolean): void {
  const account = state.accounts[instance.account];
  for (const [name, role] of Object.entries(account?.roles ?? {})) {
    if (role.createdBy !== instance.key) continue;
    if (retain) delete role.createdBy;
    else delete account!.roles[name];
  }
}
