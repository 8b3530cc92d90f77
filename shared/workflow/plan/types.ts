import type { TemplateKey } from '../../domain/naming';
import type { TopLevelStep } from '../top-level-steps';

/**
 * What a vend would do to one thing. `attach`: the SCP is as wanted but not attached to the OU;
 * `adopt`: an account with the email exists outside the OU and will be moved in; `remove`: appvend
 * made it for an earlier request of the application, and the request no longer asks for it; `unchecked`: the
 * planner could not look (member accounts from the portal API, which may not assume their role;
 * an address beyond the pages of ListAccounts the portal's dry run reads).
 */
export const PLAN_ACTIONS = ['create', 'update', 'attach', 'adopt', 'remove', 'keep', 'unchecked'] as const;
export type PlanAction = (typeof PLAN_ACTIONS)[number];

/** What a plan step is about, in the order the vend gets to each. */
export const PLAN_STEP_KINDS = [
  'organizational-unit',
  'service-control-policy',
  'account',
  'stack-set',
  'stack-instance',
  'connection-share',
  'config-recorder',
  'conformance-pack',
  'account-assignment',
  'alternate-contact',
  'quarantine',
] as const;

interface StepBase {
  /** The vend's top-level step that does it (`shared/workflow/top-level-steps.ts`). */
  step: TopLevelStep;
  action: PlanAction;
}

export interface OrganizationalUnitPlan extends StepBase {
  kind: 'organizational-unit';
  action: 'create' | 'keep';
  name: string;
  parentId: string;
  id?: string;
}

export interface ServiceControlPolicyPlan extends StepBase {
  kind: 'service-control-policy';
  /** `update` also attaches the policy when `attached` is false. */
  action: 'create' | 'update' | 'attach' | 'keep';
  name: string;
  id?: string;
  /** Whether the policy is attached to the OU now. */
  attached: boolean;
  /** Characters of the wanted document, as counted against the size quota. */
  size: number;
  /** For `update`: a unified diff from the current document to the wanted one (pretty-printed JSON). */
  diff?: string;
}

export interface AccountPlan extends StepBase {
  kind: 'account';
  /** `unchecked`: not in the pages of ListAccounts the planner may read (the portal's dry run). */
  action: 'create' | 'adopt' | 'keep' | 'unchecked';
  stage: string;
  name: string;
  email: string;
  id?: string;
  /** For `adopt`: the root or OU the account is in now. */
  parentId?: string;
}

export type { ParameterChange } from '../../domain/stack-set-differences';
import type { ParameterChange } from '../../domain/stack-set-differences';

export interface StackSetPlan extends StepBase {
  kind: 'stack-set';
  action: 'create' | 'update' | 'keep';
  template: TemplateKey;
  name: string;
  /** Digests of the canonical template bodies; `current` is absent when the stack set is. */
  templateDigest: { current?: string; wanted: string };
  /** The parameters that differ (every parameter for `create`). */
  parameters: ParameterChange[];
}

export interface StackInstancePlan extends StepBase {
  kind: 'stack-instance';
  action: 'create' | 'update' | 'keep';
  stackSet: string;
  stage: string;
  /** Absent for an account the vend has yet to create. */
  accountId?: string;
  /** The instance's status now (`CURRENT`, `OUTDATED`, `INOPERABLE`), when it exists. */
  status?: string;
}

/**
 * The AWS RAM resource share through which the tooling account's pipeline uses the connection, when
 * the account appvend runs in owns it (`shared/aws/connection-share.ts`). `update`: the share lacks
 * the tooling account or the connection, which the vend adds.
 */
export interface ConnectionSharePlan extends StepBase {
  kind: 'connection-share';
  action: 'create' | 'update' | 'keep';
  name: string;
  connectionArn: string;
  /** The tooling account's id; absent while it is still to be created. */
  accountId?: string;
  resourceShareArn?: string;
}

export interface ConfigRecorderPlan extends StepBase {
  kind: 'config-recorder';
  /** `update`: a recorder exists but is not recording, or has no delivery channel. */
  action: 'create' | 'update' | 'keep' | 'unchecked';
  stage: string;
  accountId?: string;
}

export interface ConformancePackPlan extends StepBase {
  kind: 'conformance-pack';
  action: 'create' | 'update' | 'keep' | 'unchecked';
  name: string;
  stage: string;
  accountId?: string;
  /** The digest the deployed pack carries and the one of the profile's template. */
  digest: { current?: string; wanted: string };
}

/**
 * An Identity Center group given a permission set in one of the application's accounts. `remove`:
 * appvend made it for an earlier request, which this one no longer asks for.
 */
export interface AccessAssignmentPlan extends StepBase {
  kind: 'account-assignment';
  action: 'create' | 'keep' | 'remove';
  group: string;
  permissionSet: string;
  stage: string;
  /** Absent for an account the vend has yet to create. */
  accountId?: string;
}

/** An alternate contact (SECURITY, OPERATIONS, BILLING) on one of the application's accounts. */
export interface AlternateContactPlan extends StepBase {
  kind: 'alternate-contact';
  /**
   * `update`: a contact of that type is there with other values, which the vend replaces;
   * `remove`: appvend put it for an earlier request, which this one no longer asks for.
   */
  action: 'create' | 'update' | 'keep' | 'remove';
  type: string;
  stage: string;
  accountId?: string;
}

export interface QuarantinePlan extends StepBase {
  kind: 'quarantine';
  /** `update`: the account still carries the quarantine SCP (an earlier vend stopped), which comes off. */
  action: 'update';
  stage: string;
  accountId: string;
  policyId: string;
}

export type PlanStep =
  | OrganizationalUnitPlan
  | ServiceControlPolicyPlan
  | AccountPlan
  | StackSetPlan
  | StackInstancePlan
  | ConnectionSharePlan
  | ConfigRecorderPlan
  | ConformancePackPlan
  | AccessAssignmentPlan
  | AlternateContactPlan
  | QuarantinePlan;

/** Something the plan found that would stop the vend at that step, as the vend would say it. */
export interface PlanBlocker {
  step: TopLevelStep;
  message: string;
}

/**
 * What a vend of the request would do, compared with the organization as it is: every step in
 * the vend's order, how many things each action touches, what would stop the vend, and notes on
 * what was not checked.
 */
export interface Plan {
  application: string;
  steps: PlanStep[];
  counts: Record<PlanAction, number>;
  blockers: PlanBlocker[];
  notes: string[];
}
