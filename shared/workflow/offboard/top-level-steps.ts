/**
 * The top-level steps of an offboarding, in order: the state machine's names for them, and what
 * `appvend offboard` prints progress for. Kept out of the CDK code: the CLI loads no aws-cdk-lib.
 */
export const OFFBOARD_STEPS = [
  'PrepareOffboarding',
  'RemoveGuardrails',
  'RemoveStackSets',
  'RemoveServiceControlPolicy',
  'RemoveAccess',
  'SuspendAccounts',
  'RemoveOrganizationalUnit',
  'CloseAccounts',
] as const;
