/**
 * A small CloudFormation intrinsic-function resolver: just what the vended templates use, so that
 * their policies can be read as a stack instance in one account would see them.
 *
 * Supported: `Ref` (parameters, the pseudo parameters AWS::AccountId/Region/Partition/URLSuffix/
 * NoValue, and resources whose physical id is deterministic), `Fn::Sub` (string and list forms),
 * `Fn::Join`, `Fn::Split`, `Fn::Select`, `Fn::If` with the template's `Conditions` (`Fn::Equals`,
 * `Fn::Or`, `Fn::And`, `Fn::Not`, `Condition`), `Fn::GetAtt` of the ARN of resources named by a
 * property. Anything else — or a reference whose value CloudFormation would only know after
 * creation, such as a KMS key id — throws, so that a test never runs on a guessed value.
 */

export type Template = Record<string, unknown>;
export type ParameterValue = string | string[];

export interface InstanceContext {
  /** Parameter values as the stack set passes them (strings; CommaDelimitedList values comma-joined). */
  parameters: Record<string, string>;
  accountId: string;
  region: string;
  partition?: string;
  urlSuffix?: string;
}

interface TemplateResource {
  Type: string;
  Properties?: Record<string, unknown>;
  Condition?: string;
}

interface TemplateParameter {
  Type: string;
  Default?: unknown;
  AllowedPattern?: string;
  AllowedValues?: string[];
  MinLength?: number;
  MaxLength?: number;
  MinValue?: number;
  MaxValue?: number;
}

/** `AWS::NoValue`: removes the property or list element that holds it. */
const NO_VALUE = Symbol('AWS::NoValue');

export class UnresolvableError extends Error {
  constructor(message: string, path: string) {
    super(`${message} (at ${path})`);
    this.name = 'UnresolvableError';
  }
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** One stack instance of a template: parameters checked against their declarations, intrinsics resolved. */
export class StackInstance {
  readonly accountId: string;
  readonly region: string;
  readonly partition: string;
  private readonly urlSuffix: string;
  private readonly parameters: Record<string, ParameterValue>;
  private readonly conditionCache = new Map<string, boolean>();

  constructor(
    readonly template: Template,
    context: InstanceContext,
  ) {
    this.accountId = context.accountId;
    this.region = context.region;
    this.partition = context.partition ?? 'aws';
    this.urlSuffix = context.urlSuffix ?? 'amazonaws.com';
    this.parameters = this.checkParameters(context.parameters);
  }

  /** The template's resources whose Condition (if any) holds, by logical id. */
  resources(type?: string): Array<[string, TemplateResource]> {
    const all = Object.entries((this.template.Resources ?? {}) as Record<string, TemplateResource>);
    return all.filter(
      ([, resource]) =>
        (type === undefined || resource.Type === type) &&
        (resource.Condition === undefined || this.condition(resource.Condition)),
    );
  }

  /** A property of a resource, resolved; `undefined` when absent (or `AWS::NoValue`). */
  property(logicalId: string, name: string): unknown {
    const resource = this.resource(logicalId);
    const value = this.resolve(resource.Properties?.[name], `${logicalId}.Properties.${name}`);
    return value === NO_VALUE ? undefined : value;
  }

  /** A property that must resolve to a string. */
  stringProperty(logicalId: string, name: string): string {
    const value = this.property(logicalId, name);
    if (typeof value !== 'string') {
      throw new UnresolvableError(`expected a string, got ${JSON.stringify(value)}`, `${logicalId}.${name}`);
    }
    return value;
  }

