import { membersBy, sizeOf } from './atomic';
import type * as cfn from '@aws-sdk/client-cloudformation';
import {
  CFN_PAGES,
  cfnError,
  checkPreferences,
  checkRegions,
  findStackSet,
  requireMember,
  targetAccounts,
  toParameterList,
  validationError,
} from './cfn-common';
import { createOperation, gateOperation } from './cfn-operations';
import { requireServiceManagedCaller, serviceManagedTargets, type ResolvedTarget } from './cfn-organizations';
import { parseTemplate, readParameterList } from './cfn-template';
import type { CallContext, HandlerTable, Out } from './context';
import { paginate } from './pagination';
import type { StackInstanceState, StackSetState } from './state';
import { stackInstanceKey } from './state';
import { instancesByStackSet } from './state-indexes';

/** CloudFormation StackSets: stack instances, each change of which is a stack set operation. */

/** Region by Region, account by account: the order StackSets works through targets. */
const combine = (accounts: string[], regions: string[]) =>
  regions.flatMap((region) => accounts.map((account) => ({ account, region })));

const instanceOf = (ctx: CallContext, stackSet: StackSetState, account: string, region: string) =>
  ctx.state.stackInstances[stackInstanceKey(stackSet.id, account, region)];

const notFound = (stackSet: StackSetState, account: string, region: string) =>
  cfnError(
    'StackInstanceNotFoundException',
    `Stack instance [${account}, ${region}] not found in StackSet ${stackSet.name}`,
  );

/**
 * Where an operation on the stack set goes: Accounts (self-managed), or, for a service-managed
 * stack set, the accounts its DeploymentTargets resolve to, each with its target OU.
 */
function targetsOf(
  ctx: CallContext,
  stackSet: StackSetState,
  input: Parameters<typeof targetAccounts>[0] & { CallAs?: string },
  action: 'CREATE' | 'UPDATE' | 'DELETE',
): ResolvedTarget[] {
  if (stackSet.permissionModel !== 'SERVICE_MANAGED')
    return targetAccounts(input).map((account) => ({ account }));
  requireServiceManagedCaller(ctx, input.CallAs === 'DELEGATED_ADMIN' ? 'DELEGATED_ADMIN' : 'SELF');
  return serviceManagedTargets(ctx, input, action);
}

/** The request minus its OperationId: what a reused OperationId must repeat exactly. */
function fingerprintOf(
  action: string,
  input: { OperationId?: string },
): { fingerprint: string; explicitId?: string } {
  const { OperationId: explicitId, ...request } = input;
  return {
    fingerprint: JSON.stringify([action, request]),
    ...(explicitId === undefined ? {} : { explicitId }),
  };
}

function createStackInstances(
  input: cfn.CreateStackInstancesCommandInput,
  ctx: CallContext,
): Out<cfn.CreateStackInstancesCommandOutput> {
  const stackSet = findStackSet(ctx, input.StackSetName, input.CallAs);
  const { fingerprint, explicitId } = fingerprintOf('CREATE', input);
  const existing = gateOperation(ctx, stackSet, fingerprint, explicitId);
  if (existing) return { OperationId: existing };
  const resolved = targetsOf(ctx, stackSet, input, 'CREATE');
  const accounts = resolved.map((t) => t.account);
  const ouOf = new Map(resolved.map((t) => [t.account, t.organizationalUnitId]));
  const regions = checkRegions(input.Regions);
  const template = parseTemplate(stackSet.templateBody);
  const overrides = input.ParameterOverrides
    ? readParameterList(template, input.ParameterOverrides)
    : undefined;
  const preferences = checkPreferences(input.OperationPreferences);
  const targets = combine(accounts, regions);
  // Targets that already have an instance are not an error: StackSets skips those already
  // current and retries those OUTDATED.
  for (const { account, region } of targets) {
    const instance = instanceOf(ctx, stackSet, account, region);
    if (instance) {
      if (overrides) instance.overrides = overrides;
      continue;
    }
    const key = stackInstanceKey(stackSet.id, account, region);
    ctx.state.stackInstances[key] = {
      key,
      stackSetId: stackSet.id,
      account,
      region,
      overrides: overrides ?? {},
      status: 'OUTDATED',
      detailedStatus: 'PENDING',
      seq: sizeOf(ctx.state.stackInstances) + 1,
      ...(ouOf.get(account) !== undefined && { organizationalUnitId: ouOf.get(account)! }),
    };
  }
  return {
    OperationId: createOperation(ctx, stackSet, {
      action: 'CREATE',
      targets,
      preferences,
      fingerprint,
      explicitId,
    }),
  };
}

function updateStackInstances(
  input: cfn.UpdateStackInstancesCommandInput,
  ctx: CallContext,
): Out<cfn.UpdateStackInstancesCommandOutput> {
  const stackSet = findStackSet(ctx, input.StackSetName, input.CallAs);
  const { fingerprint, explicitId } = fingerprintOf('UPDATE', input);
  const existing = gateOperation(ctx, stackSet, fingerprint, explicitId);
  if (existing) return { OperationId: existing };
  const targets = combine(
    targetsOf(ctx, stackSet, input, 'UPDATE').map((t) => t.account),
    checkRegions(input.Regions),
  );
  const template = parseTemplate(stackSet.templateBody);
  const preferences = checkPreferences(input.OperationPreferences);
  for (const { account, region } of targets) {
    const instance = instanceOf(ctx, stackSet, account, region);
    if (!instance) throw notFound(stackSet, account, region);
    // A given list replaces the overrides (UsePreviousValue keeps one); no list keeps them all.
    if (input.ParameterOverrides)
      instance.overrides = readParameterList(template, input.ParameterOverrides, instance.overrides);
  }
  return {
    OperationId: createOperation(ctx, stackSet, {
      action: 'UPDATE',
      targets,
      preferences,
      fingerprint,
      explicitId,
    }),
  };
}

