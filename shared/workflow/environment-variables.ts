/**
 * The environment variables a handler reads, declared as plain data, and the reader that checks
 * them at cold start.
 *
 * Why not Zod at run time: every handler parses its environment, and Zod Mini with its English
 * messages is some 24 KiB of each minified bundle (bench/report.md, "4. Cold start") for a handful
 * of strings that the CDK construct has already checked against the same declaration at synth
 * (`environmentProblems` in infra/service/function-environment.ts). Zod cannot be tree-shaken out
 * while the declarations are Zod schemas, since building a schema is code that runs at import. So
 * the declaration is data; the synth side turns it into a Zod schema
 * (shared/workflow/environment-schema.ts), which stays the validator there, and this reader
 * applies the same five rules by hand, with Zod's English messages word for word (a test checks
 * that both give the same result and the same message for each rule; test/unit/read-environment).
 */

/** How a variable's text is checked, and what it becomes. */
export type Rule =
  /** Text; optionally of a length and matching a pattern (with its own message). */
  | { kind: 'text'; minLength?: number; maxLength?: number; pattern?: RegExp; message?: string }
  /** One of the listed values; `message` replaces the generic one. */
  | { kind: 'choice'; values: readonly [string, ...string[]]; message?: string }
  /** A whole number of at least 1, written as text. */
  | { kind: 'count' }
  /** A number more than 0 and at most 1, written as text. */
  | { kind: 'share' }
  /** `"true"` or `"false"`, read as a boolean. */
  | { kind: 'flag' };

/** Whether a variable must be set, may be left out, or has a value when left out. */
export type Presence = 'required' | 'optional' | 'defaulted';

/** One environment variable: its rule and presence; `T` is what the handler reads. */
export interface Variable<T = unknown, P extends Presence = Presence> {
  readonly rule: Rule;
  readonly presence: P;
  /** The value when unset (`defaulted` only). */
  readonly fallback?: T;
  /** Type only: what the variable reads as. */
  readonly __value?: T;
}

/** The environment a handler declares: variable name → declaration. */
export type EnvironmentShape = Record<string, Variable>;

type ValueOf<V> = V extends Variable<infer T> ? T : never;
type OptionalKeys<S extends EnvironmentShape> = {
  [K in keyof S]: S[K] extends Variable<unknown, 'optional'> ? K : never;
}[keyof S];
type Simplify<T> = { [K in keyof T]: T[K] } & {};

/** What a handler's environment reads as: optional variables may be absent. */
export type EnvironmentOf<S extends EnvironmentShape> = Simplify<
  { [K in Exclude<keyof S, OptionalKeys<S>>]: ValueOf<S[K]> } & {
    [K in OptionalKeys<S>]?: ValueOf<S[K]>;
  }
>;

/** Variables that must be given (neither optional nor defaulted), for the CDK side's types. */
export type RequiredKeys<S extends EnvironmentShape> = {
  [K in keyof S]: S[K] extends Variable<unknown, 'required'> ? K : never;
}[keyof S];

const required = <T>(rule: Rule): Variable<T, 'required'> => ({ rule, presence: 'required' });

/** Text, optionally `minLength`–`maxLength` characters long. */
export const text = (length: { minLength?: number; maxLength?: number } = {}): Variable<string, 'required'> =>
  required({ kind: 'text', ...length });

/** Text matching `pattern`, or `message`. */
export const matching = (pattern: RegExp, message: string): Variable<string, 'required'> =>
  required({ kind: 'text', pattern, message });

/** One of `values`; `message` when another. */
export const choice = <const V extends readonly [string, ...string[]]>(
  values: V,
  message?: string,
): Variable<V[number], 'required'> => required({ kind: 'choice', values, ...(message ? { message } : {}) });

/** A whole number of at least 1. */
export const count = (): Variable<number, 'required'> => required({ kind: 'count' });

/** A number more than 0 and at most 1. */
export const share = (): Variable<number, 'required'> => required({ kind: 'share' });

/** `"true"` or `"false"`, read as a boolean. */
export const flag = (): Variable<boolean, 'required'> => required({ kind: 'flag' });

/** The variable, which may be left unset. */
export const optional = <T>(variable: Variable<T>): Variable<T, 'optional'> => ({
  rule: variable.rule,
  presence: 'optional',
});

