import type { core } from 'zod/mini';
import { ApplicationRequestSchema, type ApplicationRequest } from './schema';

/** One problem with a request: the field (dotted path) and the rule it breaks. */
export interface FieldProblem {
  field: string;
  message: string;
}

/** Thrown when a request does not satisfy the schema; names every field and rule. */
export class InvalidRequestError extends Error {
  public override readonly name = 'InvalidRequestError';
  public readonly problems: FieldProblem[];

  public constructor(problems: FieldProblem[]) {
    super(`Invalid application request: ${problems.map(formatProblem).join('; ')}`);
    this.problems = problems;
  }
}

export type ValidationResult =
  { valid: true; request: ApplicationRequest } | { valid: false; problems: FieldProblem[] };

/** Checks a request without throwing; makes no AWS call. */
export function validateRequest(input: unknown): ValidationResult {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    return { valid: false, problems: [{ field: '(request)', message: 'must be a JSON object' }] };
  }
  // A `__proto__` key (JSON.parse makes it an own property) is refused, not silently dropped.
  const protoKeys = protoKeysOf(input, []).map((path) => ({
    field: fieldName(path),
    message: 'is not allowed: "__proto__" cannot be kept as a key',
  }));
  const result = ApplicationRequestSchema.safeParse(input);
  if (result.success && protoKeys.length === 0) return { valid: true, request: result.data };
  return { valid: false, problems: [...protoKeys, ...(result.success ? [] : toProblems(result.error))] };
}

/** The paths of every own `__proto__` key in a parsed JSON value. */
function protoKeysOf(value: unknown, path: string[]): string[][] {
  if (value === null || typeof value !== 'object') return [];
  const entries = Array.isArray(value)
    ? value.map((item, index) => [String(index), item] as const)
    : Object.keys(value).map((key) => [key, (value as Record<string, unknown>)[key]] as const);
  return entries.flatMap(([key, item]) =>
    key === '__proto__' && !Array.isArray(value)
      ? [[...path, key]]
      : protoKeysOf(Object.getOwnPropertyDescriptor(value, key)?.value ?? item, [...path, key]),
  );
}

/**
 * Parses a request or throws {@link InvalidRequestError}.
 *
 * @example
 * const request = parseRequest(JSON.parse(body)); // throws InvalidRequestError naming each field
 */
export function parseRequest(input: unknown): ApplicationRequest {
  const result = validateRequest(input);
  if (!result.valid) throw new InvalidRequestError(result.problems);
  return result.request;
}

export function formatProblem(problem: FieldProblem): string {
  return `${problem.field}: ${problem.message}`;
}

function toProblems(error: core.$ZodError): FieldProblem[] {
  return error.issues.flatMap((issue): FieldProblem[] => {
    const path = issue.path.map(String);
    // A typo such as `nmae` is named as the field itself, so the author sees where it is.
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({ field: fieldName([...path, key]), message: 'unknown field' }));
    }
    // A record key that breaks a rule (a tag key): report the key's own rule, not the record's.
    if (issue.code === 'invalid_key') {
      return issue.issues.map((inner) => ({ field: fieldName(path), message: inner.message }));
    }
    return [{ field: fieldName(path), message: issue.message }];
  });
}

/** `source.branch`; an empty key is named `""`, so that `tags.""` shows where the problem is. */
function fieldName(path: string[]): string {
  return path.length > 0 ? path.map((key) => (key === '' ? '""' : key)).join('.') : '(request)';
}
