import { scpDenyingEverything } from './scp-evaluation';
import { policyArn } from './org-common';
import {
  effectiveParameters,
  namedBuckets,
  namedRoles,
  parseTemplate,
  type ParsedTemplate,
} from './cfn-template';
import { exportInUse, missingImport } from './cfn-exports';
import { UuidKind, next, uuid } from './ids';
import type { LatencyModel } from './latency-model';
import { bucketNameTaken, bucketNotEmpty } from './s3';
import type {
  OperationPreferencesState,
  OperationState,
  OperationTargetResult,
  SandboxStateJson,
  StackInstanceState,
  StackSetState,
} from './state';
import { stackInstanceKey } from './state';

/**
 * What a stack set operation will do and how long it takes, decided when it starts: targets run
 * Region by Region (or all Regions at once with PARALLEL) in batches of the operation's actual
 * concurrency, and a Region stops once more targets failed than the tolerance allows.
 * Duration = overhead + Σ (or max, PARALLEL) over Regions of the batches' slowest instance.
 */
export interface OperationPlan {
  results: OperationTargetResult[];
  durationMs: number;
  outcome: 'SUCCEEDED' | 'FAILED';
}

interface Assessment {
  status: 'SUCCEEDED' | 'FAILED';
  latency: number;
  reason?: string;
  parameters?: OperationTargetResult['parameters'];
  skipped?: boolean;
}

export function planOperation(
  state: SandboxStateJson,
  op: OperationState,
  latency: LatencyModel,
): OperationPlan {
  const stackSet = state.stackSets[op.stackSetId]!;
  const template = parseTemplate(op.templateBody);
  const prefs = op.preferences;
  const byRegion = groupByRegion(op.targets, prefs.RegionOrder ?? []);
  const outcomes = new Map<string, OperationTargetResult>();
  const regionTimes: number[] = [];
  let failed = false;
  let stopAll = false;
  for (const [region, accounts] of byRegion) {
    const { concurrency, tolerance } = limits(prefs, accounts.length);
    let failures = 0;
    let time = 0;
    for (let i = 0; i < accounts.length; i += concurrency) {
      const batch = accounts.slice(i, i + concurrency);
      if (stopAll || failures > tolerance) {
        for (const account of batch)
          outcomes.set(`${account}|${region}`, { account, region, status: 'CANCELLED' });
        continue;
      }
      const assessed = batch.map((account) => ({
        account,
        ...assess(state, stackSet, op, template, account, region, latency),
      }));
      time += Math.max(...assessed.map((a) => a.latency));
      for (const { account, latency: _latency, ...outcome } of assessed) {
        outcomes.set(`${account}|${region}`, { account, region, ...outcome });
        if (outcome.status === 'FAILED') failures += 1;
      }
      if (failures > tolerance) {
        failed = true;
        // "If the operation is stopped in a Region, CloudFormation doesn't attempt the operation in
        // any subsequent Regions" (StackSetOperationPreferences). With PARALLEL they all started.
        if (prefs.RegionConcurrencyType !== 'PARALLEL') stopAll = true;
      }
    }
    regionTimes.push(time);
  }
  const regionsTime =
    prefs.RegionConcurrencyType === 'PARALLEL'
      ? Math.max(0, ...regionTimes)
      : regionTimes.reduce((a, b) => a + b, 0);
  return {
    results: op.targets.map((t) => clean(outcomes.get(`${t.account}|${t.region}`)!)),
    durationMs: latency.stackSetOperationOverhead + regionsTime,
    outcome: failed ? 'FAILED' : 'SUCCEEDED',
  };
}

const clean = (result: OperationTargetResult): OperationTargetResult =>
  JSON.parse(JSON.stringify(result)) as OperationTargetResult;

function groupByRegion(
  targets: { account: string; region: string }[],
  order: string[],
): Map<string, string[]> {
  const regions = [
    ...new Set([
      ...order.filter((r) => targets.some((t) => t.region === r)),
      ...targets.map((t) => t.region),
    ]),
  ];
  return new Map(
    regions.map((region) => [region, targets.filter((t) => t.region === region).map((t) => t.account)]),
  );
}

/**
 * Actual concurrency and failure tolerance in one Region. With STRICT_FAILURE_TOLERANCE (the
 * default) "the initial actual concurrency is set to the lower of either the value of the
 * MaxConcurrentCount, or the value of FailureToleranceCount +1".
 */
export function limits(
  prefs: OperationPreferencesState,
  accounts: number,
): { concurrency: number; tolerance: number } {
  const percent = (p: number) => Math.floor((accounts * p) / 100);
  const tolerance =
    prefs.FailureTolerancePercentage !== undefined
      ? percent(prefs.FailureTolerancePercentage)
      : (prefs.FailureToleranceCount ?? 0);
  const max =
    prefs.MaxConcurrentPercentage !== undefined
      ? Math.max(1, percent(prefs.MaxConcurrentPercentage))
      : (prefs.MaxConcurrentCount ?? 1);
  const concurrency = prefs.ConcurrencyMode === 'SOFT_FAILURE_TOLERANCE' ? max : Math.min(max, tolerance + 1);
  return { concurrency: Math.max(1, concurrency), tolerance };
}

