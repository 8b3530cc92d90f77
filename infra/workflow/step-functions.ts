/**
 * The Lambda functions of the vend workflow: one per folder in `services/`. The state machine
 * refers to them by these names; the local runner maps them back to the in-process handlers.
 */
export const STEP_FUNCTIONS = [
  'validate-request',
  'ensure-organizational-unit',
  'ensure-service-control-policy',
  'start-account-creation',
  'check-account-creation',
  'move-account',
  'deploy-stack-set',
  'check-stack-set-operation',
  'register-guardrails',
  'summarize-vend',
] as const;

export type StepFunctionName = (typeof STEP_FUNCTIONS)[number];

/** The deployed function's name: deterministic, so the ASL can be read without a deployment. */
export const functionName = (step: StepFunctionName): string => `appvend-${step}`;
