import type { LatencyModel } from '../shared/sandbox';

/**
 * Lower bounds on a vend's duration, from the latency model and the dependency graph of
 * DESIGN.md §3. Pure functions of their inputs: the benchmark divides what it measures by them.
 *
 * The graph: every account is created at once (at most `createAccountQuota` CreateAccount requests
 * in flight in the organization), then three stack set branches run in parallel: artifact store →
 * pipeline (tooling), cross-account roles (each stage), guardrails (every account). Each stack set
 * is one operation that creates all its instances; the workflow asks StackSets for full
 * concurrency in one Region, so an operation lasts its overhead plus one instance's creation.
 */

/** How many accounts one application has: the tooling account plus one per stage. */
export interface VendShape {
  stages: number;
}

export interface BoundOptions {
  /** CreateAccount requests AWS runs at once in an organization (5). */
  createAccountQuota: number;
  /**
   * Count the conformance pack deployment after the guardrails stack set as part of the vend. The
   * workflow does not wait for it (PutConformancePack returns at once), so by default it does not.
   */
  includeConformancePack?: boolean;
  /** Instances StackSets deploys at once in an operation; all of them when omitted. */
  instanceConcurrency?: number;
}

export interface VendBound {
  /** CreateAccount in rounds of the quota. */
  accounts: number;
  branches: { pipeline: number; roles: number; guardrails: number };
  /** The longest branch. */
  stackSets: number;
  total: number;
}

/** One stack set operation that creates `instances` stack instances. */
export function stackSetOperation(latency: LatencyModel, instances: number, concurrency = instances): number {
  const batches = Math.ceil(Math.max(1, instances) / Math.max(1, concurrency));
  return latency.stackSetOperationOverhead + batches * latency.stackInstanceCreate;
}

/** The three stack set branches after the accounts exist, and the longest of them. */
export function stackSetTail(
  latency: LatencyModel,
  shape: VendShape,
  options: BoundOptions,
): VendBound['branches'] {
  const accounts = shape.stages + 1;
  const op = (instances: number) => stackSetOperation(latency, instances, options.instanceConcurrency);
  return {
    pipeline: op(1) + op(1),
    roles: op(shape.stages),
    guardrails: op(accounts) + (options.includeConformancePack ? latency.conformancePackDeploy : 0),
  };
}

/**
 * The shortest possible vend of one application: `max(CreateAccount) + max(artifact store →
 * pipeline, roles, guardrails)` (DESIGN.md §3), with CreateAccount in rounds of the quota.
 *
 * @example
 * vendLowerBound(DEFAULT_LATENCY, { stages: 2 }, { createAccountQuota: 5 }).total // 330000 (5m30s)
 */
export function vendLowerBound(latency: LatencyModel, shape: VendShape, options: BoundOptions): VendBound {
  const accounts = Math.ceil((shape.stages + 1) / options.createAccountQuota) * latency.createAccount;
  const branches = stackSetTail(latency, shape, options);
  const stackSets = Math.max(branches.pipeline, branches.roles, branches.guardrails);
  return { accounts, branches, stackSets, total: accounts + stackSets };
}

/**
 * The shortest possible time for `applications` vends submitted at once in one organization:
 * `ceil(accounts / quota) × CreateAccount + the stack set tail` of the last application.
 */
export function scaleLowerBound(
  latency: LatencyModel,
  applications: number,
  shape: VendShape,
  options: BoundOptions,
): VendBound {
  const accountCount = applications * (shape.stages + 1);
  const accounts = Math.ceil(accountCount / options.createAccountQuota) * latency.createAccount;
  const branches = stackSetTail(latency, shape, options);
  const stackSets = Math.max(branches.pipeline, branches.roles, branches.guardrails);
  return { accounts, branches, stackSets, total: accounts + stackSets };
}

/**
 * The reference procedure at its fastest, with no time lost between steps: the accounts one after
 * another, then five stack deployments in series, two of them updates (artifact store, roles in
 * each stage, pipeline, artifact store again, pipeline again).
 */
export function referenceIdeal(latency: LatencyModel, shape: VendShape): number {
  const create = latency.stackSetOperationOverhead + latency.stackInstanceCreate;
  const update = latency.stackSetOperationOverhead + latency.stackInstanceUpdate;
  return (shape.stages + 1) * latency.createAccount + (2 + shape.stages) * create + 2 * update;
}
