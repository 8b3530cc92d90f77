import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type Template = Record<string, unknown>;
/** Synthesized templates are untyped JSON; tests index into them freely. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Loose = any;

/** StackSets take a TemplateBody of at most 51,200 bytes. */
export const TEMPLATE_BODY_LIMIT = 51_200;

/** cfn-lint findings that do not fail a template: W3005 (redundant DependsOn) is normal on CDK output. */
export const ALLOWED_LINT_RULES: readonly string[] = ['W3005'];

export interface LintFinding {
  rule: string;
  level: string;
  file: string;
  path: string;
  message: string;
}

/**
 * Lints each named template (a JSON object or a YAML/JSON body) with `cfn-lint -f json` and returns
 * every finding. Throws when cfn-lint cannot run or its output is not JSON, so that a missing linter
 * fails the test instead of passing it.
 */
export function cfnLint(templates: Record<string, Template | string>): LintFinding[] {
  const dir = mkdtempSync(join(tmpdir(), 'appvend-cfn-lint-'));
  try {
    const files = Object.entries(templates).map(([name, body]) => {
      const file = join(dir, typeof body === 'string' ? `${name}.yaml` : `${name}.json`);
      writeFileSync(file, typeof body === 'string' ? body : JSON.stringify(body, undefined, 1));
      return file;
    });
    const run = spawnSync('cfn-lint', ['-f', 'json', '--', ...files], { encoding: 'utf8', timeout: 60_000 });
    if (run.error) throw new Error(`cfn-lint did not run: ${run.error.message}`);
    let parsed: unknown;
    try {
      parsed = JSON.parse(run.stdout);
    } catch {
      throw new Error(`cfn-lint exited ${run.status} without JSON output: ${run.stderr || run.stdout}`);
    }
    return (parsed as Array<Record<string, Loose>>).map((m) => ({
      rule: String(m.Rule?.Id),
      level: String(m.Level),
      file: String(m.Filename).split(/[\\/]/).pop() ?? '',
      path: JSON.stringify(m.Location?.Path ?? []),
      message: String(m.Message),
    }));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The findings that fail a template: everything but {@link ALLOWED_LINT_RULES}. */
export const blockingFindings = (findings: readonly LintFinding[]): LintFinding[] =>
  findings.filter((f) => !ALLOWED_LINT_RULES.includes(f.rule));

export interface FoundStatement {
  /** Where the statement is: `Resources.X.Properties.PolicyDocument.Statement[0]`. */
  where: string;
  statement: Record<string, unknown>;
}

/**
 * Every statement of every policy document anywhere in a template (key, bucket, topic, trust,
 * inline and managed policies): any object with a `Statement` array or object.
 */
export function policyStatements(template: unknown): FoundStatement[] {
  const found: FoundStatement[] = [];
  const visit = (node: unknown, where: string): void => {
    if (Array.isArray(node)) {
      node.forEach((item, i) => visit(item, `${where}[${i}]`));
      return;
    }
    if (node === null || typeof node !== 'object') return;
    for (const [key, value] of Object.entries(node)) {
      const path = where ? `${where}.${key}` : key;
      if (key === 'Statement' && value !== null && typeof value === 'object') {
        const statements = Array.isArray(value) ? value : [value];
        statements.forEach((statement, i) =>
          found.push({ where: `${path}[${i}]`, statement: statement as Record<string, unknown> }),
        );
      } else {
        visit(value, path);
      }
    }
  };
  visit(template, '');
  return found;
}

/**
 * Why a statement grants too much: an Allow with `*`, a `service:*` action, a non-literal action or
 * NotAction. Deny statements may use wildcards (they only take away).
 */
export function overlyBroadActions({ statement }: FoundStatement): string[] {
  if (statement.Effect !== 'Allow') return [];
  if ('NotAction' in statement) return ['NotAction in an Allow statement'];
  const actions = Array.isArray(statement.Action) ? statement.Action : [statement.Action];
  return actions.flatMap((action): string[] => {
    if (typeof action !== 'string') return [`non-literal action ${JSON.stringify(action)}`];
    return action === '*' || /^[^:]+:\*$/.test(action) ? [action] : [];
  });
}

/** `Fn::Sub` body of a value, or the value itself when it is a literal string. */
export const subBody = (value: unknown): unknown =>
  value !== null && typeof value === 'object' && 'Fn::Sub' in value
    ? (value as { 'Fn::Sub': unknown })['Fn::Sub']
    : value;

/** The resources of a type, by logical id. */
export function resourcesOfType(template: Template, type: string): Record<string, Record<string, Loose>> {
  const resources = (template.Resources ?? {}) as Record<string, Record<string, Loose>>;
  return Object.fromEntries(Object.entries(resources).filter(([, r]) => r.Type === type));
}

/** The statements of a policy document, found by `Sid`. */
export function statementBySid(
  document: { Statement: Array<Record<string, Loose>> },
  sid: string,
): Record<string, Loose> {
  const statement = document.Statement.find((s) => s.Sid === sid);
  if (!statement) throw new Error(`no statement ${sid} in ${JSON.stringify(document).slice(0, 200)}…`);
  return statement;
}

const NO_VALUE = Symbol('AWS::NoValue');

/** Pseudo parameters used by {@link evaluate}: a tooling-like account in eu-west-1. */
export const PSEUDO = {
  'AWS::AccountId': '999999999999',
  'AWS::Region': 'eu-west-1',
  'AWS::Partition': 'aws',
};

/**
 * Resolves the intrinsic functions the vended templates use (Ref, Fn::Sub, Fn::Join, Fn::Split,
 * Fn::Select, Fn::If with conditions, Fn::GetAtt) for given parameter values, the way CloudFormation
 * would: `Ref` of a resource gives `<LogicalId>`, `Fn::GetAtt` gives `<LogicalId.Attribute>`, and
 * `AWS::NoValue` removes the item. Lists are passed as arrays; everything else as strings.
 */
export function evaluate(template: Template, parameters: Record<string, string | string[]>): Loose {
  const conditionDefs = (template.Conditions ?? {}) as Record<string, unknown>;
  const resourceIds = new Set(Object.keys((template.Resources ?? {}) as object));
  const defaults = (template.Parameters ?? {}) as Record<string, { Default?: string }>;
  const refOf = (name: string): string | string[] => {
    if (name in parameters) return parameters[name]!;
    const fallback = defaults[name]?.Default;
    if (fallback !== undefined) return fallback;
    if (name in PSEUDO) return PSEUDO[name as keyof typeof PSEUDO];
    if (resourceIds.has(name)) return `<${name}>`;
    throw new Error(`unresolvable Ref ${name}`);
  };
  const condition = (name: string): boolean => {
    if (!(name in conditionDefs)) throw new Error(`unknown condition ${name}`);
    return Boolean(resolve(conditionDefs[name]));
  };
  const substitute = (body: string, vars: Record<string, unknown>): string =>
    body.replace(/\$\{([^}!]+)\}/g, (_, name: string) => {
      if (name in vars) return String(vars[name]);
      const [logicalId, attribute] = name.split('.');
      if (attribute) return `<${logicalId}.${attribute}>`;
      const value = refOf(name);
      if (Array.isArray(value)) throw new Error(`Fn::Sub of list parameter ${name}`);
      return value;
    });
  function resolve(node: unknown): unknown {
    if (Array.isArray(node)) return node.map(resolve).filter((v) => v !== NO_VALUE);
    if (node === null || typeof node !== 'object') return node;
    const entries = Object.entries(node);
    if (entries.length === 1) {
      const [fn, arg] = entries[0]! as [string, Loose];
      switch (fn) {
        case 'Ref':
          return arg === 'AWS::NoValue' ? NO_VALUE : refOf(arg);
        case 'Fn::Sub':
          return typeof arg === 'string'
            ? substitute(arg, {})
            : substitute(arg[0], resolve(arg[1]) as Record<string, unknown>);
        case 'Fn::Join':
          return (resolve(arg[1]) as unknown[]).join(arg[0]);
        case 'Fn::Split':
          return String(resolve(arg[1])).split(arg[0]);
        case 'Fn::Select': {
          const list = resolve(arg[1]) as unknown[];
          const index = Number(resolve(arg[0]));
          if (index >= list.length) throw new Error(`Fn::Select index ${index} out of ${list.length}`);
          return list[index];
        }
        case 'Fn::GetAtt':
          return `<${arg[0]}.${arg[1]}>`;
        case 'Fn::ImportValue':
          return `<import ${String(resolve(arg))}>`;
        case 'Fn::If':
          return condition(arg[0]) ? resolve(arg[1]) : resolve(arg[2]);
        case 'Fn::Equals':
          return String(resolve(arg[0])) === String(resolve(arg[1]));
        case 'Fn::Or':
          return (arg as unknown[]).some((c) => Boolean(resolve(c)));
        case 'Fn::And':
          return (arg as unknown[]).every((c) => Boolean(resolve(c)));
        case 'Fn::Not':
          return !resolve(arg[0]);
        case 'Condition':
          return condition(arg);
      }
      if (fn.startsWith('Fn::')) throw new Error(`evaluate does not know ${fn}`);
    }
    const out: Record<string, unknown> = {};
    for (const [key, value] of entries) {
      const resolved = resolve(value);
      if (resolved !== NO_VALUE) out[key] = resolved;
    }
    return out;
  }
  const resources = Object.entries((template.Resources ?? {}) as Record<string, Loose>)
    .filter(([, r]) => !r.Condition || condition(r.Condition))
    .map(([id, r]) => [id, { ...r, Properties: resolve(r.Properties ?? {}) }]);
  return { Resources: Object.fromEntries(resources), Outputs: resolve(template.Outputs ?? {}) };
}
