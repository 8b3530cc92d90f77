import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { openBackend } from '../cli/backends';
import { runVend, type VendRun } from '../cli/vend';
import type { VirtualClock } from '../shared/clock/clock';
import type { LatencyModel, Sandbox } from '../shared/sandbox';
import { DEFAULT_CREATE_ACCOUNT_QUOTA } from '../shared/sandbox/aws-constants';

/** The repository root. */
export const ROOT = process.env.APPVEND_BENCH_ROOT ?? process.cwd();
/**
 * Where the benchmark keeps its own bundle and the handlers' bundles while it runs: out of the
 * shared scratch directory, ignored by git, eslint and prettier, and inside the project so that
 * the bundles resolve its node_modules.
 */
export const WORK_DIR = join(ROOT, 'node_modules/.cache/appvend-bench');

/** What `npm run build` wrote: the state machine the CLI runs and the templates it deploys. */
export function builtDefinition(): Record<string, unknown> {
  return JSON.parse(readFileSync(join(ROOT, 'dist/state-machine.asl.json'), 'utf8')) as Record<
    string,
    unknown
  >;
}

/** The sample request, renamed: distinct names give distinct OUs, accounts and emails. */
export function sampleRequest(name = 'orders'): Record<string, unknown> {
  const sample = JSON.parse(readFileSync(join(ROOT, 'events/application-request.json'), 'utf8')) as Record<
    string,
    unknown
  >;
  return { ...sample, name, tags: { ...(sample.tags as object), team: name } };
}

export interface BenchWorld {
  clock: VirtualClock;
  sandbox: Sandbox;
  /** CreateAccount requests the sandbox lets be in flight (AWS's quota). */
  createAccountQuota: number;
  /** Calls the sandbox had answered before any vend (opening the backend asks who we are). */
  callsBefore: number;
  vend(request: unknown): Promise<VendRun>;
}

/**
 * A fresh sandbox organization on a virtual clock, opened exactly as `appvend vend --sandbox`
 * opens it (same AWS client settings, same defaults for the service's environment), with the
 * templates `npm run build` wrote. Nothing is saved.
 */
export async function benchWorld(options: { latency?: Partial<LatencyModel> } = {}): Promise<BenchWorld> {
  process.env.APPVEND_TEMPLATES_DIR = join(ROOT, 'dist/stacksets');
  const backend = await openBackend({
    kind: 'sandbox',
    stateFile: join(tmpdir(), `appvend-bench-${process.pid}-unsaved.json`),
    fresh: true,
    latency: options.latency ?? {},
    // Nothing on disk: a save of the organization before each ledger write would be measured too.
    inMemory: true,
  });
  const clock = backend.clock as VirtualClock;
  const sandbox = backend.sandbox!;
  const definition = builtDefinition();
  return {
    clock,
    sandbox,
    createAccountQuota: DEFAULT_CREATE_ACCOUNT_QUOTA,
    callsBefore: sandbox.calls.length,
    vend: (request) => runVend({ input: { request }, definition, clock }),
  };
}
