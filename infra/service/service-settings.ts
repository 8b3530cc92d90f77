import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Node } from 'constructs';
import { z } from 'zod';
import { ACCOUNT_ACCESS_ROLE } from '../../shared/domain/naming';

const emails = z
  .union([z.string(), z.array(z.string())])
  .transform((value) =>
    (Array.isArray(value) ? value : value.split(',')).map((e) => e.trim()).filter(Boolean),
  )
  .pipe(z.array(z.email({ error: 'must be email addresses' })));

const optionalNumber = z.coerce.number().int().min(1).optional();

/** IAM role or user ARNs, comma-separated or a list (`-c apiPrincipals=arn:aws:iam::…:role/portal`). */
const principalArns = z
  .union([z.string(), z.array(z.string())])
  .transform((value) =>
    (Array.isArray(value) ? value : value.split(',')).map((arn) => arn.trim()).filter(Boolean),
  )
  .pipe(
    z.array(
      z.string().regex(/^arn:aws[a-z-]*:iam::\d{12}:(role|user)\/[\w+=,.@/-]{1,512}$/, {
        error: 'must be IAM role or user ARNs',
      }),
    ),
  );

const RETENTION_DAYS = new Set(
  Object.values(RetentionDays).filter((v): v is number => typeof v === 'number' && v > 0),
);

/**
 * The service's deployment settings, read from CDK context (`cdk.json` or `-c key=value`). Each
 * has a default that suits a management account; the values that go into a function's environment
 * are checked again by that function's own schema at synth.
 */
export const ServiceContextSchema = z.object({
  /**
   * The organization's management account, where the AppvendManagementAccess stack goes. Unset:
   * one-account mode, both stacks in the account they are deployed to (the management account).
   */
  managementAccountId: z
    .string()
    .regex(/^\d{12}$/, { error: 'must be a 12-digit account id' })
    .optional(),
  /**
   * The platform account the AppvendService stack runs in, whose function roles the management
   * roles trust. Unset: the management account (one-account mode).
   */
  serviceAccountId: z
    .string()
    .regex(/^\d{12}$/, { error: 'must be a 12-digit account id' })
    .optional(),
  /** The OU under which application OUs are created (`APPVEND_PARENT_OU_ID`); the root when unset. */
  parentOuId: z.string().optional(),
  /**
   * The IAM Identity Center instance whose groups and permission sets requests name
   * (`APPVEND_IDENTITY_CENTER_INSTANCE_ARN`); when unset, the only instance the management account sees.
   */
  identityCenterInstanceArn: z.string().optional(),
  /** The role CreateAccount puts in new accounts and appvend assumes there (`APPVEND_MEMBER_ROLE`). */
  memberRoleName: z.string().min(1).default(ACCOUNT_ACCESS_ROLE),
  /**
   * The role StackSets assumes in each target account. It must be `memberRoleName`: CreateAccount
   * makes only that role in a new account and nothing makes another, and the SCP exempts (and
   * protects) exactly these two names (checked by {@link readServiceSettings}). Unset: `memberRoleName`.
   */
  stackSetExecutionRoleName: z.string().min(1).optional(),
  /**
   * An existing StackSet administration role to use. When unset, the stack creates
   * `appvend-stackset-administration`, which may assume only the execution role, only in accounts
   * of the organization, only for appvend's stack sets.
   */
  stackSetAdministrationRoleName: z.string().min(1).optional(),
  /**
   * How the vend's stack sets get their permissions (`APPVEND_STACKSETS_MODE`): SELF_MANAGED (an
   * administration role here, the member role as execution role) or SERVICE_MANAGED (StackSets'
   * own roles through trusted access; called as the StackSets delegated administrator from a
   * platform account). Unset: SERVICE_MANAGED in the two-account layout, where self-managed stack
   * sets cannot reach a new account (see {@link readServiceSettings}); SELF_MANAGED in one-account mode.
   */
  stackSetsMode: z.enum(['SELF_MANAGED', 'SERVICE_MANAGED']).optional(),
  /** The OU offboarded accounts are moved to (`APPVEND_SUSPENDED_OU_ID`); offboarding refuses without it. */
  suspendedOuId: z.string().optional(),
  /** The share of member accounts offboarding may close per 30 days (`APPVEND_CLOSURE_SHARE`), default 0.1. */
  closureShare: z.coerce.number().gt(0).max(1).optional(),
  scpSizeQuota: optionalNumber,
  scpAttachmentQuota: optionalNumber,
  /** The organization's account quota (`APPVEND_ACCOUNT_QUOTA`) the plan checks new accounts against; AWS's 10 when unset. */
  accountQuota: optionalNumber,
  /** Retention of every log group of the service, in days (a CloudWatch Logs retention value). */
  logRetentionDays: z.coerce
    .number()
    .refine((days) => RETENTION_DAYS.has(days), { error: 'must be a CloudWatch Logs retention in days' })
    .default(RetentionDays.THREE_MONTHS),
  /** Subscribed to the notifications topic (vend results, alarms). */
  notificationEmails: emails.default([]),
  /** Subscribed to the security findings topic (Config non-compliance from application accounts). */
  securityEmails: emails.default([]),
  /**
   * Principals outside the organization that may call the portal API, besides the organization's
   * own (`aws:PrincipalOrgID`); everyone else is denied by its resource policy.
   */
  apiPrincipals: principalArns.default([]),
  /**
   * Platform administrators (`APPVEND_PLATFORM_ADMINS`): IAM role ARNs that may act on, list and
   * read every application through the portal; everyone else only on those it owns or manages.
   */
  platformAdmins: principalArns
    .pipe(
      z.array(
        z.string().regex(/:role\//, { error: 'must be IAM role ARNs (platform administrators are roles)' }),
      ),
    )
    .default([]),
  /** When the scheduled reconcile runs: an EventBridge schedule expression. */
  reconcileSchedule: z
    .string()
    .regex(/^(rate\(\d+ (minute|minutes|hour|hours|day|days)\)|cron\([^)]+\))$/, {
      error: 'must be an EventBridge schedule expression: rate(1 day) or cron(…)',
    })
    .default('rate(1 day)'),
  /** Whether the scheduled reconcile fixes drift (starts the vend again) or only reports it. */
  reconcileApply: z
    .union([z.boolean(), z.enum(['true', 'false'])])
    .transform((value) => value === true || value === 'true')
    .default(false),
});

