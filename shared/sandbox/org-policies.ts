import { countBy, membersBy, survivors } from './atomic';
import type * as org from '@aws-sdk/client-organizations';
import { MAX_SCPS_PER_TARGET, MAX_SERVICE_CONTROL_POLICIES } from './aws-constants';
import type { CallContext, HandlerTable, Out } from './context';
import { next, policyId } from './ids';
import {
  ORG_PAGES,
  POLICY_ID_PATTERN,
  checkLength,
  checkTags,
  describeTarget,
  invalidInput,
  orgError,
  policyArn,
  requireManagement,
  requireString,
  targetType,
} from './org-common';
import { paginate } from './pagination';
import type { PolicyState, SandboxStateJson } from './state';
import { attachmentsByPolicy, attachmentsByTarget, policiesByName, policiesByType } from './state-indexes';

/** Organizations: service control policies and where they are attached. */

const POLICY_TYPES = new Set([
  'SERVICE_CONTROL_POLICY',
  'RESOURCE_CONTROL_POLICY',
  'TAG_POLICY',
  'BACKUP_POLICY',
  'AISERVICES_OPT_OUT_POLICY',
  'CHATBOT_POLICY',
  'DECLARATIVE_POLICY_EC2',
  'SECURITYHUB_POLICY',
]);

const policyNotFound = () =>
  orgError('PolicyNotFoundException', "We can't find a policy with the PolicyId that you specified.");

const summary = (state: SandboxStateJson, policy: PolicyState): org.PolicySummary => ({
  Id: policy.id,
  Arn: policyArn(state, policy.id),
  Name: policy.name,
  Description: policy.description,
  Type: policy.type,
  AwsManaged: policy.awsManaged,
});

function requirePolicy(ctx: CallContext, value: unknown): PolicyState {
  const id = requireString(value, 'PolicyId');
  if (!POLICY_ID_PATTERN.test(id))
    throw invalidInput('INVALID_SYNTAX_POLICY_ID', 'PolicyId is not a valid policy id.');
  const policy = ctx.state.policies[id];
  if (!policy) throw policyNotFound();
  return policy;
}

/** Only SCPs are enabled in the sandbox's organization, as in a fresh all-features organization. */
function requireScpType(value: unknown): 'SERVICE_CONTROL_POLICY' {
  const type = requireString(value, 'Type');
  if (!POLICY_TYPES.has(type))
    throw invalidInput('INVALID_ENUM_POLICY_TYPE', `${type} is not a policy type.`);
  if (type !== 'SERVICE_CONTROL_POLICY') {
    throw orgError(
      'PolicyTypeNotEnabledException',
      // The SDK model's description of the error: the sandbox's root has only SCPs enabled.
      "The specified policy type isn't currently enabled in this root.",
    );
  }
  return type;
}

/** Size first (the quota is configurable: AWS raised it for some organizations), then grammar. */
function checkContent(ctx: CallContext, content: string): void {
  if (content.length > ctx.settings.policySizeQuota) {
    throw orgError(
      'ConstraintViolationException',
      'You attempted to create a policy that is larger than the maximum size.',
      {
        fields: { Reason: 'POLICY_CONTENT_LIMIT_EXCEEDED' },
      },
    );
  }
  if (!isValidScp(content)) {
    throw orgError(
      'MalformedPolicyDocumentException',
      "The provided policy document doesn't meet the requirements of the specified policy type.",
    );
  }
}

/** The SCP grammar: Version, Statement with Effect and Action|NotAction, and no Principal. */
export function isValidScp(content: string): boolean {
  let document: unknown;
  try {
    document = JSON.parse(content);
  } catch {
    return false;
  }
  if (typeof document !== 'object' || document === null || Array.isArray(document)) return false;
  const { Version, Statement, ...rest } = document as Record<string, unknown>;
  if (Object.keys(rest).some((key) => key !== 'Id')) return false;
  if (Version !== undefined && Version !== '2012-10-17' && Version !== '2008-10-17') return false;
  const statements = Array.isArray(Statement) ? Statement : [Statement];
  return statements.length > 0 && statements.every(isValidStatement);
}

