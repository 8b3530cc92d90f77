import { countBy, membersBy, recordValues } from './atomic';
import type * as cfn from '@aws-sdk/client-cloudformation';
import { STACKSET_ADMIN_ROLE, STACKSET_EXECUTION_ROLE, STACKSETS_ORG_ADMIN_ROLE } from './aws-constants';
import {
  CFN_PAGES,
  STACK_SET_NAME,
  cfnError,
  checkAccounts,
  checkPreferences,
  checkRegions,
  findStackSet,
  requireMember,
  toParameterList,
  validationError,
} from './cfn-common';
import { createOperation, gateOperation, inFlightOperations } from './cfn-operations';
import {
  actingAccount,
  checkCallAs,
  reachable,
  requireServiceManagedCaller,
  serviceManagedExecutionRole,
  serviceManagedTargets,
} from './cfn-organizations';
import { checkCapabilities, parseTemplate, resolveParameters } from './cfn-template';
import type { CallContext, HandlerTable, Out } from './context';
import { SandboxGap } from './errors';
import { UuidKind, next, uuid } from './ids';
import { paginate } from './pagination';
import type { SandboxStateJson, StackSetState, TagState } from './state';
import { instancesByStackSet, stackSetsByName } from './state-indexes';

/** CloudFormation StackSets: the stack sets themselves (their instances are in cfn-instances). */

const CAPABILITIES = new Set(['CAPABILITY_IAM', 'CAPABILITY_NAMED_IAM', 'CAPABILITY_AUTO_EXPAND']);
const ROLE_ARN = /^arn:[\w-]+:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/;
const ROLE_NAME = /^[a-zA-Z_0-9+=,.@-]{1,64}$/;

function checkName(name: string): string {
  if (name.length > 128 || !STACK_SET_NAME.test(name)) {
    throw validationError(
      `1 validation error detected: Value '${name}' at 'stackSetName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z][-a-zA-Z0-9]*`,
    );
  }
  return name;
}

function checkCapabilityList(capabilities: string[] | undefined): string[] {
  const list = capabilities ?? [];
  const unknown = list.filter((c) => !CAPABILITIES.has(c));
  if (unknown.length > 0) throw validationError(`Invalid capabilities: [${unknown.join(', ')}]`);
  return [...list];
}

function checkStackSetTags(tags: cfn.Tag[] | undefined): TagState[] {
  const list = (tags ?? []).map((t) => ({
    Key: requireMember(t.Key, 'tags.member.key'),
    Value: requireMember(t.Value, 'tags.member.value'),
  }));
  if (list.length > 50) throw validationError('The number of tags exceeds the limit of 50.');
  if (list.some((t) => t.Key.startsWith('aws:'))) throw validationError('Tag keys cannot start with aws:');
  return list;
}

/** The administration role a create or update without AdministrationRoleARN runs with. */
const defaultAdministrationRoleArn = (ctx: CallContext): string =>
  `arn:aws:iam::${ctx.caller.accountId}:role/${STACKSET_ADMIN_ROLE}`;

function checkRoles(admin: string, execution: string): void {
  if (!ROLE_ARN.test(admin)) throw validationError(`Invalid AdministrationRoleARN: ${admin}`);
  if (!ROLE_NAME.test(execution)) throw validationError(`Invalid ExecutionRoleName: ${execution}`);
}

/** The template a create or update supplies, as TemplateBody; TemplateURL is not modelled. */
function templateBody(
  input: { TemplateBody?: string; TemplateURL?: string },
  previous?: string,
  usePrevious?: boolean,
): string {
  const given = [input.TemplateBody, input.TemplateURL, usePrevious ? previous : undefined].filter(
    (t) => t !== undefined,
  );
  if (given.length > 1)
    throw validationError('Specify only one of TemplateBody, TemplateURL and UsePreviousTemplate.');
  if (input.TemplateURL !== undefined)
    throw new SandboxGap('TemplateURL (pass the template as TemplateBody)');
  return (usePrevious ? previous : input.TemplateBody) ?? requireMember<string>(undefined, 'templateBody');
}