/** The variable, `fallback` when unset. */
export const withDefault = <T>(variable: Variable<T>, fallback: NoInfer<T>): Variable<T, 'defaulted'> => ({
  rule: variable.rule,
  presence: 'defaulted',
  fallback,
});

/** Zod's English name for what `Number(text)` gave when it is not a finite number. */
const notANumber = (value: number): string =>
  `Invalid input: expected number, received ${Number.isNaN(value) ? 'NaN' : String(value)}`;

/** The value a set variable reads as, or the rules it breaks (in Zod's words). */
function check(rule: Rule, raw: string | undefined): { value: unknown } | { problems: string[] } {
  switch (rule.kind) {
    case 'text': {
      if (raw === undefined) return { problems: ['Invalid input: expected string, received undefined'] };
      const problems: string[] = [];
      if (rule.minLength !== undefined && raw.length < rule.minLength) {
        problems.push(`Too small: expected string to have >=${rule.minLength} characters`);
      }
      if (rule.maxLength !== undefined && raw.length > rule.maxLength) {
        problems.push(`Too big: expected string to have <=${rule.maxLength} characters`);
      }
      if (rule.pattern && !rule.pattern.test(raw)) problems.push(rule.message ?? 'Invalid string');
      return problems.length > 0 ? { problems } : { value: raw };
    }
    case 'choice':
    case 'flag': {
      const values = rule.kind === 'flag' ? ['true', 'false'] : rule.values;
      const message =
        rule.kind === 'flag'
          ? 'must be "true" or "false"'
          : (rule.message ?? `Invalid option: expected one of ${values.map((v) => `"${v}"`).join('|')}`);
      if (raw === undefined || !values.includes(raw)) return { problems: [message] };
      return { value: rule.kind === 'flag' ? raw === 'true' : raw };
    }
    case 'count': {
      // As `z.coerce.number()`: `Number(text)`, so '' is 0 and ' 7 ' is 7.
      const value = Number(raw);
      if (!Number.isFinite(value)) return { problems: [notANumber(value)] };
      if (!Number.isInteger(value)) return { problems: ['Invalid input: expected int, received number'] };
      return value >= 1 ? { value } : { problems: ['Too small: expected number to be >=1'] };
    }
    case 'share': {
      const value = Number(raw);
      if (!Number.isFinite(value)) return { problems: [notANumber(value)] };
      const problems: string[] = [];
      if (!(value > 0)) problems.push('must be more than 0');
      if (!(value <= 1)) problems.push('must be at most 1');
      return problems.length > 0 ? { problems } : { value };
    }
  }
}

/**
 * The problems with one variable's value, each in Zod's words; none when it reads well. Unset is
 * `undefined` (an optional or defaulted variable is then fine).
 */
export function variableProblems(variable: Variable, raw: string | undefined): string[] {
  if (raw === undefined && variable.presence !== 'required') return [];
  const result = check(variable.rule, raw);
  return 'problems' in result ? result.problems : [];
}

/**
 * Reads the environment a handler declares: each variable checked by its rule, defaults applied,
 * numbers and flags converted, undeclared variables left out. Every problem names its variable and
 * the rule, and all are reported at once.
 *
 * @example
 * readEnvironment({ APPVEND_LEDGER_TABLE: text({ minLength: 3 }) }, {}); // throws 'Invalid environment: APPVEND_LEDGER_TABLE: Invalid input: expected string, received undefined'
 */
export function readEnvironment<S extends EnvironmentShape>(
  shape: S,
  env: Record<string, string | undefined> = process.env,
): EnvironmentOf<S> {
  const values: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const [name, variable] of Object.entries(shape)) {
    const raw = env[name];
    if (raw === undefined && variable.presence === 'optional') continue;
    if (raw === undefined && variable.presence === 'defaulted') {
      values[name] = variable.fallback;
      continue;
    }
    const result = check(variable.rule, raw);
    if ('problems' in result) problems.push(...result.problems.map((problem) => `${name}: ${problem}`));
    else values[name] = result.value;
  }
  if (problems.length > 0) throw new Error(`Invalid environment: ${problems.join('; ')}`);
  return values as EnvironmentOf<S>;
}