function isValidStatement(statement: unknown): boolean {
  if (typeof statement !== 'object' || statement === null) return false;
  const s = statement as Record<string, unknown>;
  const allowed = new Set(['Sid', 'Effect', 'Action', 'NotAction', 'Resource', 'NotResource', 'Condition']);
  if (Object.keys(s).some((key) => !allowed.has(key))) return false;
  if (s.Effect !== 'Allow' && s.Effect !== 'Deny') return false;
  return (s.Action === undefined) !== (s.NotAction === undefined);
}

function checkUniqueName(state: SandboxStateJson, name: string, except?: PolicyState): void {
  if (membersBy(state.policies, policiesByName, name).some((p) => p !== except)) {
    throw orgError('DuplicatePolicyException', 'A policy with the same name already exists.');
  }
}

function createPolicy(
  input: org.CreatePolicyCommandInput,
  ctx: CallContext,
): Out<org.CreatePolicyCommandOutput> {
  requireManagement(ctx);
  const { state } = ctx;
  const content = requireString(input.Content, 'Content');
  const name = requireString(input.Name, 'Name');
  checkLength(name, 'Name', 1, 128);
  const description = input.Description ?? '';
  checkLength(description, 'Description', 0, 512);
  const type = requireScpType(input.Type);
  const tags = checkTags(input.Tags);
  checkContent(ctx, content);
  checkUniqueName(state, name);
  // Every policy the sandbox holds is an SCP (requireScpType), AWS managed ones included.
  if (countBy(state.policies, policiesByType, type) >= MAX_SERVICE_CONTROL_POLICIES) {
    throw orgError(
      'ConstraintViolationException',
      'You attempted to exceed the number of policies that you can have in an organization.',
      {
        fields: { Reason: 'POLICY_NUMBER_LIMIT_EXCEEDED' },
      },
    );
  }
  const policy: PolicyState = {
    id: policyId(next(state, 'policy')),
    name,
    description,
    type,
    content,
    awsManaged: false,
  };
  state.policies[policy.id] = policy;
  if (tags.length > 0) state.tags[policy.id] = tags;
  return { Policy: { PolicySummary: summary(state, policy), Content: content } };
}

function updatePolicy(
  input: org.UpdatePolicyCommandInput,
  ctx: CallContext,
): Out<org.UpdatePolicyCommandOutput> {
  requireManagement(ctx);
  const policy = requirePolicy(ctx, input.PolicyId);
  if (policy.awsManaged)
    throw invalidInput(
      'IMMUTABLE_POLICY',
      'You specified a policy that is managed by AWS and cannot be modified.',
    );
  if (input.Name !== undefined) {
    checkLength(input.Name, 'Name', 1, 128);
    checkUniqueName(ctx.state, input.Name, policy);
  }
  if (input.Description !== undefined) checkLength(input.Description, 'Description', 0, 512);
  if (input.Content !== undefined) checkContent(ctx, input.Content);
  policy.name = input.Name ?? policy.name;
  policy.description = input.Description ?? policy.description;
  policy.content = input.Content ?? policy.content;
  return { Policy: { PolicySummary: summary(ctx.state, policy), Content: policy.content } };
}

function describePolicy(
  input: org.DescribePolicyCommandInput,
  ctx: CallContext,
): Out<org.DescribePolicyCommandOutput> {
  requireManagement(ctx);
  const policy = requirePolicy(ctx, input.PolicyId);
  return { Policy: { PolicySummary: summary(ctx.state, policy), Content: policy.content } };
}

function deletePolicy(input: org.DeletePolicyCommandInput, ctx: CallContext): object {
  requireManagement(ctx);
  const policy = requirePolicy(ctx, input.PolicyId);
  if (policy.awsManaged)
    throw invalidInput(
      'IMMUTABLE_POLICY',
      'You specified a policy that is managed by AWS and cannot be modified.',
    );
  if (countBy(ctx.state.attachments, attachmentsByPolicy, policy.id) > 0) {
    throw orgError(
      'PolicyInUseException',
      'The policy is attached to one or more entities. You must detach it from all roots, OUs, and accounts before performing this operation.',
    );
  }
  delete ctx.state.policies[policy.id];
  delete ctx.state.tags[policy.id];
  return {};
}

function listPolicies(
  input: org.ListPoliciesCommandInput,
  ctx: CallContext,
): Out<org.ListPoliciesCommandOutput> {
  requireManagement(ctx);
  const type = requireString(input.Filter, 'Filter');
  if (!POLICY_TYPES.has(type))
    throw invalidInput('INVALID_ENUM_POLICY_TYPE', `${type} is not a policy type.`);
  const policies = membersBy(ctx.state.policies, policiesByType, type);
  const page = paginate(policies, input.NextToken, input.MaxResults, ORG_PAGES);
  return { Policies: page.items.map((p) => summary(ctx.state, p)), NextToken: page.nextToken };
}