const regionsOf = (state: SandboxStateJson, stackSet: StackSetState) => [
  ...new Set(membersBy(state.stackInstances, instancesByStackSet, stackSet.id).map((i) => i.region)),
];

const view = (state: SandboxStateJson, s: StackSetState): cfn.StackSet => ({
  StackSetName: s.name,
  StackSetId: s.id,
  ...(s.description === undefined ? {} : { Description: s.description }),
  Status: s.status,
  TemplateBody: s.templateBody,
  Parameters: toParameterList(s.parameters),
  Capabilities: s.capabilities as cfn.Capability[],
  Tags: s.tags.map((t) => ({ ...t })),
  StackSetARN: `arn:aws:cloudformation:${s.region}:${s.ownerAccountId}:stackset/${s.id}`,
  ...(s.permissionModel === 'SERVICE_MANAGED'
    ? {
        PermissionModel: 'SERVICE_MANAGED' as const,
        AutoDeployment: {
          Enabled: s.autoDeployment?.enabled ?? false,
          ...(s.autoDeployment?.retainStacksOnAccountRemoval === undefined
            ? {}
            : { RetainStacksOnAccountRemoval: s.autoDeployment.retainStacksOnAccountRemoval }),
        },
        OrganizationalUnitIds: organizationalUnitsOf(state, s),
      }
    : {
        AdministrationRoleARN: s.administrationRoleArn,
        ExecutionRoleName: s.executionRoleName,
        PermissionModel: 'SELF_MANAGED' as const,
      }),
  ManagedExecution: { Active: s.managedExecution },
  Regions: regionsOf(state, s),
});

/** "[Service-managed permissions] The organization root ID or organizational unit (OU) IDs that you specified for DeploymentTargets." */
const organizationalUnitsOf = (state: SandboxStateJson, stackSet: StackSetState) => [
  ...new Set(
    membersBy(state.stackInstances, instancesByStackSet, stackSet.id)
      .filter((i) => i.organizationalUnitId !== undefined)
      .map((i) => i.organizationalUnitId!),
  ),
];

/**
 * The permissions a create asks for, checked as CloudFormation does: AdministrationRoleARN and
 * ExecutionRoleName are "Valid only if the permissions model is SELF_MANAGED", AutoDeployment is
 * "Required if the permissions model is SERVICE_MANAGED", CallAs is "Valid only if the permissions
 * model is SERVICE_MANAGED". Returns the account the stack set is created in.
 */
function checkPermissions(
  input: cfn.CreateStackSetCommandInput,
  ctx: CallContext,
): { owner: string; model: 'SELF_MANAGED' | 'SERVICE_MANAGED' } {
  const model = input.PermissionModel ?? 'SELF_MANAGED';
  const callAs = checkCallAs(input.CallAs);
  if (model === 'SELF_MANAGED') {
    if (callAs === 'DELEGATED_ADMIN')
      throw validationError(
        'CallAs DELEGATED_ADMIN is valid only for stack sets with SERVICE_MANAGED permissions.',
      );
    if (input.AutoDeployment !== undefined)
      throw validationError('AutoDeployment is valid only for stack sets with SERVICE_MANAGED permissions.');
    return { owner: ctx.caller.accountId, model };
  }
  if (model !== 'SERVICE_MANAGED') {
    throw validationError(
      `1 validation error detected: Value '${String(model)}' at 'permissionModel' failed to satisfy constraint: Member must satisfy enum value set: [SERVICE_MANAGED, SELF_MANAGED]`,
    );
  }
  const acting = actingAccount(ctx, callAs);
  requireServiceManagedCaller(ctx, callAs);
  if (input.AdministrationRoleARN !== undefined || input.ExecutionRoleName !== undefined) {
    throw validationError(
      'AdministrationRoleARN and ExecutionRoleName are valid only for stack sets with SELF_MANAGED permissions.',
    );
  }
  if (input.AutoDeployment?.Enabled === undefined)
    throw validationError('AutoDeployment is required for stack sets with SERVICE_MANAGED permissions.');
  if (input.AutoDeployment.Enabled) {
    throw new SandboxGap(
      'automatic deployments of service-managed stack sets (use AutoDeployment Enabled false)',
    );
  }
  if (input.AutoDeployment.RetainStacksOnAccountRemoval !== undefined)
    throw validationError('RetainStacksOnAccountRemoval can be specified only if AutoDeployment is enabled.');
  return { owner: acting.accountId, model };
}

