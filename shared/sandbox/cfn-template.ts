import { MAX_TEMPLATE_BODY, PARTITION } from './aws-constants';
import { SandboxGap, awsError } from './errors';
import type { ParameterMap } from './state';

/**
 * CloudFormation templates as StackSets sees them: validated when a stack set is created or
 * updated, then read again when an instance deploys (to know which IAM roles the stack makes).
 * Only JSON templates are understood (CDK synthesizes JSON); YAML is reported as not modelled.
 */

interface TemplateParameter {
  Type?: string;
  Default?: unknown;
  AllowedValues?: unknown[];
  AllowedPattern?: string;
}

interface TemplateResource {
  Type: string;
  Properties?: Record<string, unknown>;
  Condition?: string;
}

/** The parts of a template the sandbox reads. */
export interface ParsedTemplate {
  parameters: Record<string, TemplateParameter>;
  resources: Record<string, TemplateResource>;
  conditions: Record<string, unknown>;
}

export const validationError = (message: string) => awsError('cloudformation', 'ValidationError', message);

/** Parses and checks a TemplateBody as CloudFormation does before accepting a stack set. */
export function parseTemplate(body: unknown): ParsedTemplate {
  if (typeof body !== 'string' || body.length === 0) {
    throw validationError('Either TemplateBody or TemplateURL must be specified.');
  }
  if (Buffer.byteLength(body) > MAX_TEMPLATE_BODY) {
    throw validationError(
      `1 validation error detected: Value at 'templateBody' failed to satisfy constraint: Member must have length less than or equal to ${MAX_TEMPLATE_BODY}`,
    );
  }
  let document: unknown;
  try {
    document = JSON.parse(body);
  } catch {
    if (body.trimStart().startsWith('{'))
      throw validationError('Template format error: JSON not well-formed.');
    throw new SandboxGap('YAML templates (only JSON templates are modelled)');
  }
  if (typeof document !== 'object' || document === null || Array.isArray(document)) {
    throw validationError('Template format error: JSON not well-formed.');
  }
  const template = document as Record<string, unknown>;
  if (template.Transform !== undefined) throw new SandboxGap('templates with a Transform');
  const resources = asObject(template.Resources);
  if (Object.keys(resources).length === 0) {
    throw validationError('Template format error: At least one Resources member must be defined.');
  }
  for (const [logicalId, resource] of Object.entries(resources)) {
    const type = (resource as { Type?: unknown } | null)?.Type;
    if (typeof type !== 'string') {
      throw validationError(
        `Template format error: [/Resources/${logicalId}] Every Resources object must contain a Type member.`,
      );
    }
    if (!/^[A-Za-z0-9]+::[A-Za-z0-9]+(::[A-Za-z0-9]+)*$/.test(type)) {
      throw validationError(`Template format error: Unrecognized resource types: [${type}]`);
    }
  }
  return {
    parameters: asObject(template.Parameters) as Record<string, TemplateParameter>,
    resources: resources as Record<string, TemplateResource>,
    conditions: asObject(template.Conditions),
  };
}

const asObject = (value: unknown): Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};

const IAM_TYPES = new Set([
  'AWS::IAM::AccessKey',
  'AWS::IAM::Group',
  'AWS::IAM::GroupPolicy',
  'AWS::IAM::InstanceProfile',
  'AWS::IAM::ManagedPolicy',
  'AWS::IAM::Policy',
  'AWS::IAM::Role',
  'AWS::IAM::RolePolicy',
  'AWS::IAM::User',
  'AWS::IAM::UserPolicy',
  'AWS::IAM::UserToGroupAddition',
]);
const NAME_PROPERTIES = ['RoleName', 'UserName', 'GroupName', 'ManagedPolicyName', 'InstanceProfileName'];

/** The capability a template needs: named IAM resources need CAPABILITY_NAMED_IAM, others CAPABILITY_IAM. */
export function requiredCapability(
  template: ParsedTemplate,
): 'CAPABILITY_IAM' | 'CAPABILITY_NAMED_IAM' | undefined {
  const iam = Object.values(template.resources).filter((r) => IAM_TYPES.has(r.Type));
  if (iam.some((r) => NAME_PROPERTIES.some((p) => r.Properties?.[p] !== undefined)))
    return 'CAPABILITY_NAMED_IAM';
  return iam.length > 0 ? 'CAPABILITY_IAM' : undefined;
}

/** InsufficientCapabilitiesException unless the capabilities acknowledge the template's IAM resources. */
export function checkCapabilities(template: ParsedTemplate, capabilities: string[]): void {
  const needed = requiredCapability(template);
  const granted =
    capabilities.includes('CAPABILITY_NAMED_IAM') ||
    (needed === 'CAPABILITY_IAM' && capabilities.includes('CAPABILITY_IAM'));
  if (needed && !granted) {
    throw awsError(
      'cloudformation',
      'InsufficientCapabilitiesException',
      `Requires capabilities : [${needed}]`,
    );
  }
}