  /** Resolves any template value (intrinsics included) to plain JSON. */
  resolve(value: unknown, path = '$'): unknown {
    if (Array.isArray(value)) {
      return value.map((item, i) => this.resolve(item, `${path}[${i}]`)).filter((item) => item !== NO_VALUE);
    }
    if (!isObject(value)) return value;
    const keys = Object.keys(value);
    const only = keys.length === 1 ? keys[0]! : undefined;
    if (
      only !== undefined &&
      (only === 'Ref' || only.startsWith('Fn::') || (only === 'Condition' && typeof value[only] === 'string'))
    ) {
      return this.intrinsic(only, value[only], path);
    }
    const out: Record<string, unknown> = {};
    for (const key of keys) {
      const resolved = this.resolve(value[key], `${path}.${key}`);
      if (resolved !== NO_VALUE) out[key] = resolved;
    }
    return out;
  }

  /** Evaluates a named condition of the template. */
  condition(name: string): boolean {
    const cached = this.conditionCache.get(name);
    if (cached !== undefined) return cached;
    const conditions = (this.template.Conditions ?? {}) as Record<string, unknown>;
    if (!(name in conditions)) throw new UnresolvableError(`unknown condition ${name}`, 'Conditions');
    const result = this.truth(this.resolve(conditions[name], `Conditions.${name}`), `Conditions.${name}`);
    this.conditionCache.set(name, result);
    return result;
  }

  private truth(value: unknown, path: string): boolean {
    if (typeof value !== 'boolean') throw new UnresolvableError(`condition is not a boolean`, path);
    return value;
  }

  private intrinsic(fn: string, arg: unknown, path: string): unknown {
    const at = `${path}.${fn}`;
    switch (fn) {
      case 'Ref':
        return this.ref(this.str(arg, at), at);
      case 'Condition':
        return this.condition(this.str(arg, at));
      case 'Fn::Sub':
        return this.sub(arg, at);
      case 'Fn::Join': {
        const [delimiter, list] = this.pair(arg, at);
        const items = this.list(this.resolve(list, at), at);
        return items.join(this.str(delimiter, at));
      }
      case 'Fn::Split': {
        const [delimiter, source] = this.pair(arg, at);
        return this.str(this.resolve(source, at), at).split(this.str(delimiter, at));
      }
      case 'Fn::Select': {
        const [index, list] = this.pair(arg, at);
        const items = this.list(this.resolve(list, at), at);
        const i = Number(this.resolve(index, at));
        if (!Number.isInteger(i) || i < 0 || i >= items.length) {
          throw new UnresolvableError(`Fn::Select index ${String(index)} out of range ${items.length}`, at);
        }
        return items[i];
      }
      case 'Fn::If': {
        if (!Array.isArray(arg) || arg.length !== 3)
          throw new UnresolvableError('Fn::If takes 3 arguments', at);
        return this.condition(this.str(arg[0], at)) ? this.resolve(arg[1], at) : this.resolve(arg[2], at);
      }
      case 'Fn::Equals': {
        const [a, b] = this.pair(arg, at);
        return JSON.stringify(this.resolve(a, at)) === JSON.stringify(this.resolve(b, at));
      }
      case 'Fn::Or':
      case 'Fn::And': {
        if (!Array.isArray(arg)) throw new UnresolvableError(`${fn} takes a list`, at);
        const values = arg.map((item, i) => this.truth(this.resolve(item, `${at}[${i}]`), `${at}[${i}]`));
        return fn === 'Fn::Or' ? values.some(Boolean) : values.every(Boolean);
      }
      case 'Fn::Not': {
        if (!Array.isArray(arg) || arg.length !== 1)
          throw new UnresolvableError('Fn::Not takes one condition', at);
        return !this.truth(this.resolve(arg[0], at), at);
      }
      case 'Fn::GetAtt': {
        const [logicalId, attribute] =
          typeof arg === 'string' ? (arg.split('.', 2) as [string, string]) : this.pair(arg, at);
        return this.getAtt(this.str(logicalId, at), this.str(attribute, at), at);
      }
      default:
        throw new UnresolvableError(`unsupported intrinsic ${fn}`, at);
    }
  }