function createStackSet(
  input: cfn.CreateStackSetCommandInput,
  ctx: CallContext,
): Out<cfn.CreateStackSetCommandOutput> {
  const { state, now } = ctx;
  const name = checkName(requireMember(input.StackSetName, 'stackSetName'));
  const { owner, model } = checkPermissions(input, ctx);
  const body = templateBody(input);
  const template = parseTemplate(body);
  const capabilities = checkCapabilityList(input.Capabilities);
  checkCapabilities(template, capabilities);
  const parameters = resolveParameters(template, input.Parameters);
  if (input.Description !== undefined && input.Description.length > 1024)
    throw validationError('Description must be at most 1024 characters.');
  const tags = checkStackSetTags(input.Tags);
  // Service-managed: StackSets' own service-linked role in the management account, and the
  // stacksets-exec-* role it creates in each target.
  const serviceManaged = model === 'SERVICE_MANAGED';
  const administrationRoleArn = serviceManaged
    ? `arn:aws:iam::${owner}:role/${STACKSETS_ORG_ADMIN_ROLE}`
    : (input.AdministrationRoleARN ?? defaultAdministrationRoleArn(ctx));
  const executionRoleName = serviceManaged
    ? serviceManagedExecutionRole(owner)
    : (input.ExecutionRoleName ?? STACKSET_EXECUTION_ROLE);
  checkRoles(administrationRoleArn, executionRoleName);
  const token = ctx.wireParam('ClientRequestToken');
  const [existing] = membersBy(state.stackSets, stackSetsByName, name).filter(
    (s) => s.status === 'ACTIVE' && s.ownerAccountId === owner && s.region === ctx.region,
  );
  if (existing) {
    // The SDK's ClientRequestToken makes a retried create answer with the stack set it made.
    if (token !== undefined && ctx.tokens.get(`stackset:${token}`) === existing.id)
      return { StackSetId: existing.id };
    throw cfnError('NameAlreadyExistsException', `StackSet ${name} already exists`);
  }
  const stackSet: StackSetState = {
    id: `${name}:${uuid(UuidKind.stackSet, next(state, 'stackSet'))}`,
    name,
    ownerAccountId: owner,
    region: ctx.region,
    status: 'ACTIVE',
    ...(serviceManaged && { permissionModel: model, autoDeployment: { enabled: false } }),
    ...(input.Description === undefined ? {} : { description: input.Description }),
    templateBody: body,
    parameters,
    capabilities,
    tags,
    administrationRoleArn,
    executionRoleName,
    managedExecution: input.ManagedExecution?.Active === true,
    createdAt: now,
  };
  state.stackSets[stackSet.id] = stackSet;
  if (token !== undefined) ctx.tokens.set(`stackset:${token}`, stackSet.id);
  return { StackSetId: stackSet.id };
}

function describeStackSet(
  input: cfn.DescribeStackSetCommandInput,
  ctx: CallContext,
): Out<cfn.DescribeStackSetCommandOutput> {
  return { StackSet: view(ctx.state, findStackSet(ctx, input.StackSetName, input.CallAs)) };
}

