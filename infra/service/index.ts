import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { App, Aws, Fn, Validations, type AppProps } from 'aws-cdk-lib';
import type { CloudAssembly } from 'aws-cdk-lib/cx-api';
import { AwsSolutionsChecks } from 'cdk-nag';
import { AppvendManagementAccessStack } from './management-access-stack';
import { ManagementAccessGrants } from './management-access';
import { AppvendServiceStack } from './service-stack';
import { readServiceSettings } from './service-settings';
import { writeTemplatesForBundling } from './vended-templates-bundle';

export { AppvendServiceStack } from './service-stack';
export { AppvendManagementAccessStack } from './management-access-stack';
export { ServiceContextSchema, readServiceSettings, type ServiceSettings } from './service-settings';

export const SERVICE_STACK_NAME = 'AppvendService';
/** The stack of the management account: the roles the service's management-only calls go through. */
export const MANAGEMENT_STACK_NAME = 'AppvendManagementAccess';

export interface ServiceAppOptions {
  /** The cloud assembly directory. @default CDK_OUTDIR (set by the CDK CLI), else a temporary one */
  outdir?: string;
  /** Context values, as `-c key=value` would give them. */
  context?: AppProps['context'];
  /** Directory of already synthesized vended templates. @default synthesized into the assembly */
  templatesDir?: string;
}

/** The repository root: the nearest directory above this module with a package.json. */
export function findProjectRoot(start = __dirname): string {
  let dir = start;
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`No package.json above ${start}`);
    dir = parent;
  }
  return dir;
}

/**
 * The service's CDK app: the {@link AppvendServiceStack} (for a platform account, `serviceAccountId`)
 * and the {@link AppvendManagementAccessStack} (for the management account, `managementAccountId`),
 * with cdk-nag's AWS Solutions checks, so that any finding nobody acknowledged fails synthesis.
 * Without those two settings both stacks are for whichever account they are deployed to: one-account
 * mode, both in the management account, the functions still going through the management roles. The vended templates are synthesized first
 * (with their own checks) into the assembly directory, to be bundled with the function that
 * deploys them.
 *
 * @example
 * const { app } = buildServiceApp({ context: { parentOuId: 'ou-ab12-cdef3456' } });
 * app.synth();
 */
export function buildServiceApp(options: ServiceAppOptions = {}): {
  app: App;
  stack: AppvendServiceStack;
  managementStack: AppvendManagementAccessStack;
} {
  const app = new App({
    analyticsReporting: false,
    ...(options.outdir ? { outdir: options.outdir } : {}),
    ...(options.context ? { context: options.context } : {}),
  });
  const settings = readServiceSettings(app.node);
  const templatesDir =
    options.templatesDir ?? writeTemplatesForBundling(join(app.outdir, 'appvend-stacksets'));
  // The service stack names the management roles by ARN: in the management account when it is
  // given, else in its own account (one-account mode).
  const managementAccess = new ManagementAccessGrants((roleName) =>
    Fn.sub(`arn:\${AWS::Partition}:iam::\${ManagementAccount}:role/${roleName}`, {
      ManagementAccount: settings.managementAccountId ?? Aws.ACCOUNT_ID,
    }),
  );
  const stack = new AppvendServiceStack(app, SERVICE_STACK_NAME, {
    settings,
    projectRoot: findProjectRoot(),
    templatesDir,
    managementAccess,
    ...(settings.serviceAccountId !== undefined && { env: { account: settings.serviceAccountId } }),
  });
  // After the service stack: its functions have said what they need in the management account.
  const managementStack = new AppvendManagementAccessStack(app, MANAGEMENT_STACK_NAME, {
    grants: managementAccess,
    ...(settings.serviceAccountId !== undefined && { serviceAccountId: settings.serviceAccountId }),
    ...(settings.managementAccountId !== undefined && { env: { account: settings.managementAccountId } }),
  });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { app, stack, managementStack };
}

/** Thrown when synthesis fails on a cdk-nag finding or a construct's validation (a missing variable). */
export class ServiceSynthesisError extends Error {
  public constructor(
    message: string,
    public readonly findings: readonly string[],
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'ServiceSynthesisError';
  }
}

/**
 * Synthesizes the app; on failure, throws {@link ServiceSynthesisError} with each unacknowledged
 * cdk-nag finding (`rule at construct/path`) read from the validation report.
 */
export function synthesizeServiceApp(app: App): CloudAssembly {
  try {
    return app.synth();
  } catch (error) {
    const findings = readFindings(app.outdir);
    const detail =
      findings.length > 0 ? findings.join('; ') : error instanceof Error ? error.message : String(error);
    throw new ServiceSynthesisError(`The appvend service failed synthesis: ${detail}`, findings, {
      cause: error,
    });
  }
}

interface ValidationReport {
  pluginReports?: Array<{
    conclusion?: string;
    violations?: Array<{ ruleName?: string; violatingConstructs?: Array<{ constructPath?: string }> }>;
  }>;
}

function readFindings(outdir: string): string[] {
  const path = join(outdir, 'validation-report.json');
  if (!existsSync(path)) return [];
  const report = JSON.parse(readFileSync(path, 'utf8')) as ValidationReport;
  return (report.pluginReports ?? [])
    .filter((plugin) => plugin.conclusion !== 'success')
    .flatMap((plugin) => plugin.violations ?? [])
    .flatMap((v) => (v.violatingConstructs ?? []).map((c) => `${v.ruleName} at ${c.constructPath}`));
}