function requireTarget(ctx: CallContext, value: unknown): string {
  const id = requireString(value, 'TargetId');
  if (targetType(ctx.state, id) === undefined) {
    throw orgError(
      'TargetNotFoundException',
      "We can't find a root, OU, account, or policy with the TargetId that you specified.",
    );
  }
  return id;
}

const attachedTo = (state: SandboxStateJson, targetId: string) =>
  membersBy(state.attachments, attachmentsByTarget, targetId);

function attachPolicy(input: org.AttachPolicyCommandInput, ctx: CallContext): object {
  requireManagement(ctx);
  const policy = requirePolicy(ctx, input.PolicyId);
  const targetId = requireTarget(ctx, input.TargetId);
  const attached = attachedTo(ctx.state, targetId);
  if (attached.some((a) => a.policyId === policy.id)) {
    throw orgError(
      'DuplicatePolicyAttachmentException',
      'The selected policy is already attached to the specified target.',
    );
  }
  if (attached.length >= MAX_SCPS_PER_TARGET) {
    throw orgError(
      'ConstraintViolationException',
      'You attempted to exceed the number of policies of a certain type that can be attached to an entity at one time.',
      {
        fields: { Reason: 'MAX_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED' },
      },
    );
  }
  ctx.state.attachments.push({ policyId: policy.id, targetId });
  return {};
}

function detachPolicy(input: org.DetachPolicyCommandInput, ctx: CallContext): object {
  requireManagement(ctx);
  const policy = requirePolicy(ctx, input.PolicyId);
  const targetId = requireTarget(ctx, input.TargetId);
  const attached = attachedTo(ctx.state, targetId);
  if (!attached.some((a) => a.policyId === policy.id)) {
    throw orgError(
      'PolicyNotAttachedException',
      "The policy isn't attached to the specified target in the specified root.",
    );
  }
  if (attached.length <= 1) {
    throw orgError(
      'ConstraintViolationException',
      'You attempted to detach a policy from an entity that would cause the entity to have fewer than the minimum number of policies of a certain type required.',
      {
        fields: { Reason: 'MIN_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED' },
      },
    );
  }
  ctx.state.attachments = survivors(
    ctx.state.attachments,
    (a) => !(a.policyId === policy.id && a.targetId === targetId),
  );
  return {};
}

function listPoliciesForTarget(
  input: org.ListPoliciesForTargetCommandInput,
  ctx: CallContext,
): Out<org.ListPoliciesForTargetCommandOutput> {
  requireManagement(ctx);
  const targetId = requireTarget(ctx, input.TargetId);
  const type = requireString(input.Filter, 'Filter');
  const policies = attachedTo(ctx.state, targetId)
    .map((a) => ctx.state.policies[a.policyId]!)
    .filter((p) => p.type === type);
  const page = paginate(policies, input.NextToken, input.MaxResults, ORG_PAGES);
  return { Policies: page.items.map((p) => summary(ctx.state, p)), NextToken: page.nextToken };
}

function listTargetsForPolicy(
  input: org.ListTargetsForPolicyCommandInput,
  ctx: CallContext,
): Out<org.ListTargetsForPolicyCommandOutput> {
  requireManagement(ctx);
  const policy = requirePolicy(ctx, input.PolicyId);
  const targets = membersBy(ctx.state.attachments, attachmentsByPolicy, policy.id);
  const page = paginate(targets, input.NextToken, input.MaxResults, ORG_PAGES);
  return {
    Targets: page.items.map((a) => ({ TargetId: a.targetId, ...describeTarget(ctx.state, a.targetId) })),
    NextToken: page.nextToken,
  };
}

export const POLICY_HANDLERS: HandlerTable = {
  CreatePolicy: createPolicy,
  UpdatePolicy: updatePolicy,
  DescribePolicy: describePolicy,
  DeletePolicy: deletePolicy,
  ListPolicies: listPolicies,
  AttachPolicy: attachPolicy,
  DetachPolicy: detachPolicy,
  ListPoliciesForTarget: listPoliciesForTarget,
  ListTargetsForPolicy: listTargetsForPolicy,
};
