import {
  DEPLOYER_ROLE,
  NAME_PREFIX,
  PIPELINE_CFN_ROLE,
  boundaryPolicyName,
  roleArn,
} from '../../shared/domain/naming';

// The names themselves live in shared/domain/naming.ts, where the workflow reads them too.
export {
  accessLogsBucketName,
  appResourcePrefix,
  appStackName,
  approvalTopicName,
  boundaryPolicyName,
  buildProjectName,
  buildRoleName,
  complianceNotifierRoleName,
  complianceRuleName,
  configRecorderRoleName,
  pipelineName,
  pipelineRoleName,
} from '../../shared/domain/naming';

/**
 * Template-side helpers for the vended resources' names.
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

/** `arn:aws:iam::ACCOUNT:role/NAME`. */
export const roleArnIn = (accountId: string, roleName: string): string =>
  roleArn(accountId, roleName, PARTITION);
export const accountRootArn = (accountId: string): string => `arn:${PARTITION}:iam::${accountId}:root`;
export const boundaryPolicyArn = (app: string, accountId: string): string =>
  `arn:${PARTITION}:iam::${accountId}:policy/${boundaryPolicyName(app)}`;
export const bucketArn = (bucketName: string): string => `arn:${PARTITION}:s3:::${bucketName}`;

export { DEPLOYER_ROLE, NAME_PREFIX, PIPELINE_CFN_ROLE };
