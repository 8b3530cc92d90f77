/**
 * The roles of the AppvendManagementAccess stack, in the organization's management account, through
 * which the service's functions make the calls AWS allows only there (infra/service/management-access.ts).
 * The write role is for the workflow's steps; the read role for the functions that only read the
 * organization (the portal's dry run, the scheduled reconcile's plan): neither can do the other's work.
 */
export const MANAGEMENT_WRITE_ROLE_NAME = 'appvend-management-access';
export const MANAGEMENT_READ_ROLE_NAME = 'appvend-management-read';

/**
 * The variable that names the management role a process acts through (shared/aws/client-factory.ts);
 * unset, the process's own credentials make those calls (the CLI in the management account).
 */
export const MANAGEMENT_ROLE_ENV = 'APPVEND_MANAGEMENT_ROLE_ARN';

/**
 * The session tag a function passes when it assumes a management role: its own role's ARN. The
 * role's trust admits the tag only with that value (`aws:RequestTag/…` = `${aws:PrincipalArn}`), and
 * each of the role's statements holds only for the functions whose permissions it is
 * (`aws:PrincipalTag/…`), so a function acts through the role with its own permissions only.
 */
export const FUNCTION_SESSION_TAG = 'appvend:function';

/**
 * The ARN `aws:PrincipalArn` names for a caller GetCallerIdentity reports: the role of an
 * assumed-role session (roles without a path), else the ARN itself.
 *
 * @example
 * principalArnOf('arn:aws:sts::111111111111:assumed-role/appvend-move-account/s'); // 'arn:aws:iam::111111111111:role/appvend-move-account'
 */
export function principalArnOf(callerArn: string): string {
  const session = /^arn:(aws[\w-]*):sts::(\d{12}):assumed-role\/([\w+=,.@-]+)\/[\w+=,.@-]+$/.exec(callerArn);
  return session ? `arn:${session[1]}:iam::${session[2]}:role/${session[3]}` : callerArn;
}

/**
 * The variable that names the role a deployed function runs as (its execution role's ARN, set by the
 * service stack on every function, infra/service/appvend-function.ts): who the function is, without
 * asking STS at each cold start. AWS checks it wherever it matters: as the function session tag,
 * the management role's trust admits it only when it equals the caller's `aws:PrincipalArn`.
 */
export const FUNCTION_ROLE_ENV = 'APPVEND_FUNCTION_ROLE_ARN';

/** Who a process runs as: the account its calls are made in, and its principal's ARN. */
export interface CallerIdentity {
  account: string;
  principalArn: string;
}

/**
 * The identity of a process that runs as the IAM role `roleArn` (a path is allowed).
 *
 * @example
 * identityOfRole('arn:aws:iam::111111111111:role/appvend-move-account'); // { account: '111111111111', principalArn: 'arn:aws:iam::111111111111:role/appvend-move-account' }
 */
export function identityOfRole(roleArn: string): CallerIdentity {
  const role = /^arn:aws[\w-]*:iam::(\d{12}):role\/(?:[\w+=,.@/-]*\/)?[\w+=,.@-]{1,64}$/.exec(roleArn);
  if (!role) throw new Error(`${FUNCTION_ROLE_ENV} must be an IAM role ARN, not "${roleArn}"`);
  return { account: role[1]!, principalArn: roleArn };
}