  private ref(name: string, path: string): unknown {
    switch (name) {
      case 'AWS::AccountId':
        return this.accountId;
      case 'AWS::Region':
        return this.region;
      case 'AWS::Partition':
        return this.partition;
      case 'AWS::URLSuffix':
        return this.urlSuffix;
      case 'AWS::NoValue':
        return NO_VALUE;
    }
    if (name.startsWith('AWS::')) throw new UnresolvableError(`unsupported pseudo parameter ${name}`, path);
    if (name in this.parameters) return this.parameters[name];
    return this.resourceRef(name, path);
  }

  /** What `Ref` returns for a resource, when it is a function of the resource's own properties. */
  private resourceRef(logicalId: string, path: string): string {
    const resource = this.resource(logicalId);
    const name = (property: string) => this.nameOf(logicalId, property, path);
    switch (resource.Type) {
      case 'AWS::IAM::Role':
        return name('RoleName');
      case 'AWS::IAM::ManagedPolicy':
        return this.getAtt(logicalId, 'PolicyArn', path);
      case 'AWS::S3::Bucket':
        return name('BucketName');
      case 'AWS::SNS::Topic':
        return this.getAtt(logicalId, 'TopicArn', path);
      case 'AWS::Logs::LogGroup':
        return name('LogGroupName');
      case 'AWS::CodeBuild::Project':
        return name('Name');
      default:
        throw new UnresolvableError(
          `Ref ${logicalId} (${resource.Type}) is not deterministic: its value is only known after creation`,
          path,
        );
    }
  }

  private getAtt(logicalId: string, attribute: string, path: string): string {
    const resource = this.resource(logicalId);
    const p = this.partition;
    const a = this.accountId;
    const r = this.region;
    const name = (property: string) => this.nameOf(logicalId, property, path);
    const iamPath = (property: string) => {
      const value = this.resolve(resource.Properties?.[property], path);
      return typeof value === 'string' ? value : '/';
    };
    const key = `${resource.Type}.${attribute}`;
    switch (key) {
      case 'AWS::IAM::Role.Arn':
        return `arn:${p}:iam::${a}:role${iamPath('Path')}${name('RoleName')}`;
      case 'AWS::IAM::ManagedPolicy.PolicyArn':
        return `arn:${p}:iam::${a}:policy${iamPath('Path')}${name('ManagedPolicyName')}`;
      case 'AWS::S3::Bucket.Arn':
        return `arn:${p}:s3:::${name('BucketName')}`;
      case 'AWS::SNS::Topic.TopicArn':
        return `arn:${p}:sns:${r}:${a}:${name('TopicName')}`;
      case 'AWS::Logs::LogGroup.Arn':
        return `arn:${p}:logs:${r}:${a}:log-group:${name('LogGroupName')}:*`;
      case 'AWS::CodeBuild::Project.Arn':
        return `arn:${p}:codebuild:${r}:${a}:project/${name('Name')}`;
      default:
        throw new UnresolvableError(
          `Fn::GetAtt ${logicalId}.${attribute} (${resource.Type}) is not deterministic or not supported`,
          path,
        );
    }
  }

  /** The resource's name property; a resource without one gets a generated name, which we refuse to guess. */
  private nameOf(logicalId: string, property: string, path: string): string {
    const value = this.resolve(this.resource(logicalId).Properties?.[property], `${logicalId}.${property}`);
    if (typeof value !== 'string' || value === '') {
      throw new UnresolvableError(
        `${logicalId} has no ${property}: CloudFormation would generate its name`,
        path,
      );
    }
    return value;
  }

