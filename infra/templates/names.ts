import { DEPLOYER_ROLE, NAME_PREFIX, PIPELINE_CFN_ROLE } from '../../shared/domain/naming';

/**
 * Names of the vended resources that `shared/domain/naming.ts` does not (yet) define.
 *
 * Every function takes plain strings, so the same function renders a concrete name for the workflow
 * (`pipelineRoleName('shop')` → `appvend-shop-pipeline`) and a CloudFormation `Fn::Sub` body for a
 * template (`pipelineRoleName('${AppName}')` → `appvend-${AppName}-pipeline`). The templates and the
 * workflow therefore cannot disagree on a name (DESIGN.md §3).
 */

/** The partition every vended ARN is written in (see {@link roleArnIn}). */
export const PARTITION = 'aws';

/** `Fn::Sub` variables used in the templates' name bodies. */
export const VAR = {
  app: '${AppName}',
  account: '${AWS::AccountId}',
  region: '${AWS::Region}',
  toolingAccount: '${ToolingAccountId}',
} as const;

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

/** `arn:aws:iam::ACCOUNT:role/NAME`. */
export const roleArnIn = (accountId: string, roleName: string): string =>
  `arn:${PARTITION}:iam::${accountId}:role/${roleName}`;
export const accountRootArn = (accountId: string): string => `arn:${PARTITION}:iam::${accountId}:root`;
export const boundaryPolicyArn = (app: string, accountId: string): string =>
  `arn:${PARTITION}:iam::${accountId}:policy/${boundaryPolicyName(app)}`;
export const bucketArn = (bucketName: string): string => `arn:${PARTITION}:s3:::${bucketName}`;

export { DEPLOYER_ROLE, NAME_PREFIX, PIPELINE_CFN_ROLE };
