import {
  DEFAULT_ACCOUNT_QUOTA,
  DEFAULT_ACCOUNT_SEARCH_PAGES,
  DEFAULT_CREATE_ACCOUNT_CONCURRENCY,
} from '../domain/account-creation';
import { ACCOUNT_ACCESS_ROLE, SERVICE_MANAGED_EXECUTION_ROLES } from '../domain/naming';
import { ACCOUNT_ID_PATTERN } from '../domain/organization-ids';
import { DEFAULT_SCP_ATTACHMENT_QUOTA, DEFAULT_SCP_SIZE_QUOTA, type ExemptRoles } from '../domain/scp';
import { choice, count, matching, optional, text, withDefault } from './environment-variables';

export { readEnvironment, type EnvironmentOf, type EnvironmentShape } from './environment-variables';

/**
 * Environment fragments the step handlers read. Each handler composes the ones it needs into its
 * own declaration (the `environment` its handler module exports), which also types and checks the
 * CDK construct's environment at synth. Declared as data (shared/workflow/environment-variables.ts
 * says why): the handlers read them without Zod; the CDK side checks them with Zod.
 */

/** A non-empty string, `fallback` when unset. */
const nameOr = (fallback: string) => withDefault(text({ minLength: 1 }), fallback);
/** A whole number of at least 1 (environment variables are strings), `fallback` when unset. */
const countOr = (fallback: number) => withDefault(count(), fallback);

const accountId = matching(ACCOUNT_ID_PATTERN, 'must be a 12-digit account id');
const snsTopicArn = matching(
  /^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}$/,
  'must be an SNS topic ARN',
);

export const OrganizationEnv = {
  /** The OU under which application OUs are created; the root when unset. */
  APPVEND_PARENT_OU_ID: optional(
    matching(/^(r-[0-9a-z]{4,32}|ou-[0-9a-z]{4,32}-[a-z0-9]{8,32})$/, 'must be a root or OU id'),
  ),
};

export const MemberAccessEnv = {
  /** The role CreateAccount puts in each new account, through which appvend works there. */
  APPVEND_MEMBER_ROLE: nameOr(ACCOUNT_ACCESS_ROLE),
};

export const AccountCreationEnv = {
  /**
   * The most CreateAccount requests appvend lets run at once across the organization; more wait
   * their turn. AWS's own limit is 5, so a higher value only means AWS refuses and appvend queues.
   */
  APPVEND_CREATE_ACCOUNT_CONCURRENCY: countOr(DEFAULT_CREATE_ACCOUNT_CONCURRENCY),
  /**
   * The most ListAccounts pages (20 accounts each) one invocation reads while it looks for an
   * account's address; a larger organization is searched over several invocations.
   */
  APPVEND_ACCOUNT_SEARCH_PAGES: countOr(DEFAULT_ACCOUNT_SEARCH_PAGES),
};

/**
 * The organization's quota of accounts, which the plan checks a request's new accounts against.
 * AWS's default is 10 for a new organization (closed accounts count until permanently closed);
 * the applied value is in Service Quotas, which appvend does not read: set it here when raised.
 */
export const AccountQuotaEnv = {
  APPVEND_ACCOUNT_QUOTA: countOr(DEFAULT_ACCOUNT_QUOTA),
};

/**
 * How the vend's stack sets get their permissions: SELF_MANAGED (the default: the administration
 * role here, the execution role in each account) or SERVICE_MANAGED (StackSets' own roles through
 * trusted access with Organizations, instances targeted by the application's OU; called as the
 * management account, or as the StackSets delegated administrator from any other account).
 */
export const StackSetModeEnv = {
  APPVEND_STACKSETS_MODE: withDefault(choice(['SELF_MANAGED', 'SERVICE_MANAGED']), 'SELF_MANAGED'),
};

/**
 * The StackSets execution role, which the quarantine SCP must let through to deploy the baseline:
 * the configured one with self-managed stack sets, StackSets' own `stacksets-exec-*` with
 * service-managed ones (see {@link exemptExecutionRole}).
 */
export const QuarantineEnv = {
  APPVEND_STACKSET_EXECUTION_ROLE_NAME: nameOr(ACCOUNT_ACCESS_ROLE),
  ...StackSetModeEnv,
};