  private sub(arg: unknown, path: string): string {
    let body: unknown = arg;
    let variables: Record<string, unknown> = {};
    if (Array.isArray(arg)) {
      if (arg.length !== 2 || !isObject(arg[1]))
        throw new UnresolvableError('Fn::Sub list form is [body, vars]', path);
      body = arg[0];
      variables = Object.fromEntries(
        Object.entries(arg[1]).map(([k, v]) => [k, this.resolve(v, `${path}.${k}`)]),
      );
    }
    return this.str(body, path).replace(/\$\{([^}]*)\}/g, (_match, expression: string) => {
      if (expression.startsWith('!')) return `\${${expression.slice(1)}}`;
      if (expression in variables) return this.str(variables[expression], `${path}.\${${expression}}`);
      const dot = expression.indexOf('.');
      const value =
        dot > 0 && !expression.startsWith('AWS::')
          ? this.getAtt(expression.slice(0, dot), expression.slice(dot + 1), path)
          : this.ref(expression, path);
      if (Array.isArray(value)) throw new UnresolvableError(`\${${expression}} is a list`, path);
      return this.str(value, `${path}.\${${expression}}`);
    });
  }

  private resource(logicalId: string): TemplateResource {
    const resource = (this.template.Resources as Record<string, TemplateResource> | undefined)?.[logicalId];
    if (!resource) throw new UnresolvableError(`unknown resource ${logicalId}`, 'Resources');
    return resource;
  }

  private checkParameters(given: Record<string, string>): Record<string, ParameterValue> {
    const declared = (this.template.Parameters ?? {}) as Record<string, TemplateParameter>;
    const unknown = Object.keys(given).filter((name) => !(name in declared));
    if (unknown.length > 0) throw new Error(`Parameters not declared by the template: ${unknown.join(', ')}`);
    const values: Record<string, ParameterValue> = {};
    for (const [name, spec] of Object.entries(declared)) {
      const raw = given[name] ?? (spec.Default === undefined ? undefined : String(spec.Default));
      if (raw === undefined) throw new Error(`Parameter ${name} has no value and no default`);
      const list = spec.Type === 'CommaDelimitedList' || spec.Type.startsWith('List<');
      const items = list ? raw.split(',') : [raw];
      for (const item of items) checkParameterValue(name, spec, item);
      values[name] = list ? items : raw;
    }
    return values;
  }

  private str(value: unknown, path: string): string {
    if (typeof value === 'string') return value;
    if (typeof value === 'number') return String(value);
    throw new UnresolvableError(`expected a string, got ${JSON.stringify(value)}`, path);
  }

  private list(value: unknown, path: string): string[] {
    if (!Array.isArray(value))
      throw new UnresolvableError(`expected a list, got ${JSON.stringify(value)}`, path);
    return value.map((item, i) => this.str(item, `${path}[${i}]`));
  }

  private pair(value: unknown, path: string): [unknown, unknown] {
    if (!Array.isArray(value) || value.length !== 2)
      throw new UnresolvableError('expected two arguments', path);
    return [value[0], value[1]];
  }
}

/** CloudFormation's own parameter checks: the stack set would fail on a value that breaks them. */
function checkParameterValue(name: string, spec: TemplateParameter, value: string): void {
  const fail = (rule: string) => {
    throw new Error(`Parameter ${name}=${JSON.stringify(value)} breaks ${rule}`);
  };
  if (spec.AllowedPattern !== undefined && !new RegExp(`^(?:${spec.AllowedPattern})$`).test(value)) {
    fail(`AllowedPattern ${spec.AllowedPattern}`);
  }
  if (spec.AllowedValues && !spec.AllowedValues.includes(value)) fail('AllowedValues');
  if (spec.MinLength !== undefined && value.length < spec.MinLength) fail(`MinLength ${spec.MinLength}`);
  if (spec.MaxLength !== undefined && value.length > spec.MaxLength) fail(`MaxLength ${spec.MaxLength}`);
  if (spec.Type === 'Number') {
    const n = Number(value);
    if (Number.isNaN(n)) fail('Type Number');
    if (spec.MinValue !== undefined && n < spec.MinValue) fail(`MinValue ${spec.MinValue}`);
    if (spec.MaxValue !== undefined && n > spec.MaxValue) fail(`MaxValue ${spec.MaxValue}`);
  }
}
