import { NAME_PREFIX } from './naming';

/**
 * The role the guardrails stack set makes in every vended account (infra/templates/guardrails.ts),
 * through which the service's functions work in the account once its baseline is in place: the
 * Config guardrails (register, check, remove), the drift reads, and the emptying of appvend's
 * buckets before their stacks are deleted. It trusts only the function roles of
 * {@link MEMBER_ACCESS_STEPS} in the service account (`aws:PrincipalArn`, in the same organization)
 * and carries only what they do there. Before the baseline exists (the readiness probe), an
 * account is entered as before: through the access role CreateAccount made
 * (`OrganizationAccountAccessRole`), which trusts the management account only, chained from the
 * management role. The name is fixed (not per application): the application SCP and the quarantine
 * protect and let through exactly this name.
 */
export const MEMBER_ACCESS_ROLE_NAME = `${NAME_PREFIX}-member-access`;

/**
 * The variable that tells a process to enter member accounts through {@link MEMBER_ACCESS_ROLE_NAME}
 * after their baseline (shared/aws/client-factory.ts); unset, every entry goes through the access
 * role (the CLI, run with the management account's credentials).
 */
export const MEMBER_ACCESS_ROLE_ENV = 'APPVEND_MEMBER_ACCESS_ROLE';

/**
 * The steps whose functions enter member accounts only after the baseline, and so through the
 * member access role: its trust names exactly their roles (`appvend-<step>`). The readiness probe
 * (move-account) is not among them: it runs before the role exists.
 */
export const MEMBER_ACCESS_STEPS = [
  'register-guardrails',
  'check-guardrails',
  'reconcile-drift',
  'remove-guardrails',
  'remove-stack-set',
] as const;
export type MemberAccessStep = (typeof MEMBER_ACCESS_STEPS)[number];

/** The function role names the member access role trusts (infra/workflow/step-functions.ts names). */
export const MEMBER_ACCESS_FUNCTION_ROLES: readonly string[] = MEMBER_ACCESS_STEPS.map(
  (step) => `${NAME_PREFIX}-${step}`,
);
