import { Token } from 'aws-cdk-lib';
import { variableSchema } from '../../shared/workflow/environment-schema';
import type { EnvironmentShape, RequiredKeys } from '../../shared/workflow/environment-variables';

/**
 * A handler's environment declaration: the shape it exports as `environment` and reads at cold
 * start (`shared/lambda/step-handler.ts`). The same declaration types the CDK side here and,
 * turned into a Zod schema, checks it at synth.
 */
export type { EnvironmentShape };

/** Variables Lambda sets itself; a function may read them but not be given them. */
const LAMBDA_RESERVED = /^(AWS_|_HANDLER$|_X_AMZN_TRACE_ID$|LAMBDA_TASK_ROOT$|LAMBDA_RUNTIME_DIR$|TZ$)/;

type Settable<S extends EnvironmentShape> = {
  [K in RequiredKeys<S> as K extends `AWS_${string}` ? never : K]: string;
} & {
  [K in Exclude<keyof S, RequiredKeys<S>> as K extends `AWS_${string}` ? never : K]?: string;
};

/**
 * The environment a function is given, typed by its handler's schema: every variable the schema
 * requires must be there (optional and defaulted ones may be left out), values are strings or CDK
 * tokens, and variables Lambda sets itself (`AWS_REGION`) cannot be given.
 *
 * @example
 * const env: EnvironmentFor<typeof GuardrailsEnv> = { APPVEND_CONFIG_BUCKET: bucketName };
 */
export type EnvironmentFor<S extends EnvironmentShape> = Settable<S>;

/**
 * Checks a function's environment against its handler's schema, as the handler will at cold start:
 * a required variable that is missing, a concrete value the schema refuses, a variable the schema
 * does not declare (a typo, or a handler that no longer reads it) and a variable reserved by Lambda
 * are each one problem. A value that is a CDK token (an ARN, a parameter) is only known at deploy
 * time, so for it only its presence is checked.
 *
 * @example
 * environmentProblems(GuardrailsEnv, {}); // ['APPVEND_CONFIG_BUCKET is required by the handler's environment schema but is not set']
 */
export function environmentProblems(shape: EnvironmentShape, environment: Record<string, string>): string[] {
  const problems: string[] = [];
  for (const key of Object.keys(environment)) {
    if (LAMBDA_RESERVED.test(key)) problems.push(`${key} is set by Lambda and cannot be given`);
    else if (!(key in shape)) problems.push(`${key} is not declared by the handler's environment schema`);
  }
  for (const [key, variable] of Object.entries(shape)) {
    if (LAMBDA_RESERVED.test(key)) continue;
    const value = environment[key];
    if (value !== undefined && Token.isUnresolved(value)) continue;
    const result = variableSchema(variable).safeParse(value);
    if (result.success) continue;
    if (value === undefined) {
      problems.push(`${key} is required by the handler's environment schema but is not set`);
    } else {
      const reasons = result.error.issues.map((issue) => issue.message).join('; ');
      problems.push(`${key}=${JSON.stringify(value)} is invalid: ${reasons}`);
    }
  }
  return problems;
}