function assess(
  state: SandboxStateJson,
  stackSet: StackSetState,
  op: OperationState,
  template: ParsedTemplate,
  account: string,
  region: string,
  latency: LatencyModel,
): Assessment {
  const instance = state.stackInstances[stackInstanceKey(stackSet.id, account, region)];
  if (op.action === 'DELETE') {
    if (!instance) return { status: 'SUCCEEDED', latency: 0, skipped: true };
    if (op.retainStacks) return { status: 'SUCCEEDED', latency: 0 };
    const denied = accessFailure(state, op, account);
    if (denied) return { status: 'FAILED', latency: 0, reason: denied };
    const inUse = exportInUse(state, instance, stackNameOf);
    if (inUse) return { status: 'FAILED', latency: latency.stackInstanceDelete, reason: inUse };
    const full = bucketNotEmpty(state, instance.key);
    return full
      ? { status: 'FAILED', latency: latency.stackInstanceDelete, reason: full }
      : { status: 'SUCCEEDED', latency: latency.stackInstanceDelete };
  }
  if (!instance) return { status: 'FAILED', latency: 0, reason: 'Stack instance not found' };
  const parameters = effectiveParameters(template, op.parameters, instance.overrides);
  const current = instance.deployed;
  if (
    op.action === 'CREATE' &&
    current?.templateBody === op.templateBody &&
    sameMap(current.parameters, parameters)
  ) {
    return { status: 'SUCCEEDED', latency: 0, parameters, skipped: true };
  }
  const denied = accessFailure(state, op, account);
  if (denied) return { status: 'FAILED', latency: 0, reason: denied };
  const work = current ? latency.stackInstanceUpdate : latency.stackInstanceCreate;
  const stackName = ensureStackId(state, stackSet, instance);
  const env = { accountId: account, region, stackName, parameters };
  const unresolved = missingImport(state, instance, op.templateBody, env, stackNameOf);
  if (unresolved) return { status: 'FAILED', latency: work, reason: unresolved };
  const bucketTaken = bucketNameTaken(state, instance, namedBuckets(template, env));
  if (bucketTaken) return { status: 'FAILED', latency: work, reason: bucketTaken };
  const clash = namedRoles(template, env).find((role) => {
    const existing = state.accounts[account]?.roles[role.roleName];
    return existing !== undefined && existing.createdBy !== instance.key;
  });
  if (clash) {
    return {
      status: 'FAILED',
      latency: work,
      reason: `Resource of type 'AWS::IAM::Role' with identifier '${clash.roleName}' already exists.`,
    };
  }
  return { status: 'SUCCEEDED', latency: work, parameters };
}

const sameMap = (a: Record<string, string>, b: Record<string, string>) =>
  Object.keys(a).length === Object.keys(b).length && Object.entries(a).every(([k, v]) => b[k] === v);

/**
 * Self-managed permissions: the administration role must exist in the stack set's account and the
 * target must have the execution role, trusting that account. The message is CloudFormation's.
 */
export function accessFailure(
  state: SandboxStateJson,
  op: OperationState,
  account: string,
): string | undefined {
  const owner = state.stackSets[op.stackSetId]!;
  const denied = executionRoleDenied(state, op, account);
  if (denied) return denied;
  if (owner.permissionModel === 'SERVICE_MANAGED') {
    // StackSets' own roles: the service-linked role in the management account and the
    // stacksets-exec-* role it creates in each target. What can still stop it is an account that
    // is not active (estimate: AWS's message for it is not documented).
    return state.accounts[account]?.status === 'ACTIVE'
      ? undefined
      : `Account ${account} is not an active member of the organization.`;
  }
  const [, adminAccount = '', adminRole = ''] =
    /^arn:[\w-]+:iam::(\d{12}):role\/(?:.*\/)?([^/]+)$/.exec(op.administrationRoleArn) ?? [];
  const stackSet = state.stackSets[op.stackSetId]!;
  if (adminAccount !== stackSet.ownerAccountId || !state.accounts[adminAccount]?.roles[adminRole]) {
    return `Cannot assume role ${op.administrationRoleArn}. Please check that the role exists and trusts cloudformation.amazonaws.com.`;
  }
  const target = state.accounts[account];
  const role = target?.status === 'ACTIVE' ? target.roles[op.executionRoleName] : undefined;
  const trusted =
    role !== undefined && (role.trustedAccounts === '*' || role.trustedAccounts.includes(adminAccount));
  return trusted
    ? undefined
    : `Account ${account} should have '${op.executionRoleName}' role with trust relationship to Role '${adminRole}'.`;
}

/**
 * SCPs apply to the execution role in the target account, StackSets' own `stacksets-exec-*` as much
 * as a self-managed one: "SCPs affect all users and roles in attached accounts" but service-linked
 * roles, and the execution role is none. An SCP that denies it everything (the quarantine, unless
 * it exempts the role) fails the stack's operation. The reason's wording is an estimate.
 */
function executionRoleDenied(
  state: SandboxStateJson,
  op: OperationState,
  account: string,
): string | undefined {
  const role = `arn:aws:iam::${account}:role/${op.executionRoleName}`;
  const policy = scpDenyingEverything(state, account, role);
  if (!policy) return undefined;
  return `User: arn:aws:sts::${account}:assumed-role/${op.executionRoleName}/StackSets is not authorized to perform: cloudformation:CreateStack with an explicit deny in a service control policy: ${policyArn(state, policy.id)}`;
}

/** Gives the instance its stack id when its stack is first created; returns the stack name. */
function ensureStackId(
  state: SandboxStateJson,
  stackSet: StackSetState,
  instance: StackInstanceState,
): string {
  if (!instance.stackId) {
    const id = uuid(UuidKind.stack, next(state, 'stack'));
    instance.stackId = `arn:aws:cloudformation:${instance.region}:${instance.account}:stack/StackSet-${stackSet.name}-${id}/${id}`;
  }
  return stackNameOf(instance);
}

export const stackNameOf = (instance: StackInstanceState): string => instance.stackId?.split('/')[1] ?? '';
