import { FULL_AWS_ACCESS_ID, MAX_TAGS, PARTITION } from './aws-constants';
import type { CallContext } from './context';
import { awsError, type AwsErrorOptions } from './errors';
import type { PageRules } from './pagination';
import type { SandboxStateJson, TagState } from './state';

/** Helpers shared by the Organizations modules. */

export const orgError = (name: string, message: string, options?: AwsErrorOptions) =>
  awsError('organizations', name, message, options);

/** InvalidInputException with its Reason, as Organizations validates inputs. */
export const invalidInput = (reason: string, message: string) =>
  orgError('InvalidInputException', message, { fields: { Reason: reason } });

/** Only the management account may call Organizations (bar DescribeOrganization). */
export function requireManagement(ctx: CallContext): void {
  if (ctx.caller.accountId !== ctx.state.organization.managementAccountId) {
    throw orgError('AccessDeniedException', "You don't have permissions to access this resource.");
  }
}

/** A required member is present and a non-empty string. */
export function requireString(value: unknown, member: string): string {
  if (typeof value !== 'string' || value === '') {
    throw invalidInput('INPUT_REQUIRED', `You must specify a value for ${member}.`);
  }
  return value;
}

/** Length rules as Organizations reports them. */
export function checkLength(value: string, member: string, min: number, max: number): void {
  if (value.length < min)
    throw invalidInput('MIN_LENGTH_EXCEEDED', `${member} must be at least ${min} characters.`);
  if (value.length > max)
    throw invalidInput('MAX_LENGTH_EXCEEDED', `${member} must be at most ${max} characters.`);
}

export const ROOT_ID_PATTERN = /^r-[0-9a-z]{4,32}$/;
export const OU_ID_PATTERN = /^ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}$/;
export const ACCOUNT_ID_PATTERN = /^\d{12}$/;
export const POLICY_ID_PATTERN = /^p-[0-9a-zA-Z_]{8,128}$/;

/** A parent id (root or OU) is well formed; existence is checked by the caller. */
export function checkParentIdShape(id: string, member: string): void {
  if (!ROOT_ID_PATTERN.test(id) && !OU_ID_PATTERN.test(id)) {
    throw invalidInput('INVALID_PATTERN', `${member} does not match the pattern of a root or OU id.`);
  }
}

export type TargetType = 'ROOT' | 'ORGANIZATIONAL_UNIT' | 'ACCOUNT';

/** What an id names in the organization, if anything. */
export function targetType(state: SandboxStateJson, id: string): TargetType | undefined {
  if (id === state.organization.rootId) return 'ROOT';
  if (state.ous[id]) return 'ORGANIZATIONAL_UNIT';
  if (state.accounts[id]) return 'ACCOUNT';
  return undefined;
}

export const isParent = (state: SandboxStateJson, id: string): boolean =>
  id === state.organization.rootId || state.ous[id] !== undefined;

const orgArnPrefix = (state: SandboxStateJson) =>
  `arn:${PARTITION}:organizations::${state.organization.managementAccountId}`;

export const organizationArn = (state: SandboxStateJson) =>
  `${orgArnPrefix(state)}:organization/${state.organization.id}`;
export const rootArn = (state: SandboxStateJson) =>
  `${orgArnPrefix(state)}:root/${state.organization.id}/${state.organization.rootId}`;
export const ouArn = (state: SandboxStateJson, id: string) =>
  `${orgArnPrefix(state)}:ou/${state.organization.id}/${id}`;
export const accountArn = (state: SandboxStateJson, id: string) =>
  `${orgArnPrefix(state)}:account/${state.organization.id}/${id}`;
export const policyArn = (state: SandboxStateJson, id: string) =>
  state.policies[id]?.awsManaged
    ? `arn:${PARTITION}:organizations::aws:policy/service_control_policy/${id}`
    : `${orgArnPrefix(state)}:policy/${state.organization.id}/service_control_policy/${id}`;

/** The ARN and name of any target, for ListTargetsForPolicy and friends. */
export function describeTarget(
  state: SandboxStateJson,
  id: string,
): { Arn: string; Name: string; Type: TargetType } {
  const type = targetType(state, id);
  if (type === 'ROOT') return { Arn: rootArn(state), Name: 'Root', Type: type };
  if (type === 'ORGANIZATIONAL_UNIT') return { Arn: ouArn(state, id), Name: state.ous[id]!.name, Type: type };
  if (type === 'ACCOUNT') return { Arn: accountArn(state, id), Name: state.accounts[id]!.name, Type: type };
  throw orgError(
    'TargetNotFoundException',
    "We can't find a root, OU, account, or policy with the TargetId that you specified.",
  );
}

/** Organizations attaches FullAWSAccess to every new OU and account, as AWS does. */
export function attachFullAwsAccess(state: SandboxStateJson, targetId: string): void {
  state.attachments.push({ policyId: FULL_AWS_ACCESS_ID, targetId });
}

/** Validates tags as Organizations does and returns them as stored. */
export function checkTags(tags: unknown, existing: TagState[] = []): TagState[] {
  if (tags === undefined) return existing;
  if (!Array.isArray(tags)) throw invalidInput('INVALID_LIST_MEMBER', 'Tags must be a list.');
  const seen = new Set<string>();
  const merged = new Map(existing.map((tag) => [tag.Key, tag.Value]));
  for (const tag of tags as Partial<TagState>[]) {
    const key = requireString(tag?.Key, 'Tag.Key');
    checkLength(key, 'Tag.Key', 1, 128);
    const value = typeof tag.Value === 'string' ? tag.Value : '';
    checkLength(value, 'Tag.Value', 0, 256);
    if (seen.has(key)) throw invalidInput('DUPLICATE_TAG_KEY', `Duplicate tag key ${key}.`);
    seen.add(key);
    merged.set(key, value);
  }
  if (merged.size > MAX_TAGS) {
    throw orgError(
      'ConstraintViolationException',
      'You have exceeded the number of tags allowed on this resource.',
      {
        fields: { Reason: 'MAX_TAG_LIMIT_EXCEEDED' },
      },
    );
  }
  return [...merged].map(([Key, Value]) => ({ Key, Value }));
}

/** Organizations' List* paging: at most 20 a page (the API's MaxResults maximum). */
export const ORG_PAGES: PageRules = {
  defaultSize: 20,
  maxSize: 20,
  invalidToken: () => invalidInput('INVALID_NEXT_TOKEN', 'The specified NextToken is not valid.'),
  invalidSize: (size) => invalidInput('MAX_VALUE_EXCEEDED', `MaxResults ${size} must be between 1 and 20.`),
};
