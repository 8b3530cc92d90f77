import * as z from 'zod/mini';
import '../zod-english';
import type { EnvironmentShape, Rule, Variable } from './environment-variables';

/**
 * The Zod schema of a handler's declared environment, for the CDK side, which checks each
 * function's environment with it at synth (infra/service/function-environment.ts). The handlers
 * themselves read their environment without Zod (shared/workflow/environment-variables.ts says
 * why); a test checks that both accept and refuse the same values with the same messages.
 */

function ruleSchema(rule: Rule): z.ZodMiniType {
  switch (rule.kind) {
    case 'text': {
      const checks = [
        ...(rule.minLength !== undefined ? [z.minLength(rule.minLength)] : []),
        ...(rule.maxLength !== undefined ? [z.maxLength(rule.maxLength)] : []),
        ...(rule.pattern ? [z.regex(rule.pattern, rule.message ? { error: rule.message } : undefined)] : []),
      ];
      return checks.length > 0 ? z.string().check(...checks) : z.string();
    }
    case 'choice':
      return z.enum(rule.values, rule.message ? { error: rule.message } : undefined);
    case 'count':
      return z.pipe(z.coerce.number(), z.int().check(z.minimum(1)));
    case 'share':
      return z.coerce
        .number()
        .check(z.gt(0, { error: 'must be more than 0' }), z.lte(1, { error: 'must be at most 1' }));
    case 'flag':
      return z.pipe(
        z.enum(['true', 'false'], { error: 'must be "true" or "false"' }),
        z.transform((value: 'true' | 'false') => value === 'true'),
      );
  }
}

/** One variable's schema: its rule, optional or with its default as declared. */
export function variableSchema(variable: Variable): z.ZodMiniType {
  const schema = ruleSchema(variable.rule);
  if (variable.presence === 'optional') return z.optional(schema);
  if (variable.presence === 'defaulted') return z._default(schema, variable.fallback as never);
  return schema;
}

/** The schema of a whole declared environment (unknown variables are stripped, as the reader does). */
export function environmentSchema(shape: EnvironmentShape): z.ZodMiniObject {
  return z.object(Object.fromEntries(Object.entries(shape).map(([name, v]) => [name, variableSchema(v)])));
}
