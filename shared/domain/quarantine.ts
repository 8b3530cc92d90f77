import { MEMBER_ACCESS_ROLE_NAME } from './member-access';
import { NAME_PREFIX, complianceNotifierRoleName, configRecorderRoleName } from './naming';

/** One quarantine policy serves the whole organization: it names no application. */
export const QUARANTINE_POLICY_NAME = `${NAME_PREFIX}-quarantine`;

/**
 * The root's tag that records the quarantine SCP's id. One policy serves every application, and
 * every new account is quarantined, so finding it by name (ListPolicies, 20 policies a page, one
 * SCP per application) would cost each account a read of every application's policy. The root
 * says where it is in two calls; the id is used only when DescribePolicy shows the quarantine's
 * name (names are unique in an organization), so a tag changed by hand can only send appvend back
 * to the search by name, never to another policy.
 */
export const QUARANTINE_POLICY_ROOT_TAG = `${NAME_PREFIX}:quarantine-policy`;

/**
 * Put on an account once its baseline is in place (by the release step). An account that carries
 * it is never quarantined again: moving it back into its OU (reconcile) or adding a stage must not
 * lock a live account out.
 */
export const BASELINED_TAG = `${NAME_PREFIX}:baselined`;

export const QUARANTINE_POLICY_DESCRIPTION =
  'appvend: denies everything but the vending and baseline roles to an account until its baseline is in place';

/**
 * The baseline's own roles, which work while the account is quarantined: the AWS Config recorder's
 * role (Config records and delivers as this role) and the role EventBridge publishes
 * non-compliance through. Any application's: the policy names none.
 */
export const QUARANTINE_BASELINE_ROLES: readonly string[] = [
  configRecorderRoleName('*'),
  complianceNotifierRoleName('*'),
];

/**
 * The deny-all SCP a new account carries from the moment it is created until its baseline stacks
 * and guardrails are in place: nobody can use the account half-built. Let through, by
 * `aws:PrincipalArn`: the roles appvend works through (the member access role, which registers
 * the guardrails, and the StackSets execution role, which deploys the baseline) and the baseline's
 * own roles ({@link QUARANTINE_BASELINE_ROLES}). SCPs apply to every role of a member account but
 * service-linked roles, so these roles, which appvend made, would otherwise be denied: Config
 * would not record and non-compliance would not be published until the release.
 *
 * The baseline roles are matched with a wildcard for the application name, and ArnLike's `*`
 * also matches `/`: a second statement denies every role with a path, so a role made under a path
 * that ends like an exempt name (`role/appvend-x/y-config-recorder`) is not let through. The
 * exempt roles have no path.
 */
export function renderQuarantinePolicy(vendingRoles: readonly string[]): string {
  const roles = [...new Set([...vendingRoles, MEMBER_ACCESS_ROLE_NAME, ...QUARANTINE_BASELINE_ROLES])].sort();
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'QuarantineUntilBaselined',
        Effect: 'Deny',
        Action: '*',
        Resource: '*',
        Condition: {
          ArnNotLike: { 'aws:PrincipalArn': roles.map((role) => `arn:aws:iam::*:role/${role}`) },
        },
      },
      {
        Sid: 'NoRoleUnderAPath',
        Effect: 'Deny',
        Action: '*',
        Resource: '*',
        Condition: { ArnLike: { 'aws:PrincipalArn': 'arn:aws:iam::*:role/*/*' } },
      },
    ],
  });
}
