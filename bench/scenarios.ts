import { collectVendReport, type VendReportData } from '../cli/report';
import { awsClients } from '../shared/aws/client-factory';
import type { VendRun } from '../cli/vend';
import { resolveLatency, type LatencyModel } from '../shared/sandbox/latency-model';
import { scaleLowerBound, vendLowerBound, type VendBound } from './bound';
import { runReference, type ReferenceStep } from './reference';
import { callsBy, callsByService, maxInFlight, requestsSeenByAppvend } from './measures';
import type { GridLatency, GridPoint } from './grid';
import { benchWorld, sampleRequest } from './world';

/** The sample application's shape: tooling + test + prod. */
const SHAPE = { stages: 2 };

export interface VendMeasurement {
  makespanMs: number;
  bound: VendBound;
  ratio: number;
  status: string;
  /** How long the VendAccounts and DeployStackSets steps took. */
  phases: { accountsMs: number; stackSetsMs: number };
  transitions: number;
  transitionsByState: Record<string, number>;
  lambdaInvocations: number;
  apiCalls: number;
  apiCallsByService: Record<string, number>;
  /** When the last conformance pack the vend asked for was deployed, after the vend started. */
  guardrailsSettledMs?: number;
  report: VendReportData;
}

const stepMs = (run: VendRun, name: string) => {
  const step = run.steps.find((s) => s.step === name);
  return step ? (step.endedAt ?? run.endedAt) - step.startedAt : 0;
};

/** One vend of the sample application on a fresh sandbox, its cost, and its report. */
export async function measureVend(latencyOverrides: Partial<LatencyModel>): Promise<VendMeasurement> {
  const world = await benchWorld({ latency: latencyOverrides });
  const latency = resolveLatency(latencyOverrides);
  const request = sampleRequest();
  const run = await world.vend(request);
  const calls = world.sandbox.calls.slice(world.callsBefore);
  const makespanMs = run.endedAt - run.startedAt;
  const bound = vendLowerBound(latency, SHAPE, { createAccountQuota: world.createAccountQuota });
  const report = await collectVendReport(run, awsClients(), {
    backend: 'the sandbox (virtual clock)',
    profile: 'serverless',
  });
  // Let AWS finish what it was still doing when the vend ended (the conformance packs).
  world.clock.advance(latency.conformancePackDeploy);
  const packs = world.sandbox
    .accounts()
    .flatMap((a) => world.sandbox.configState(a.id).conformancePacks)
    .map((p) => p.lastUpdateCompletedAt)
    .filter((t): t is number => t !== undefined);
  return {
    makespanMs,
    bound,
    ratio: makespanMs / bound.total,
    status: run.summary.status,
    phases: { accountsMs: stepMs(run, 'VendAccounts'), stackSetsMs: stepMs(run, 'DeployStackSets') },
    transitions: run.transitions,
    transitionsByState: run.transitionsByState,
    lambdaInvocations: run.tasks.length,
    apiCalls: calls.length,
    apiCallsByService: callsByService(calls),
    ...(packs.length > 0 ? { guardrailsSettledMs: Math.max(...packs) - run.startedAt } : {}),
    report,
  };
}

/**
 * One vend of the sample application at each grid point, each on a fresh sandbox in this one
 * process (a vend is about a second of CPU), against the bound at that point.
 */
export async function measureGrid(
  latencyOverrides: Partial<LatencyModel>,
  points: GridLatency[],
): Promise<GridPoint[]> {
  const out: GridPoint[] = [];
  for (const point of points) {
    const overrides = { ...latencyOverrides, ...point };
    const world = await benchWorld({ latency: overrides });
    const run = await world.vend(sampleRequest());
    const makespanMs = run.endedAt - run.startedAt;
    const boundMs = vendLowerBound(resolveLatency(overrides), SHAPE, {
      createAccountQuota: world.createAccountQuota,
    }).total;
    out.push({
      latency: point,
      makespanMs,
      boundMs,
      ratio: makespanMs / boundMs,
      transitions: run.transitions,
      status: run.summary.status,
    });
  }
  return out;
}

export interface ReferenceMeasurement {
  makespanMs: number;
  bound: number;
  ratio: number;
  apiCalls: number;
  steps: { step: string; tookMs: number }[];
}

/** The reference procedure on a fresh sandbox, against appvend's lower bound. */
export async function measureReference(
  latencyOverrides: Partial<LatencyModel>,
): Promise<ReferenceMeasurement> {
  const world = await benchWorld({ latency: latencyOverrides });
  const latency = resolveLatency(latencyOverrides);
  const run = await runReference(world, sampleRequest());
  const bound = vendLowerBound(latency, SHAPE, { createAccountQuota: world.createAccountQuota }).total;
  return {
    makespanMs: run.makespanMs,
    bound,
    ratio: run.makespanMs / bound,
    apiCalls: run.apiCalls,
    steps: run.steps.map((s: ReferenceStep) => ({ step: s.step, tookMs: s.endedAt - s.startedAt })),
  };
}

