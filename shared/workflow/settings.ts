import { en } from 'zod/locales';
import * as z from 'zod/mini';
import {
  DEFAULT_ACCOUNT_QUOTA,
  DEFAULT_ACCOUNT_SEARCH_PAGES,
  DEFAULT_CREATE_ACCOUNT_CONCURRENCY,
} from '../domain/account-creation';
import { ACCOUNT_ACCESS_ROLE, SERVICE_MANAGED_EXECUTION_ROLES } from '../domain/naming';
import { DEFAULT_SCP_ATTACHMENT_QUOTA, DEFAULT_SCP_SIZE_QUOTA, type ExemptRoles } from '../domain/scp';

/**
 * Environment fragments the step handlers read. Each handler composes the ones it needs into its
 * own schema (services/<step>/environment.ts), which also types the CDK construct's environment.
 *
 * Written with Zod Mini, whose functions tree-shake: every Lambda handler parses its environment,
 * and the classic API would put all of zod (some 450 KiB) into each bundle. Mini carries no error
 * messages of its own, so the English ones the classic API uses are configured here.
 */
z.config(en());

/** The environment a handler declares: variable name → schema. */
export type EnvironmentShape = Record<string, z.ZodMiniType>;

/** What a handler's environment parses to. */
export type EnvironmentOf<S extends EnvironmentShape> = z.infer<z.ZodMiniObject<S>>;

/** A string matching `pattern`, or the message. */
const matching = (pattern: RegExp, error: string) => z.string().check(z.regex(pattern, { error }));
/** A non-empty string, `fallback` when unset. */
const nameOr = (fallback: string) => z._default(z.string().check(z.minLength(1)), fallback);
/** A whole number of at least 1 (environment variables are strings), `fallback` when unset. */
const countOr = (fallback: number) =>
  z._default(z.pipe(z.coerce.number(), z.int().check(z.minimum(1))), fallback);

const accountId = matching(/^\d{12}$/, 'must be a 12-digit account id');
const snsTopicArn = matching(
  /^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}$/,
  'must be an SNS topic ARN',
);

export const OrganizationEnv = {
  /** The OU under which application OUs are created; the root when unset. */
  APPVEND_PARENT_OU_ID: z.optional(
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
  APPVEND_STACKSETS_MODE: z._default(z.enum(['SELF_MANAGED', 'SERVICE_MANAGED']), 'SELF_MANAGED'),
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
  APPVEND_MANAGEMENT_ACCOUNT_ID: z.optional(accountId),
};

export const StackSetEnv = {
  ...StackSetModeEnv,
  APPVEND_MANAGEMENT_ACCOUNT_ID: accountId,
  APPVEND_STACKSET_ADMIN_ROLE_NAME: nameOr('AWSCloudFormationStackSetAdministrationRole'),
  ...QuarantineEnv,
  APPVEND_NOTIFICATION_TOPIC_ARN: snsTopicArn,
  APPVEND_TEMPLATES_DIR: z.optional(z.string()),
  AWS_REGION: nameOr('us-east-1'),
};

export const LedgerEnv = {
  /** The ledger table (the CLI's local runs use a ledger of their own instead). */
  APPVEND_LEDGER_TABLE: z.string().check(z.minLength(3), z.maxLength(255)),
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
  APPVEND_EVENT_BUS_NAME: z.string().check(z.minLength(1), z.maxLength(256)),
  /** The topic people subscribe to for vend outcomes. */
  APPVEND_VEND_TOPIC_ARN: snsTopicArn,
};

export const GuardrailsEnv = {
  /** Config is set up in each account through the member role (the client factory reads it). */
  ...MemberAccessEnv,
  /** The S3 bucket Config delivers to when appvend has to create an account's recorder. */
  APPVEND_CONFIG_BUCKET: z.string().check(z.minLength(3), z.maxLength(63)),
};

/** Parses the environment against a handler's schema; a missing variable names itself. */
export function readEnvironment<S extends EnvironmentShape>(shape: S, env = process.env): EnvironmentOf<S> {
  const result = z.object(shape).safeParse(env);
  if (!result.success) {
    const problems = result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`Invalid environment: ${problems}`);
  }
  return result.data;
}

/**
 * The IAM Identity Center instance whose groups and permission sets requests name
 * (`arn:aws:sso:::instance/ssoins-…`); when unset, the only instance the management account sees.
 */
export const IdentityCenterEnv = {
  APPVEND_IDENTITY_CENTER_INSTANCE_ARN: z.optional(
    matching(
      /^arn:aws[a-z-]*:sso:::instance\/(sso)?ins-[a-zA-Z0-9-.]{16}$/,
      'must be an Identity Center instance ARN',
    ),
  ),
};
