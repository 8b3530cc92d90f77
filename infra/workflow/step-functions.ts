/**
 * The Lambda functions of the vend workflow: one per step folder in `services/`. The state machine
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
  'check-guardrails',
  'grant-access',
  'release-quarantine',
  'summarize-vend',
] as const;

export type StepFunctionName = (typeof STEP_FUNCTIONS)[number];

/**
 * The service's functions that are not steps of the state machine: the front doors, which record a
 * request in the ledger and start the vend. One folder each in `services/`, like the steps.
 */
export const FRONT_DOOR_FUNCTIONS = [
  'submit-application',
  'portal-api',
  'service-catalog-product',
  'service-catalog-outcome',
  'reconcile-drift',
  'record-stopped-vend',
  'release-account-slots',
] as const;

export type FrontDoorFunctionName = (typeof FRONT_DOOR_FUNCTIONS)[number];

/** Every function of the service: the steps and the front doors. */
export type ServiceFunctionName = StepFunctionName | FrontDoorFunctionName;

/**
 * The Lambda functions of the offboarding workflow, one per step folder in `services/`. It also
 * uses the vend's `check-stack-set-operation` to follow its stack set operations.
 */
export const OFFBOARD_FUNCTIONS = [
  'prepare-offboarding',
  'remove-guardrails',
  'remove-stack-set',
  'remove-service-control-policy',
  'remove-access',
  'suspend-accounts',
  'remove-organizational-unit',
  'close-accounts',
  'summarize-offboarding',
] as const;

export type OffboardFunctionName = (typeof OFFBOARD_FUNCTIONS)[number];

/** The functions the offboarding state machine invokes. */
export type OffboardWorkflowFunctionName = OffboardFunctionName | 'check-stack-set-operation';

/** The deployed function's name: deterministic, so the ASL can be read without a deployment. */
export const functionName = (name: ServiceFunctionName | OffboardFunctionName): string => `appvend-${name}`;