export interface ScaleMeasurement {
  applications: number;
  succeeded: number;
  failed: number;
  /** The first failures' steps and messages, when some failed. */
  failures: string[];
  makespanMs: number;
  bound: number;
  ratio: number;
  /** The most CreateAccount requests in flight at once, from the sandbox's own record (AWS's count). */
  maxCreateAccountInFlight: number;
  /** The same from the requests appvend made, from acceptance to the look that saw each end. */
  maxCreateAccountInFlightSeenByAppvend: number;
  createAccountQuota: number;
  /** CreateAccount calls appvend sent (accepted or refused). */
  createAccountCalls: number;
  /** CreateAccount calls AWS refused over its in-flight quota (ConstraintViolationException ACCOUNT_CREATION_RATE_LIMIT_EXCEEDED). */
  createAccountRefusals: number;
  transitions: number;
  lambdaInvocations: number;
  apiCalls: number;
  /** API calls by `service:Operation`: what grows with the number of applications shows here. */
  apiCallsByOperation: Record<string, number>;
  /** State transitions by state name, summed over the vends. */
  transitionsByState: Record<string, number>;
  wallSeconds: number;
  /** CPU time of the process (user + system): the rest of the wall time is spent waiting. */
  cpuSeconds: number;
  peakRssMiB: number;
}

/** `applications` vends submitted at once on one sandbox and one clock, distinct names and emails. */
export async function measureScale(
  applications: number,
  latencyOverrides: Partial<LatencyModel>,
): Promise<ScaleMeasurement> {
  const world = await benchWorld({ latency: latencyOverrides });
  const latency = resolveLatency(latencyOverrides);
  const startedAt = world.clock.now();
  const names = Array.from({ length: applications }, (_, i) => `bench-${String(i + 1).padStart(3, '0')}`);
  const settled = await Promise.allSettled(names.map((name) => world.vend(sampleRequest(name))));
  const makespanMs = world.clock.now() - startedAt;
  const runs = settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  const failures = [
    ...settled.flatMap((s) =>
      s.status === 'rejected' ? [String((s.reason as Error).message ?? s.reason)] : [],
    ),
    ...runs.flatMap((r) =>
      r.summary.status === 'SUCCEEDED'
        ? []
        : [`${r.summary.application}: ${r.summary.error?.step}: ${r.summary.error?.message}`],
    ),
  ];
  const succeeded = runs.filter((r) => r.summary.status === 'SUCCEEDED').length;
  const bound = scaleLowerBound(latency, applications, SHAPE, {
    createAccountQuota: world.createAccountQuota,
  }).total;
  const calls = world.sandbox.calls.slice(world.callsBefore);
  const usage = process.resourceUsage();
  return {
    applications,
    succeeded,
    failed: applications - succeeded,
    failures: failures.slice(0, 5),
    makespanMs,
    bound,
    ratio: makespanMs / bound,
    maxCreateAccountInFlight: maxInFlight(world.sandbox.createAccountRequests()),
    maxCreateAccountInFlightSeenByAppvend: maxInFlight(requestsSeenByAppvend(runs)),
    createAccountCalls: calls.filter((c) => c.operation === 'CreateAccount').length,
    createAccountQuota: world.createAccountQuota,
    createAccountRefusals: calls.filter(
      (c) => c.operation === 'CreateAccount' && c.error === 'ConstraintViolationException',
    ).length,
    transitions: runs.reduce((n, r) => n + r.transitions, 0),
    lambdaInvocations: runs.reduce((n, r) => n + r.tasks.length, 0),
    apiCalls: calls.length,
    // By operation and by state, so that what grows with the number of applications can be named.
    apiCallsByOperation: callsBy(calls, (c) => `${c.service}:${c.operation}`),
    transitionsByState: sumCounts(runs.map((r) => r.transitionsByState)),
    wallSeconds: performance.now() / 1000,
    cpuSeconds: (usage.userCPUTime + usage.systemCPUTime) / 1e6,
    peakRssMiB: usage.maxRSS / 1024,
  };
}

function sumCounts(records: Record<string, number>[]): Record<string, number> {
  const sums: Record<string, number> = {};
  for (const record of records)
    for (const [key, n] of Object.entries(record)) sums[key] = (sums[key] ?? 0) + n;
  return sums;
}