function listStackSets(
  input: cfn.ListStackSetsCommandInput,
  ctx: CallContext,
): Out<cfn.ListStackSetsCommandOutput> {
  const acting = actingAccount(ctx, input.CallAs);
  const sets = recordValues(ctx.state.stackSets).filter(
    (s) =>
      s.ownerAccountId === acting.accountId &&
      s.region === ctx.region &&
      reachable(s, acting.callAs) &&
      (!input.Status || s.status === input.Status),
  );
  const page = paginate(sets, input.NextToken, input.MaxResults, CFN_PAGES);
  return {
    Summaries: page.items.map((s) => ({
      StackSetName: s.name,
      StackSetId: s.id,
      ...(s.description === undefined ? {} : { Description: s.description }),
      Status: s.status,
      PermissionModel: s.permissionModel ?? 'SELF_MANAGED',
      ...(s.permissionModel === 'SERVICE_MANAGED' && {
        AutoDeployment: { Enabled: s.autoDeployment?.enabled ?? false },
      }),
      DriftStatus: 'NOT_CHECKED',
      ManagedExecution: { Active: s.managedExecution },
    })),
    NextToken: page.nextToken,
  };
}

/** The instances an update targets: all of them, or those in the given accounts and Regions. */
function updateTargets(ctx: CallContext, stackSet: StackSetState, input: cfn.UpdateStackSetCommandInput) {
  const instances = membersBy(ctx.state.stackInstances, instancesByStackSet, stackSet.id);
  if (
    stackSet.permissionModel === 'SERVICE_MANAGED' &&
    input.DeploymentTargets?.OrganizationalUnitIds?.length
  ) {
    const accounts = new Set(serviceManagedTargets(ctx, input, 'UPDATE').map((t) => t.account));
    const regions = input.Regions === undefined ? undefined : checkRegions(input.Regions);
    return instances
      .filter((i) => accounts.has(i.account) && (regions?.includes(i.region) ?? true))
      .map(({ account, region }) => ({ account, region }));
  }
  if (stackSet.permissionModel === 'SERVICE_MANAGED' && input.Accounts !== undefined) {
    serviceManagedTargets(ctx, input, 'UPDATE');
  }
  const accounts = input.Accounts ?? input.DeploymentTargets?.Accounts;
  if (accounts === undefined && input.Regions === undefined)
    return instances.map(({ account, region }) => ({ account, region }));
  const wantedAccounts = accounts === undefined ? undefined : checkAccounts(accounts);
  const wantedRegions = input.Regions === undefined ? undefined : checkRegions(input.Regions);
  const targets = instances.filter(
    (i) => (wantedAccounts?.includes(i.account) ?? true) && (wantedRegions?.includes(i.region) ?? true),
  );
  for (const account of wantedAccounts ?? []) {
    for (const region of wantedRegions ?? []) {
      if (!targets.some((t) => t.account === account && t.region === region)) {
        throw cfnError(
          'StackInstanceNotFoundException',
          `Stack instance [${account}, ${region}] not found in StackSet ${stackSet.name}`,
        );
      }
    }
  }
  return targets.map(({ account, region }) => ({ account, region }));
}