/** A Parameter list entry as the SDK sends it. */
export interface ParameterInput {
  ParameterKey?: string;
  ParameterValue?: string;
  UsePreviousValue?: boolean;
}

/**
 * Resolves a Parameters list against the template: undeclared keys are rejected, and so are
 * declared parameters without a Default that get no value. `previous` serves UsePreviousValue.
 */
export function resolveParameters(
  template: ParsedTemplate,
  supplied: ParameterInput[] = [],
  previous: ParameterMap = {},
): ParameterMap {
  const values = readParameterList(template, supplied, previous);
  const missing = Object.entries(template.parameters)
    .filter(([key, declared]) => values[key] === undefined && declared?.Default === undefined)
    .map(([key]) => key);
  if (missing.length > 0) throw validationError(`Parameters: [${missing.join(', ')}] must have values`);
  return values;
}

/** Reads a Parameters list (or ParameterOverrides): keys must be declared and values valid. */
export function readParameterList(
  template: ParsedTemplate,
  supplied: ParameterInput[],
  previous: ParameterMap = {},
): ParameterMap {
  const unknown = supplied.map((p) => p.ParameterKey ?? '').filter((key) => !(key in template.parameters));
  if (unknown.length > 0)
    throw validationError(`Parameters: [${unknown.join(', ')}] do not exist in the template`);
  const values: ParameterMap = {};
  for (const { ParameterKey: key = '', ParameterValue: value, UsePreviousValue: usePrevious } of supplied) {
    if (usePrevious && value !== undefined) {
      throw validationError(
        `Invalid input for parameter key ${key}. Cannot specify usePreviousValue as true and non empty value for a parameter`,
      );
    }
    const resolved = usePrevious ? previous[key] : value;
    if (resolved === undefined) throw validationError(`Parameters: [${key}] must have values`);
    checkAllowed(key, template.parameters[key]!, resolved);
    values[key] = resolved;
  }
  return values;
}

/**
 * AllowedValues, AllowedPattern and Number apply to each element of a list parameter
 * (CommaDelimitedList, List<…>), and to the whole value otherwise. A pattern must match in full.
 */
function checkAllowed(key: string, declared: TemplateParameter, value: string): void {
  const type = declared.Type ?? 'String';
  const isList = type === 'CommaDelimitedList' || type.startsWith('List<');
  const elements = isList ? value.split(',') : [value];
  const allowed = Array.isArray(declared.AllowedValues) ? declared.AllowedValues.map(String) : undefined;
  const pattern = declared.AllowedPattern ? new RegExp(`^(?:${declared.AllowedPattern})$`) : undefined;
  for (const element of elements) {
    if (allowed && !allowed.includes(element))
      throw validationError(`Parameter '${key}' must be one of AllowedValues`);
    if (pattern && !pattern.test(element)) {
      throw validationError(`Parameter '${key}' must match pattern ${declared.AllowedPattern}`);
    }
    if ((type === 'Number' || type === 'List<Number>') && !Number.isFinite(Number(element))) {
      throw validationError(`Parameter '${key}' must be a number.`);
    }
  }
}

/** The values a stack is deployed with: declared defaults, then the stack set's, then overrides. */
export function effectiveParameters(
  template: ParsedTemplate,
  stackSet: ParameterMap,
  overrides: ParameterMap,
): ParameterMap {
  const values: ParameterMap = {};
  for (const [key, declared] of Object.entries(template.parameters)) {
    const value =
      overrides[key] ??
      stackSet[key] ??
      (declared?.Default === undefined ? undefined : String(declared.Default));
    if (value !== undefined) values[key] = value;
  }
  return values;
}

/** Where a stack runs: the pseudo parameters CloudFormation resolves. */
export interface StackEnvironment {
  accountId: string;
  region: string;
  stackName: string;
  parameters: ParameterMap;
}

/** An IAM role a template creates under a name the sandbox can resolve. */
export interface NamedRole {
  logicalId: string;
  roleName: string;
  trustedAccounts: string[] | '*';
  /**
   * The role ARNs its trust narrows the trusted accounts to (`ArnEquals` on `aws:PrincipalArn` in
   * every statement), when it does; see the sandbox's RoleState.
   */
  trustedPrincipalArns?: string[];
  /** The actions its inline policies allow. */
  allowedActions: string[];
}

/** The resources a stack would have, after Conditions. */
export function deployedResources(template: ParsedTemplate, env: StackEnvironment): Record<string, string> {
  const resources: Record<string, string> = {};
  for (const [logicalId, resource] of Object.entries(template.resources)) {
    if (included(template, resource, env)) resources[logicalId] = resource.Type;
  }
  return resources;
}

