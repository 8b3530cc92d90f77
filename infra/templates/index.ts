import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Validations, type Stack } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { Construct } from 'constructs';
import { conformancePackTemplate } from '../../shared/domain/conformance-pack';
import { TEMPLATE_KEYS, type TemplateKey } from '../../shared/domain/naming';
import { ARTIFACT_STORE_PARAMETERS, artifactStoreTemplate } from './artifact-store';
import { CROSS_ACCOUNT_ROLES_PARAMETERS, crossAccountRolesTemplate } from './cross-account-roles';
import { GUARDRAILS_PARAMETERS, guardrailsTemplate } from './guardrails';
import { PIPELINE_PARAMETERS, pipelineTemplate } from './pipeline';

export { MAX_STAGES, PACKAGED_TEMPLATE } from './pipeline';

/** A CloudFormation template as a JSON object. */
export type CloudFormationTemplate = Record<string, unknown>;

/**
 * The parameters each vended template declares: exactly what the workflow passes to the stack set.
 *
 * @example
 * TEMPLATE_PARAMETERS['cross-account-roles']; // ['AppName', 'ToolingAccountId']
 */
export const TEMPLATE_PARAMETERS: Record<TemplateKey, readonly string[]> = {
  'artifact-store': ARTIFACT_STORE_PARAMETERS,
  'cross-account-roles': CROSS_ACCOUNT_ROLES_PARAMETERS,
  guardrails: GUARDRAILS_PARAMETERS,
  pipeline: PIPELINE_PARAMETERS,
};

const BUILDERS: Record<TemplateKey, { stackId: string; build: (scope: Construct, id: string) => Stack }> = {
  'artifact-store': { stackId: 'ArtifactStore', build: artifactStoreTemplate },
  'cross-account-roles': { stackId: 'CrossAccountRoles', build: crossAccountRolesTemplate },
  guardrails: { stackId: 'Guardrails', build: guardrailsTemplate },
  pipeline: { stackId: 'Pipeline', build: pipelineTemplate },
};

/** Thrown when cdk-nag (or another synthesis validation) reports a finding nobody acknowledged. */
export class VendedTemplateValidationError extends Error {
  constructor(
    message: string,
    public readonly findings: readonly string[],
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'VendedTemplateValidationError';
  }
}

/** The CDK app of the four vended templates, with cdk-nag's AWS Solutions checks registered. */
export interface VendedTemplateApp {
  app: App;
  stacks: Record<TemplateKey, Stack>;
}

/**
 * Builds (does not synthesize) the app of the four vended templates, with cdk-nag registered.
 * Tests use it to inspect acknowledgements; everything else wants {@link synthesizeVendedTemplates}.
 */
export function buildVendedTemplateApp(outdir?: string): VendedTemplateApp {
  const app = new App({ analyticsReporting: false, ...(outdir ? { outdir } : {}) });
  const stacks = Object.fromEntries(
    TEMPLATE_KEYS.map((key) => [key, BUILDERS[key].build(app, BUILDERS[key].stackId)]),
  ) as Record<TemplateKey, Stack>;
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { app, stacks };
}

/**
 * Synthesizes an app whose validation plugins are registered and returns each stack's template;
 * throws {@link VendedTemplateValidationError} listing every unacknowledged finding.
 */
export function synthesizeStacks<K extends string>(
  build: (outdir: string) => { app: App; stacks: Record<K, Stack> },
): Record<K, CloudFormationTemplate> {
  const outdir = mkdtempSync(join(tmpdir(), 'appvend-templates-'));
  try {
    const { app, stacks } = build(outdir);
    let assembly;
    try {
      assembly = app.synth();
    } catch (error) {
      const findings = readFindings(outdir);
      throw new VendedTemplateValidationError(
        `Vended templates failed validation: ${findings.join('; ') || String(error)}`,
        findings,
        { cause: error },
      );
    }
    return Object.fromEntries(
      Object.entries<Stack>(stacks).map(([key, stack]) => [
        key,
        assembly.getStackByName(stack.stackName).template as CloudFormationTemplate,
      ]),
    ) as Record<K, CloudFormationTemplate>;
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

/**
 * Synthesizes the four vended templates to plain CloudFormation JSON, with cdk-nag's AWS Solutions
 * checks: any unacknowledged finding throws {@link VendedTemplateValidationError}.
 *
 * @example
 * const templates = synthesizeVendedTemplates();
 * const body = JSON.stringify(templates['artifact-store']); // a StackSet TemplateBody
 */
export function synthesizeVendedTemplates(): Record<TemplateKey, CloudFormationTemplate> {
  return synthesizeStacks(buildVendedTemplateApp);
}

interface ValidationReport {
  pluginReports?: Array<{
    pluginName?: string;
    conclusion?: string;
    violations?: Array<{ ruleName?: string; violatingConstructs?: Array<{ constructPath?: string }> }>;
  }>;
}

/** `ruleName at construct/path` for every violation of a failed plugin in the validation report. */
function readFindings(outdir: string): string[] {
  let report: ValidationReport;
  try {
    report = JSON.parse(readFileSync(join(outdir, 'validation-report.json'), 'utf8')) as ValidationReport;
  } catch {
    return [];
  }
  return (report.pluginReports ?? [])
    .filter((plugin) => plugin.conclusion !== 'success')
    .flatMap((plugin) => plugin.violations ?? [])
    .flatMap((violation) =>
      (violation.violatingConstructs ?? []).map((c) => `${violation.ruleName} at ${c.constructPath}`),
    );
}

/** File names {@link writeVendedTemplates} writes. */
export const templateFileName = (key: TemplateKey): string => `${key}.template.json`;
export const CONFORMANCE_PACK_FILE = 'conformance-pack-serverless.yaml';

/**
 * Writes the four templates (`<key>.template.json`) and the serverless conformance pack body to
 * `outDir`; returns the paths written.
 *
 * @example
 * writeVendedTemplates('dist/templates');
 */
export function writeVendedTemplates(outDir: string): string[] {
  mkdirSync(outDir, { recursive: true });
  const templates = synthesizeVendedTemplates();
  const written = TEMPLATE_KEYS.map((key) => {
    const path = join(outDir, templateFileName(key));
    writeFileSync(path, `${JSON.stringify(templates[key], undefined, 1)}\n`);
    return path;
  });
  const packPath = join(outDir, CONFORMANCE_PACK_FILE);
  writeFileSync(packPath, conformancePackTemplate('serverless'));
  return [...written, packPath];
}
