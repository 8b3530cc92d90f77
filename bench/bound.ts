import type { LatencyModel } from '../shared/sandbox';

/**
 * Lower bounds on a vend's duration, from the latency model and the dependency graph alone (what
 * must precede what on AWS), never from a trace of a run. Pure functions of their inputs: the
 * benchmark divides what it measures by them.
 *
 * The graph (DESIGN.md §3), each edge an AWS precondition:
 * - the OU and the SCP are synchronous calls (no virtual time);
 * - every account is created at once, at most `createAccountQuota` CreateAccount requests in flight
 *   in the organization;
 * - a new account's access role answers `accessRolePropagation` after the account is ACTIVE, and
 *   StackSets deploys into the account through that role (self-managed permissions assume the
 *   execution role in the target account), so every stack set waits for it;
 * - then three stack set branches run in parallel: artifact store → pipeline (tooling),
 *   cross-account roles (each stage), guardrails (every account) → the conformance pack, which
 *   needs the Config recorder role the guardrails stack set creates and which the vend waits for.
 * Each stack set is one operation that creates all its instances; the workflow asks StackSets for
 * full concurrency in one Region, so an operation lasts its overhead plus one instance's creation.
 */

/** How many accounts one application has: the tooling account plus one per stage. */
export interface VendShape {
  stages: number;
}

export interface BoundOptions {
  /** CreateAccount requests AWS runs at once in an organization (5). */
  createAccountQuota: number;
  /** Instances StackSets deploys at once in an operation; all of them when omitted. */
  instanceConcurrency?: number;
}

export interface VendBound {
  /** CreateAccount in rounds of the quota. */
  accounts: number;
  /** The last account's access role answering after it is ACTIVE (the readiness probe's wait). */
  accessRole: number;
  branches: { pipeline: number; roles: number; guardrails: number };
  /** The longest branch. */
  stackSets: number;
  total: number;
  /** Each wait the bound counts, by its latency model name, in the order the vend meets them. */
  includes: string[];
  /** How the total is made, one line per term, with the figures. */
  derivation: string[];
}

/** The waits a vend performs, by the latency model figure that times each. */
export const VEND_WAITS = [
  'createAccount',
  'accessRolePropagation',
  'stackSetOperationOverhead',
  'stackInstanceCreate',
  'conformancePackDeploy',
] as const satisfies readonly (keyof LatencyModel)[];

/** One stack set operation that creates `instances` stack instances. */
export function stackSetOperation(latency: LatencyModel, instances: number, concurrency = instances): number {
  const batches = Math.ceil(Math.max(1, instances) / Math.max(1, concurrency));
  return latency.stackSetOperationOverhead + batches * latency.stackInstanceCreate;
}

/** The three stack set branches after the accounts answer, and the longest of them. */
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
    guardrails: op(accounts) + latency.conformancePackDeploy,
  };
}

const s = (ms: number) => `${+(ms / 1000).toFixed(1)} s`;

function assemble(
  latency: LatencyModel,
  accountCount: number,
  shape: VendShape,
  options: BoundOptions,
): VendBound {
  const rounds = Math.ceil(accountCount / options.createAccountQuota);
  const accounts = rounds * latency.createAccount;
  const accessRole = latency.accessRolePropagation;
  const branches = stackSetTail(latency, shape, options);
  const stackSets = Math.max(branches.pipeline, branches.roles, branches.guardrails);
  const total = accounts + accessRole + stackSets;
  const op = `(stackSetOperationOverhead ${s(latency.stackSetOperationOverhead)} + stackInstanceCreate ${s(latency.stackInstanceCreate)})`;
  const derivation = [
    `accounts: ⌈${accountCount} accounts / ${options.createAccountQuota} in flight⌉ = ${rounds} × createAccount ${s(latency.createAccount)} = ${s(accounts)}`,
    `access role: accessRolePropagation ${s(accessRole)} (StackSets deploys through it)`,
    `artifact store → pipeline: 2 × ${op} = ${s(branches.pipeline)}`,
    `cross-account roles: ${op} = ${s(branches.roles)}`,
    `guardrails → conformance pack: ${op} + conformancePackDeploy ${s(latency.conformancePackDeploy)} = ${s(branches.guardrails)}`,
    `stack sets: max(${s(branches.pipeline)}, ${s(branches.roles)}, ${s(branches.guardrails)}) = ${s(stackSets)}`,
    `total: ${s(accounts)} + ${s(accessRole)} + ${s(stackSets)} = ${s(total)}`,
  ];
  return { accounts, accessRole, branches, stackSets, total, includes: [...VEND_WAITS], derivation };
}

/**
 * The shortest possible vend of one application: `CreateAccount rounds + accessRolePropagation +
 * max(artifact store → pipeline, roles, guardrails → conformance pack)`.
 *
 * @example
 * vendLowerBound(DEFAULT_LATENCY, { stages: 2 }, { createAccountQuota: 5 }).total // 435000 (7m15s)
 */
export function vendLowerBound(latency: LatencyModel, shape: VendShape, options: BoundOptions): VendBound {
  return assemble(latency, shape.stages + 1, shape, options);
}

/**
 * The shortest possible time for `applications` vends submitted at once in one organization:
 * `⌈accounts / quota⌉ × CreateAccount` + the access role and stack set tail of the last application.
 */
export function scaleLowerBound(
  latency: LatencyModel,
  applications: number,
  shape: VendShape,
  options: BoundOptions,
): VendBound {
  return assemble(latency, applications * (shape.stages + 1), shape, options);
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
