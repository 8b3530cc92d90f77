import type { ApplicationRequest } from '../request/schema';

/**
 * Every name appvend gives a resource is a function of the application name (and, for ARNs, the
 * account id). Nothing waits on another stack's outputs to learn a name: this is what lets the
 * vended stacks deploy in a single pass (DESIGN.md §3).
 */

export const NAME_PREFIX = 'appvend';
/** The stage of the tooling account: reserved, always vended, never in a request's stage list. */
export const RESERVED_STAGE = 'tooling';

/** Substitutes `{name}` and `{stage}` in an account email template. */
export function renderAccountEmail(template: string, name: string, stage: string): string {
  return template.replaceAll('{name}', name).replaceAll('{stage}', stage);
}

/** The role CreateAccount creates in each new account; trusted by the management account. */
export const ACCOUNT_ACCESS_ROLE = 'OrganizationAccountAccessRole';

/**
 * The execution roles StackSets creates in each target account of a service-managed stack set:
 * "a service role named stacksets-exec-*" (AWS gives no more of the name), as an IAM ARN pattern's
 * role part.
 */
export const SERVICE_MANAGED_EXECUTION_ROLES = 'stacksets-exec-*';
/** Stage-account role assumed by the tooling pipeline to create and execute change sets. */
export const PIPELINE_CFN_ROLE = 'ToolingAccountPipelineCloudformationRole';
/** Stage-account role passed to CloudFormation to create the application's resources. */
export const DEPLOYER_ROLE = 'CloudformationDeployerRole';

/** The vended templates, in deployment order (DESIGN.md §3). */
export const TEMPLATE_KEYS = ['artifact-store', 'cross-account-roles', 'guardrails', 'pipeline'] as const;
export type TemplateKey = (typeof TEMPLATE_KEYS)[number];

/** The service's key for its SNS topics (management account); publishers to them need it too. */
export const TOPICS_KEY_ALIAS = `alias/${NAME_PREFIX}-topics`;

export const ouName = (app: string): string => `${NAME_PREFIX}-${app}`;
export const scpName = (app: string): string => `${NAME_PREFIX}-${app}-guardrails`;
/** Each stage's pipeline stage in the tooling account. */
export const pipelineStageName = (stage: string): string => `Deploy-${stage}`;
export const stackSetName = (app: string, template: TemplateKey): string =>
  `${NAME_PREFIX}-${app}-${template}`;
export const accountName = (app: string, stage: string): string => `${app}-${stage}`;
export const conformancePackName = (app: string): string => `${NAME_PREFIX}-${app}-guardrails`;
export const artifactKeyAlias = (app: string): string => `alias/${NAME_PREFIX}-${app}-artifacts`;
/**
 * The artifact store's export of its key's ARN, which the pipeline imports: a pipeline with
 * cross-account actions must name its artifact key by key ID or ARN, never by alias.
 */
export const artifactKeyExportName = (app: string): string => `${NAME_PREFIX}-${app}-artifact-key-arn`;
export const artifactBucketName = (app: string, toolingAccountId: string): string =>
  `${NAME_PREFIX}-${app}-artifacts-${toolingAccountId}`;
/*
 * Names shared by the vended templates and the workflow. Each takes plain strings, so the same
 * function renders a concrete name (`pipelineRoleName('shop')`) or a CloudFormation `Fn::Sub`
 * body (`pipelineRoleName('${AppName}')`): templates and workflow cannot disagree.
 */
/** The AWS RAM resource share that shares the pipeline's connection with the tooling account. */
export const connectionShareName = (app: string): string => `${NAME_PREFIX}-${app}-connection`;
export const pipelineName = (app: string): string => `${NAME_PREFIX}-${app}`;
export const pipelineRoleName = (app: string): string => `${NAME_PREFIX}-${app}-pipeline`;
export const buildProjectName = (app: string): string => `${NAME_PREFIX}-${app}-build`;
export const buildRoleName = (app: string): string => `${NAME_PREFIX}-${app}-build`;
export const approvalTopicName = (app: string): string => `${NAME_PREFIX}-${app}-approvals`;
export const boundaryPolicyName = (app: string): string => `${NAME_PREFIX}-${app}-boundary`;
export const configRecorderRoleName = (app: string): string => `${NAME_PREFIX}-${app}-config-recorder`;
export const complianceRuleName = (app: string): string => `${NAME_PREFIX}-${app}-noncompliance`;
export const complianceNotifierRoleName = (app: string): string =>
  `${NAME_PREFIX}-${app}-compliance-notifier`;
/** Target of the artifact bucket's server access logs (≤ 63 characters for a 32-character app name). */
export const accessLogsBucketName = (app: string, toolingAccountId: string): string =>
  `${NAME_PREFIX}-${app}-logs-${toolingAccountId}`;
/** The application's own stacks in a stage account: `${app}-${stage}`; its resources share the prefix. */
export const appStackName = (app: string, stage: string): string => `${app}-${stage}`;
export const appResourcePrefix = (app: string): string => `${app}-`;

export const roleArn = (accountId: string, roleName: string, partition = 'aws'): string =>
  `arn:${partition}:iam::${accountId}:role/${roleName}`;

/** One account the application needs: the tooling account first, then one per stage in order. */
export interface AccountSpec {
  stage: string;
  name: string;
  email: string;
  /** The existing account the request names for this stage (`adopt`), to be adopted by email. */
  adopt?: string;
  /**
   * The account an earlier vend of the application recorded for the stage (the ledger's record,
   * through the execution input): where the account step looks first. Only a hint: it is used when
   * that account still has the stage's address, and vetted like any account found by it.
   */
  recordedId?: string;
}

/** The accounts a request asks for, tooling first. */
export function accountSpecs(
  request: Pick<ApplicationRequest, 'name' | 'accountEmail' | 'stages'> & {
    adopt?: Readonly<Record<string, string>>;
  },
): AccountSpec[] {
  return [RESERVED_STAGE, ...request.stages].map((stage) => {
    const adopt = request.adopt?.[stage];
    return {
      stage,
      name: accountName(request.name, stage),
      email: renderAccountEmail(request.accountEmail, request.name, stage),
      ...(adopt !== undefined && { adopt }),
    };
  });
}