/**
 * The resources of one type, after Conditions, whose name property resolves: what the sandbox can
 * track by name (names are how AWS finds roles and buckets).
 */
function namedResources(
  template: ParsedTemplate,
  env: StackEnvironment,
  type: string,
  nameProperty: string,
): { logicalId: string; name: string; properties: Record<string, unknown> }[] {
  return Object.entries(template.resources).flatMap(([logicalId, resource]) => {
    if (resource.Type !== type || !included(template, resource, env)) return [];
    const properties = asObject(resource.Properties);
    const name = resolve(properties[nameProperty], env, template);
    return name === undefined ? [] : [{ logicalId, name, properties }];
  });
}

/** The IAM roles with a resolvable RoleName, and which accounts their trust policy names. */
export function namedRoles(template: ParsedTemplate, env: StackEnvironment): NamedRole[] {
  return namedResources(template, env, 'AWS::IAM::Role', 'RoleName').map(
    ({ logicalId, name, properties }) => ({
      logicalId,
      roleName: name,
      trustedAccounts: trustedAccounts(properties.AssumeRolePolicyDocument, env, template),
      ...principalArnsOf(properties.AssumeRolePolicyDocument, env, template),
      allowedActions: allowedActions(properties.Policies),
    }),
  );
}

/**
 * The actions the role's inline policies allow (as written, wildcards kept), whatever the resources
 * and conditions: what the sandbox reads of a role's permissions (AWS Config's delivery check).
 */
function allowedActions(policies: unknown): string[] {
  const actions = new Set<string>();
  for (const policy of Array.isArray(policies) ? policies : []) {
    const statements = asObject(asObject(policy).PolicyDocument).Statement;
    for (const statement of Array.isArray(statements) ? statements : [statements]) {
      const { Effect, Action } = asObject(statement);
      if (Effect !== 'Allow') continue;
      for (const action of Array.isArray(Action) ? Action : [Action]) {
        if (typeof action === 'string') actions.add(action);
      }
    }
  }
  return [...actions].sort();
}

/** An S3 bucket a template creates under a name the sandbox can resolve. */
export interface NamedBucket {
  logicalId: string;
  bucketName: string;
  versioning: boolean;
  /** Its LoggingConfiguration, when the target bucket's name can be resolved. */
  logging?: { targetBucket: string; prefix: string };
}

/** The S3 buckets with a resolvable BucketName. */
export function namedBuckets(template: ParsedTemplate, env: StackEnvironment): NamedBucket[] {
  const named = namedResources(template, env, 'AWS::S3::Bucket', 'BucketName');
  const nameOf = new Map(named.map((b) => [b.logicalId, b.name]));
  return named.map(({ logicalId, name, properties }) => {
    const logging = asObject(properties.LoggingConfiguration);
    const target = asObject(logging.DestinationBucketName);
    // A Ref to a bucket of the same template is that bucket's name.
    const targetBucket =
      typeof target.Ref === 'string' && nameOf.has(target.Ref)
        ? nameOf.get(target.Ref)
        : resolve(logging.DestinationBucketName, env, template);
    const prefix = resolve(logging.LogFilePrefix, env, template) ?? '';
    return {
      logicalId,
      bucketName: name,
      versioning: asObject(properties.VersioningConfiguration).Status === 'Enabled',
      ...(targetBucket !== undefined && { logging: { targetBucket, prefix } }),
    };
  });
}

function included(template: ParsedTemplate, resource: TemplateResource, env: StackEnvironment): boolean {
  return (
    resource.Condition === undefined ||
    condition(template.conditions[resource.Condition], env, template) !== false
  );
}

/** Accounts named as AWS principals; '*' when a principal cannot be resolved (then anyone in the org may try). */
function trustedAccounts(document: unknown, env: StackEnvironment, template: ParsedTemplate): string[] | '*' {
  const statements = asObject(document).Statement;
  const accounts = new Set<string>();
  for (const statement of Array.isArray(statements) ? statements : [statements]) {
    const principal = asObject(asObject(statement).Principal).AWS;
    for (const entry of Array.isArray(principal) ? principal : principal === undefined ? [] : [principal]) {
      const value = resolve(entry, env, template);
      const account =
        value === undefined ? undefined : /^(?:arn:[\w-]+:iam::)?(\d{12})(?::|$)/.exec(value)?.[1];
      if (account === undefined) return '*';
      accounts.add(account);
    }
  }
  return [...accounts];
}

/**
 * The role ARNs a trust policy admits by `ArnEquals`/`ArnLike` on `aws:PrincipalArn`, when every
 * statement names them (a statement without would admit its accounts' every principal, so the
 * trust is not narrowed): `{}` when not narrowed or not resolvable.
 */
