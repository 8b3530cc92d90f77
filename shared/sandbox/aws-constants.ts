/** Names and figures AWS itself defines, used by several sandbox modules. */

export const PARTITION = 'aws';

/** The role CreateAccount creates in a new account when the request names none. */
export const DEFAULT_ACCESS_ROLE = 'OrganizationAccountAccessRole';

/** The AWS managed SCP that Organizations attaches to the root and to every new OU and account. */
export const FULL_AWS_ACCESS_ID = 'p-FullAWSAccess';
export const FULL_AWS_ACCESS_CONTENT = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }],
});

/** Self-managed StackSets defaults (CreateStackSet AdministrationRoleARN / ExecutionRoleName). */
export const STACKSET_ADMIN_ROLE = 'AWSCloudFormationStackSetAdministrationRole';
export const STACKSET_EXECUTION_ROLE = 'AWSCloudFormationStackSetExecutionRole';

/**
 * Organizations quotas (orgs_reference_limits): SCP document size, SCPs per target, OU depth, and
 * the organization's OUs and SCPs as the newest copy of AWS's quotas page gives them (2,000 OUs,
 * 10,000 SCPs; older copies said 1,000 and 2,000: docs/aws-behaviours.md).
 */
export const DEFAULT_POLICY_SIZE_QUOTA = 5120;
export const MAX_SCPS_PER_TARGET = 5;
export const MAX_OU_DEPTH = 5;
export const MAX_OUS = 2000;
export const MAX_SERVICE_CONTROL_POLICIES = 10_000;
export const MAX_TAGS = 50;

/** CreateAccount requests that may be IN_PROGRESS at once (DESIGN.md §5). */
export const DEFAULT_CREATE_ACCOUNT_QUOTA = 5;

/** CloudFormation: TemplateBody at most 51,200 bytes. */
export const MAX_TEMPLATE_BODY = 51_200;

/** STS AssumeRole: default and maximum session length of a role (MaxSessionDuration default). */
export const DEFAULT_SESSION_SECONDS = 3600;
export const MIN_SESSION_SECONDS = 900;
export const MAX_SESSION_SECONDS = 3600;

/** StackSets' trusted-access and delegated-administrator service principal (Organizations). */
export const STACKSETS_SERVICE_PRINCIPAL = 'member.org.stacksets.cloudformation.amazonaws.com';
/** "Your organization can have up to five registered delegated administrators at one time." */
export const STACKSETS_MAX_DELEGATED_ADMINISTRATORS = 5;
/**
 * The service-linked role StackSets uses in the management account for service-managed stack sets
 * (its suffix is AWS's; the path is the service-linked roles' own).
 */
export const STACKSETS_ORG_ADMIN_ROLE =
  'aws-service-role/stacksets.cloudformation.amazonaws.com/AWSServiceRoleForCloudFormationStackSetsOrgAdmin';
/** The prefix of the execution role StackSets creates in each target account ("stacksets-exec-*"). */
export const STACKSETS_EXEC_ROLE_PREFIX = 'stacksets-exec-';
