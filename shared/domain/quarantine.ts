import { NAME_PREFIX } from './naming';

/** One quarantine policy serves the whole organization: it names no application. */
export const QUARANTINE_POLICY_NAME = `${NAME_PREFIX}-quarantine`;

/**
 * Put on an account once its baseline is in place (by the release step). An account that carries
 * it is never quarantined again: moving it back into its OU (reconcile) or adding a stage must not
 * lock a live account out.
 */
export const BASELINED_TAG = `${NAME_PREFIX}:baselined`;

export const QUARANTINE_POLICY_DESCRIPTION =
  'appvend: denies everything but the vending roles to an account until its baseline is in place';

/**
 * The deny-all SCP a new account carries from the moment it is created until its baseline stacks
 * and guardrails are in place: nobody can use the account half-built. The roles appvend works
 * through (the member access role, which registers the guardrails, and the StackSets execution
 * role, which deploys the baseline) are let through. Service-linked roles are never subject to
 * SCPs, so AWS Config and StackSets' own roles keep working.
 */
export function renderQuarantinePolicy(vendingRoles: readonly string[]): string {
  const roles = [...new Set(vendingRoles)].sort();
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
    ],
  });
}