function principalArnsOf(
  document: unknown,
  env: StackEnvironment,
  template: ParsedTemplate,
): { trustedPrincipalArns?: string[] } {
  const statements = asObject(document).Statement;
  const arns: string[] = [];
  for (const statement of Array.isArray(statements) ? statements : [statements]) {
    const condition = asObject(asObject(statement).Condition);
    const named = asObject(condition.ArnEquals)['aws:PrincipalArn'];
    if (named === undefined) return {};
    for (const entry of Array.isArray(named) ? named : [named]) {
      const value = resolve(entry, env, template);
      if (value === undefined || value.includes('*')) return {};
      arns.push(value);
    }
  }
  return arns.length === 0 ? {} : { trustedPrincipalArns: arns };
}

const pseudo = (env: StackEnvironment): Record<string, string> => ({
  'AWS::AccountId': env.accountId,
  'AWS::Region': env.region,
  'AWS::Partition': PARTITION,
  'AWS::URLSuffix': 'amazonaws.com',
  'AWS::StackName': env.stackName,
});

/** Resolves the intrinsic functions a name or ARN is usually built with; undefined otherwise. */
export function resolve(value: unknown, env: StackEnvironment, template: ParsedTemplate): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  const fn = asObject(value);
  if ('Ref' in fn) return env.parameters[String(fn.Ref)] ?? pseudo(env)[String(fn.Ref)];
  if ('Fn::Sub' in fn) return substitute(fn['Fn::Sub'], env, template);
  if ('Fn::Join' in fn && Array.isArray(fn['Fn::Join'])) {
    const [separator, parts] = fn['Fn::Join'] as [unknown, unknown];
    const resolved = Array.isArray(parts) ? parts.map((p) => resolve(p, env, template)) : [undefined];
    return resolved.every((p) => p !== undefined) ? resolved.join(String(separator)) : undefined;
  }
  if ('Fn::If' in fn && Array.isArray(fn['Fn::If'])) {
    const [name, whenTrue, whenFalse] = fn['Fn::If'] as [string, unknown, unknown];
    const test = condition(template.conditions[name], env, template);
    return test === undefined ? undefined : resolve(test ? whenTrue : whenFalse, env, template);
  }
  // `Fn::Select` of an `Fn::Split` (a field of an ARN parameter): the only list these templates select from.
  if ('Fn::Select' in fn && Array.isArray(fn['Fn::Select'])) {
    const [index, list] = fn['Fn::Select'] as [unknown, unknown];
    const split = asObject(list)['Fn::Split'];
    if (!Array.isArray(split)) return undefined;
    const [separator, source] = split as [unknown, unknown];
    const text = resolve(source, env, template);
    return text === undefined ? undefined : text.split(String(separator))[Number(index)];
  }
  return undefined;
}

function substitute(args: unknown, env: StackEnvironment, template: ParsedTemplate): string | undefined {
  const [text, vars] = Array.isArray(args) ? (args as [unknown, unknown]) : [args, {}];
  if (typeof text !== 'string') return undefined;
  const local = asObject(vars);
  let unresolved = false;
  const result = text.replace(/\$\{(!?)([^}]+)\}/g, (_match, literal: string, name: string) => {
    if (literal) return `\${${name}}`;
    const resolved =
      name in local ? resolve(local[name], env, template) : (env.parameters[name] ?? pseudo(env)[name]);
    if (resolved === undefined) unresolved = true;
    return resolved ?? '';
  });
  return unresolved ? undefined : result;
}

/** Evaluates a Condition; undefined when it depends on something unresolvable. */
function condition(
  expression: unknown,
  env: StackEnvironment,
  template: ParsedTemplate,
  depth = 0,
): boolean | undefined {
  if (depth > 20) return undefined;
  const fn = asObject(expression);
  const args = (name: string) => (Array.isArray(fn[name]) ? (fn[name] as unknown[]) : []);
  if ('Condition' in fn)
    return condition(template.conditions[String(fn.Condition)], env, template, depth + 1);
  if ('Fn::Equals' in fn) {
    const [a, b] = args('Fn::Equals').map((v) => resolve(v, env, template));
    return a === undefined || b === undefined ? undefined : a === b;
  }
  if ('Fn::Not' in fn) {
    const inner = condition(args('Fn::Not')[0], env, template, depth + 1);
    return inner === undefined ? undefined : !inner;
  }
  const combine = (name: string, all: boolean) => {
    const values = args(name).map((c) => condition(c, env, template, depth + 1));
    if (all ? values.includes(false) : values.includes(true)) return !all;
    return values.includes(undefined) ? undefined : all;
  };
  if ('Fn::And' in fn) return combine('Fn::And', true);
  if ('Fn::Or' in fn) return combine('Fn::Or', false);
  return undefined;
}
