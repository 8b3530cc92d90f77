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