/**
 * The execution role the SCPs exempt (and protect): the configured role with self-managed stack
 * sets; with service-managed ones the role StackSets creates in each target account, whose name
 * AWS gives only as `stacksets-exec-*`, so the pattern. SCPs apply to it (it is no service-linked
 * role): without the exemption the quarantine would stop every stack instance.
 */
export const exemptExecutionRole = (env: {
  APPVEND_STACKSET_EXECUTION_ROLE_NAME: string;
  APPVEND_STACKSETS_MODE: 'SELF_MANAGED' | 'SERVICE_MANAGED';
}): string =>
  env.APPVEND_STACKSETS_MODE === 'SERVICE_MANAGED'
    ? SERVICE_MANAGED_EXECUTION_ROLES
    : env.APPVEND_STACKSET_EXECUTION_ROLE_NAME;

/**
 * What the application SCP is rendered with: the quotas it must fit, and the roles it exempts
 * from its protections (and protects), as the service is configured.
 */
export const PolicyEnv = {
  APPVEND_SCP_SIZE_QUOTA: countOr(DEFAULT_SCP_SIZE_QUOTA),
  APPVEND_SCP_ATTACHMENT_QUOTA: countOr(DEFAULT_SCP_ATTACHMENT_QUOTA),
  ...MemberAccessEnv,
  ...QuarantineEnv,
};

/** The SCP's exempt roles from an environment parsed with {@link PolicyEnv}. */
export const exemptRolesFrom = (env: {
  APPVEND_MEMBER_ROLE: string;
  APPVEND_STACKSET_EXECUTION_ROLE_NAME: string;
  APPVEND_STACKSETS_MODE: 'SELF_MANAGED' | 'SERVICE_MANAGED';
}): ExemptRoles => ({
  memberRoleName: env.APPVEND_MEMBER_ROLE,
  executionRoleName: exemptExecutionRole(env),
});

/** What removing a stack set needs: the mode, and the management account to tell SELF from DELEGATED_ADMIN. */
export const StackSetRemovalEnv = {
  ...StackSetModeEnv,
  APPVEND_MANAGEMENT_ACCOUNT_ID: optional(accountId),
};

export const StackSetEnv = {
  ...StackSetModeEnv,
  APPVEND_MANAGEMENT_ACCOUNT_ID: accountId,
  APPVEND_STACKSET_ADMIN_ROLE_NAME: nameOr('AWSCloudFormationStackSetAdministrationRole'),
  ...QuarantineEnv,
  APPVEND_NOTIFICATION_TOPIC_ARN: snsTopicArn,
  APPVEND_TEMPLATES_DIR: optional(text()),
  AWS_REGION: nameOr('us-east-1'),
};

export const LedgerEnv = {
  /** The ledger table (the CLI's local runs use a ledger of their own instead). */
  APPVEND_LEDGER_TABLE: text({ minLength: 3, maxLength: 255 }),
};

/** What every front door needs: the ledger, and the state machine it starts vends of. */
export const IntakeEnv = {
  ...LedgerEnv,
  APPVEND_STATE_MACHINE_ARN: matching(
    /^arn:aws[a-z-]*:states:[a-z0-9-]+:\d{12}:stateMachine:[\w-]{1,80}$/,
    'must be a Step Functions state machine ARN',
  ),
};

export const OutcomeEnv = {
  ...LedgerEnv,
  /** The bus that carries `Application Vended` and `Application Vending Failed`. */
  APPVEND_EVENT_BUS_NAME: text({ minLength: 1, maxLength: 256 }),
  /** The topic people subscribe to for vend outcomes. */
  APPVEND_VEND_TOPIC_ARN: snsTopicArn,
};

export const GuardrailsEnv = {
  /** Config is set up in each account through the member role (the client factory reads it). */
  ...MemberAccessEnv,
  /** The S3 bucket Config delivers to when appvend has to create an account's recorder. */
  APPVEND_CONFIG_BUCKET: text({ minLength: 3, maxLength: 63 }),
};

/**
 * The IAM Identity Center instance whose groups and permission sets requests name
 * (`arn:aws:sso:::instance/ssoins-…`); when unset, the only instance the management account sees.
 */
export const IdentityCenterEnv = {
  APPVEND_IDENTITY_CENTER_INSTANCE_ARN: optional(
    matching(
      /^arn:aws[a-z-]*:sso:::instance\/(sso)?ins-[a-zA-Z0-9-.]{16}$/,
      'must be an Identity Center instance ARN',
    ),
  ),
};