export type ServiceSettings = Omit<
  z.output<typeof ServiceContextSchema>,
  'stackSetExecutionRoleName' | 'stackSetsMode'
> & {
  stackSetExecutionRoleName: string;
  stackSetsMode: 'SELF_MANAGED' | 'SERVICE_MANAGED';
};

/** Thrown when a context value is malformed; names the key. */
export class ServiceSettingsError extends Error {
  public constructor(message: string) {
    super(message);
    this.name = 'ServiceSettingsError';
  }
}

/**
 * Reads and checks the settings from the construct tree's context.
 *
 * @example
 * const settings = readServiceSettings(app.node); // cdk synth -c parentOuId=ou-ab12-cdef3456
 */
export function readServiceSettings(node: Node): ServiceSettings {
  const raw = Object.fromEntries(
    Object.keys(ServiceContextSchema.shape).map((key) => [key, node.tryGetContext(key) as unknown]),
  );
  const result = ServiceContextSchema.safeParse(raw);
  if (!result.success) {
    const problems = result.error.issues.map((i) => `context ${i.path.join('.')}: ${i.message}`);
    throw new ServiceSettingsError(`Invalid appvend service settings: ${problems.join('; ')}`);
  }
  const twoAccounts = result.data.serviceAccountId !== undefined;
  const settings: ServiceSettings = {
    ...result.data,
    stackSetExecutionRoleName: result.data.stackSetExecutionRoleName ?? result.data.memberRoleName,
    stackSetsMode: result.data.stackSetsMode ?? (twoAccounts ? 'SERVICE_MANAGED' : 'SELF_MANAGED'),
  };
  if ((settings.managementAccountId === undefined) !== (settings.serviceAccountId === undefined)) {
    throw new ServiceSettingsError(
      'Invalid appvend service settings: context managementAccountId and serviceAccountId go together ' +
        '(the two-account layout names both accounts; one-account mode names neither)',
    );
  }
  if (twoAccounts && settings.stackSetsMode === 'SELF_MANAGED') {
    // AWS: self-managed stack sets are administered from the account that creates them, through an
    // execution role in each target account that trusts that administrator account; the only role
    // a new account has, CreateAccount's, trusts the management account only.
    throw new ServiceSettingsError(
      'Invalid appvend service settings: context stackSetsMode SELF_MANAGED does not work in the two-account ' +
        'layout: the stack sets would be administered from the platform account, and the only role a new ' +
        `account has (${settings.memberRoleName}, made by CreateAccount) trusts the management account only; ` +
        'use SERVICE_MANAGED (the default there) and register the platform account as the StackSets delegated administrator',
    );
  }
  if (settings.stackSetExecutionRoleName !== settings.memberRoleName) {
    throw new ServiceSettingsError(
      `Invalid appvend service settings: context stackSetExecutionRoleName (${settings.stackSetExecutionRoleName}) ` +
        `must equal memberRoleName (${settings.memberRoleName}): CreateAccount creates only the member role in a ` +
        'new account, nothing creates another execution role there, and the SCP exempts and protects these names',
    );
  }
  return settings;
}