function deleteStackInstances(
  input: cfn.DeleteStackInstancesCommandInput,
  ctx: CallContext,
): Out<cfn.DeleteStackInstancesCommandOutput> {
  const stackSet = findStackSet(ctx, input.StackSetName, input.CallAs);
  if (typeof input.RetainStacks !== 'boolean') requireMember(undefined, 'retainStacks');
  const { fingerprint, explicitId } = fingerprintOf('DELETE', input);
  const existing = gateOperation(ctx, stackSet, fingerprint, explicitId);
  if (existing) return { OperationId: existing };
  const regions = checkRegions(input.Regions);
  const named = targetsOf(ctx, stackSet, input, 'DELETE').map((t) => t.account);
  // Service-managed (an estimate): an instance created for one of the OUs named goes too, even if its
  // account has since left the OU, as ListStackInstances still shows it under that OU.
  const ous = new Set(input.DeploymentTargets?.OrganizationalUnitIds ?? []);
  const createdFor =
    stackSet.permissionModel === 'SERVICE_MANAGED'
      ? membersBy(ctx.state.stackInstances, instancesByStackSet, stackSet.id)
          .filter((i) => ous.has(i.organizationalUnitId ?? ''))
          .filter(
            (i) =>
              input.DeploymentTargets?.AccountFilterType !== 'INTERSECTION' ||
              (input.DeploymentTargets.Accounts ?? []).includes(i.account),
          )
          .filter(
            (i) =>
              input.DeploymentTargets?.AccountFilterType !== 'DIFFERENCE' ||
              !(input.DeploymentTargets.Accounts ?? []).includes(i.account),
          )
          .map((i) => i.account)
      : [];
  const targets = combine([...new Set([...named, ...createdFor])], regions).filter(({ account, region }) =>
    instanceOf(ctx, stackSet, account, region),
  );
  const preferences = checkPreferences(input.OperationPreferences);
  return {
    OperationId: createOperation(ctx, stackSet, {
      action: 'DELETE',
      targets,
      preferences,
      retainStacks: input.RetainStacks,
      fingerprint,
      explicitId,
    }),
  };
}

const summary = (stackSet: StackSetState, i: StackInstanceState): cfn.StackInstanceSummary => ({
  StackSetId: stackSet.id,
  Region: i.region,
  Account: i.account,
  ...(i.stackId ? { StackId: i.stackId } : {}),
  Status: i.status,
  ...(i.statusReason ? { StatusReason: i.statusReason } : {}),
  StackInstanceStatus: { DetailedStatus: i.detailedStatus },
  DriftStatus: 'NOT_CHECKED',
  ...(i.lastOperationId ? { LastOperationId: i.lastOperationId } : {}),
  ...(i.organizationalUnitId ? { OrganizationalUnitId: i.organizationalUnitId } : {}),
});

const FILTERS: Record<string, (i: StackInstanceState, value: string) => boolean> = {
  DETAILED_STATUS: (i, value) => i.detailedStatus === value,
  LAST_OPERATION_ID: (i, value) => i.lastOperationId === value,
  DRIFT_STATUS: (_i, value) => value === 'NOT_CHECKED',
};

function listStackInstances(
  input: cfn.ListStackInstancesCommandInput,
  ctx: CallContext,
): Out<cfn.ListStackInstancesCommandOutput> {
  const stackSet = findStackSet(ctx, input.StackSetName, input.CallAs);
  for (const filter of input.Filters ?? []) {
    if (!filter.Name || !FILTERS[filter.Name]) throw validationError(`Invalid filter name: ${filter.Name}`);
  }
  const instances = membersBy(ctx.state.stackInstances, instancesByStackSet, stackSet.id)
    .filter((i) => !input.StackInstanceAccount || i.account === input.StackInstanceAccount)
    .filter((i) => !input.StackInstanceRegion || i.region === input.StackInstanceRegion)
    .filter((i) => (input.Filters ?? []).every((f) => FILTERS[f.Name!]!(i, f.Values ?? '')))
    .sort((a, b) => a.seq - b.seq);
  const page = paginate(instances, input.NextToken, input.MaxResults, CFN_PAGES);
  return { Summaries: page.items.map((i) => summary(stackSet, i)), NextToken: page.nextToken };
}

function describeStackInstance(
  input: cfn.DescribeStackInstanceCommandInput,
  ctx: CallContext,
): Out<cfn.DescribeStackInstanceCommandOutput> {
  const stackSet = findStackSet(ctx, input.StackSetName, input.CallAs);
  const account = requireMember(input.StackInstanceAccount, 'stackInstanceAccount');
  const region = requireMember(input.StackInstanceRegion, 'stackInstanceRegion');
  const instance = instanceOf(ctx, stackSet, account, region);
  if (!instance) throw notFound(stackSet, account, region);
  return {
    StackInstance: {
      ...summary(stackSet, instance),
      ParameterOverrides: toParameterList(instance.overrides),
    },
  };
}

export const STACK_INSTANCE_HANDLERS: HandlerTable = {
  CreateStackInstances: createStackInstances,
  UpdateStackInstances: updateStackInstances,
  DeleteStackInstances: deleteStackInstances,
  ListStackInstances: listStackInstances,
  DescribeStackInstance: describeStackInstance,
};