function updateStackSet(
  input: cfn.UpdateStackSetCommandInput,
  ctx: CallContext,
): Out<cfn.UpdateStackSetCommandOutput> {
  const { state } = ctx;
  const stackSet = findStackSet(ctx, input.StackSetName, input.CallAs);
  const { OperationId: explicitId, ...request } = input;
  const fingerprint = JSON.stringify(['UPDATE', request]);
  const existing = gateOperation(ctx, stackSet, fingerprint, explicitId);
  if (existing) return { OperationId: existing };
  const body = templateBody(input, stackSet.templateBody, input.UsePreviousTemplate);
  const template = parseTemplate(body);
  const capabilities = checkCapabilityList(input.Capabilities);
  checkCapabilities(template, capabilities);
  // Omitted Parameters keep their previous values (where still declared); a given list is complete.
  const supplied =
    input.Parameters ??
    Object.keys(stackSet.parameters)
      .filter((k) => k in template.parameters)
      .map((k) => ({ ParameterKey: k, UsePreviousValue: true }));
  const parameters = resolveParameters(template, supplied, stackSet.parameters);
  // An update names its administration role again: without one, CloudFormation does not keep the
  // role the stack set had ("you must specify a customized administrator role, even if it is the
  // same"), and the operation runs with the default role, failing where that role does not exist.
  // An omitted execution role is the previous one ("performs the update using the role previously
  // associated with the StackSet").
  const serviceManaged = stackSet.permissionModel === 'SERVICE_MANAGED';
  if (serviceManaged) {
    if (input.AdministrationRoleARN !== undefined || input.ExecutionRoleName !== undefined) {
      throw validationError(
        'AdministrationRoleARN and ExecutionRoleName are valid only for stack sets with SELF_MANAGED permissions.',
      );
    }
    if (input.PermissionModel !== undefined && input.PermissionModel !== 'SERVICE_MANAGED')
      throw new SandboxGap('changing the permission model of a stack set');
    if (input.AutoDeployment?.Enabled === true)
      throw new SandboxGap(
        'automatic deployments of service-managed stack sets (use AutoDeployment Enabled false)',
      );
  } else if (input.PermissionModel === 'SERVICE_MANAGED' || input.AutoDeployment !== undefined) {
    throw new SandboxGap('changing the permission model of a stack set');
  }
  const administrationRoleArn = serviceManaged
    ? stackSet.administrationRoleArn
    : (input.AdministrationRoleARN ?? defaultAdministrationRoleArn(ctx));
  const executionRoleName = serviceManaged
    ? stackSet.executionRoleName
    : (input.ExecutionRoleName ?? stackSet.executionRoleName);
  checkRoles(administrationRoleArn, executionRoleName);
  const managedExecution = input.ManagedExecution?.Active ?? stackSet.managedExecution;
  const inFlight = inFlightOperations(state, stackSet.id).length > 0;
  if (managedExecution !== stackSet.managedExecution && inFlight) {
    throw validationError(
      "You can't modify your StackSet's execution configuration while there are running or queued operations for that StackSet.",
    );
  }
  const targets = updateTargets(ctx, stackSet, input);
  const preferences = checkPreferences(input.OperationPreferences);
  Object.assign(stackSet, {
    templateBody: body,
    parameters,
    capabilities,
    administrationRoleArn,
    executionRoleName,
    managedExecution,
    ...(input.Description === undefined ? {} : { description: input.Description }),
    ...(input.Tags === undefined ? {} : { tags: checkStackSetTags(input.Tags) }),
  });
  // Instances left out of a partial update no longer match the stack set.
  for (const instance of membersBy(state.stackInstances, instancesByStackSet, stackSet.id)) {
    const targeted = targets.some((t) => t.account === instance.account && t.region === instance.region);
    if (!targeted) instance.status = 'OUTDATED';
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

function deleteStackSet(input: cfn.DeleteStackSetCommandInput, ctx: CallContext): object {
  const stackSet = findStackSet(ctx, input.StackSetName, input.CallAs);
  const busy = inFlightOperations(ctx.state, stackSet.id).length > 0;
  if (busy)
    throw cfnError(
      'OperationInProgressException',
      `Another Operation on StackSet ${stackSet.id} is in progress`,
    );
  if (countBy(ctx.state.stackInstances, instancesByStackSet, stackSet.id) > 0) {
    throw cfnError('StackSetNotEmptyException', 'StackSet is not empty');
  }
  stackSet.status = 'DELETED';
  return {};
}

export const STACK_SET_HANDLERS: HandlerTable = {
  CreateStackSet: createStackSet,
  DescribeStackSet: describeStackSet,
  ListStackSets: listStackSets,
  UpdateStackSet: updateStackSet,
  DeleteStackSet: deleteStackSet,
};
