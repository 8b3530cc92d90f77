import '../cli/polyfills';
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { parseLatencyOverrides } from '../cli/latency';
import type { VendReportData } from '../cli/report';
import { ACCOUNT_POLL_POLICY, STACK_SET_POLL_POLICY } from '../shared/domain/polling';
import { resolveLatency, type LatencyModel } from '../shared/sandbox/latency-model';
import { measureColdStart } from './cold-start';
import { comparePeers } from './peers';
import { pollSchedule } from './polling';
import { renderReport, renderTable, type BenchResults } from './render';
import { FULL_GRID, QUICK_GRID, gridLatencies, summarizeGrid, type GridLatency } from './grid';
import { measureGrid, measureReference, measureScale, measureVend } from './scenarios';
import { ROOT, WORK_DIR } from './world';

const USAGE = `npm run bench [-- options]

  --quick               a small subset for CI: critical path (and a latency grid of 18 points
                        instead of 50), reference, scale 1 and 2 (six
                        accounts: one waits for a CreateAccount slot), cost at 3 minutes, cold
                        start as deployed only, 5 runs; writes to .tmp/bench/ unless --out
  --latency NAME=FIGURE override the sandbox's latency model (repeatable or comma-separated),
                        e.g. --latency createAccount=10m,stackInstanceCreate=90s
  --scale LIST          application counts for the scale runs (default 1,10,50,100,1000)
  --cold-runs N         fresh Node processes per handler for the cold start (default 15)
  --timeout SECONDS     wall-clock limit of each scenario (default 3600, 120 with --quick)
  --npm-test            also time \`npm test\` (minutes; off by default, CI times it)
  --out DIR             where results.json and report.md go (default bench/)
  --render              only write report.md and print the table again, from the results.json in
                        --out and the vend of the last run (kept in node_modules/.cache/appvend-bench)
`;

/** A scenario run in its own Node process, so that its wall time and peak memory are its own. */
async function child<T>(scenario: string, args: unknown, timeoutSeconds: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [__filename, 'child', scenario, JSON.stringify(args)], {
      env: { ...process.env, POWERTOOLS_LOG_LEVEL: 'SILENT', APPVEND_BENCH_ROOT: ROOT },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    proc.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    proc.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => proc.kill('SIGKILL'), timeoutSeconds * 1000);
    proc.on('close', (code, signal) => {
      clearTimeout(timer);
      if (signal === 'SIGKILL')
        return reject(new Error(`did not finish within ${timeoutSeconds} s of wall time`));
      const last = stdout.trim().split('\n').pop() ?? '';
      // A scenario prints its result last, as one line of JSON: an object, or (the grid) an array.
      if (code !== 0 || !/^[[{]/.test(last)) {
        const how = signal ? `was stopped by ${signal} (from outside the benchmark)` : `exited ${code}`;
        return reject(
          new Error(`${how}: ${stderr.trim().split('\n').slice(-3).join(' | ')}`.replace(/: $/, '')),
        );
      }
      resolve(JSON.parse(last) as T);
    });
  });
}

async function runChild(scenario: string, rawArgs: string): Promise<void> {
  const args = JSON.parse(rawArgs) as {
    latency: Partial<LatencyModel>;
    applications?: number;
    points?: GridLatency[];
    runs?: number;
  };
  let result: unknown;
  if (scenario === 'vend') result = await measureVend(args.latency);
  else if (scenario === 'cold-start') {
    mkdirSync(WORK_DIR, { recursive: true });
    const dir = mkdtempSync(join(WORK_DIR, 'cold-'));
    try {
      result = await measureColdStart(ROOT, dir, { runs: args.runs ?? 5, variants: false });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  } else if (scenario === 'grid') result = await measureGrid(args.latency, args.points ?? []);
  else if (scenario === 'reference') result = await measureReference(args.latency);
  else if (scenario === 'scale') result = await measureScale(args.applications ?? 1, args.latency);
  else throw new Error(`unknown scenario ${scenario}`);
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

/** Wall time of the quick start on a fresh sandbox, as a user runs it. */
function localVendSeconds(runs: number): number[] {
  const dir = mkdtempSync(join(tmpdir(), 'appvend-bench-'));
  const times: number[] = [];
  try {
    for (let i = 0; i < runs; i += 1) {
      const started = performance.now();
      const result = spawnSync(
        process.execPath,
        [
          'bin/appvend.js',
          'vend',
          'events/application-request.json',
          '--fresh',
          '--state',
          join(dir, 's.json'),
        ],
        { cwd: ROOT, encoding: 'utf8' },
      );
      const took = (performance.now() - started) / 1000;
      if (result.status !== 0)
        throw new Error(`appvend vend exited ${result.status}: ${result.stderr.slice(-300)}`);
      times.push(took);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return times;
}

const errorOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

async function orchestrate(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      quick: { type: 'boolean' },
      latency: { type: 'string', multiple: true },
      scale: { type: 'string' },
      'cold-runs': { type: 'string' },
      timeout: { type: 'string' },
      'npm-test': { type: 'boolean' },
      out: { type: 'string' },
      render: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const quick = values.quick === true;
  const lastVend = join(WORK_DIR, 'last-vend.json');
  if (values.render) {
    const dir = values.out ?? join(ROOT, 'bench');
    const results = JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')) as BenchResults;
    const vend = JSON.parse(readFileSync(lastVend, 'utf8')) as VendReportData;
    writeFileSync(join(dir, 'report.md'), await renderReport(results, vend));
    process.stdout.write(renderTable(results));
    return 0;
  }
  const overrides = parseLatencyOverrides(values.latency);
  const latency = resolveLatency(overrides);
  const scalePoints = (values.scale ?? (quick ? '1,2' : '1,10,50,100,1000')).split(',').map(Number);
  if (scalePoints.some((n) => !Number.isInteger(n) || n < 1))
    throw new Error('--scale takes counts like 1,10,50');
  const coldRuns = Number(values['cold-runs'] ?? (quick ? 5 : 15));
  const timeout = Number(values.timeout ?? (quick ? 120 : 3600));
  const outDir = values.out ?? (quick ? join(ROOT, '.tmp/bench') : join(ROOT, 'bench'));
  const costMinutes = quick ? [3] : [3, 10, 30];
  const benchStarted = performance.now();
  const log = (text: string) => process.stderr.write(`bench: ${text}\n`);

  log('critical path: one vend of the sample application');
  const criticalPath = await child<Awaited<ReturnType<typeof measureVend>>>(
    'vend',
    { latency: overrides },
    timeout,
  );
  const gridPoints = gridLatencies(quick ? QUICK_GRID : FULL_GRID);
  log(`critical path over a latency grid: ${gridPoints.length} vends in one process`);
  const grid = summarizeGrid(
    await child<Awaited<ReturnType<typeof measureGrid>>>(
      'grid',
      { latency: overrides, points: gridPoints },
      timeout,
    ),
  );
  log('reference procedure');
  const reference = await child<Awaited<ReturnType<typeof measureReference>>>(
    'reference',
    { latency: overrides },
    timeout,
  );

  const cost: BenchResults['cost'] = [];
  for (const minutes of costMinutes) {
    log(`cost per vend at CreateAccount = ${minutes} min`);
    const measured =
      minutes * 60_000 === latency.createAccount
        ? criticalPath
        : await child<Awaited<ReturnType<typeof measureVend>>>(
            'vend',
            { latency: { ...overrides, createAccount: minutes * 60_000 } },
            timeout,
          );
    cost.push({
      createAccountMinutes: minutes,
      makespanMs: measured.makespanMs,
      ratio: measured.ratio,
      transitions: measured.transitions,
      lambdaInvocations: measured.lambdaInvocations,
      apiCalls: measured.apiCalls,
      apiCallsByService: measured.apiCallsByService,
      accountLooks: pollSchedule(ACCOUNT_POLL_POLICY, minutes * 60).looks,
      transitionsByState: measured.transitionsByState,
    });
  }

  const scale: BenchResults['scale'] = [];
  for (const applications of scalePoints) {
    log(`scale: ${applications} application(s) at once`);
    const started = performance.now();
    try {
      scale.push(await child('scale', { latency: overrides, applications }, timeout));
    } catch (error) {
      scale.push({ applications, error: errorOf(error), wallSeconds: (performance.now() - started) / 1000 });
    }
    // What is measured so far, in case a later step fails: the scale runs are the long ones.
    mkdirSync(WORK_DIR, { recursive: true });
    writeFileSync(
      join(WORK_DIR, 'partial.json'),
      JSON.stringify({ criticalPath, grid, reference, cost, scale }),
    );
  }

  log(`cold start: bundling services/* and the baseline, ${coldRuns} fresh processes each`);
  const errors: Record<string, string> = {};
  let coldStart: Awaited<ReturnType<typeof measureColdStart>> | undefined;
  try {
    mkdirSync(WORK_DIR, { recursive: true });
    const coldDir = mkdtempSync(join(WORK_DIR, 'cold-'));
    try {
      coldStart = await measureColdStart(ROOT, coldDir, { runs: coldRuns, variants: !quick });
    } finally {
      rmSync(coldDir, { recursive: true, force: true });
    }
  } catch (error) {
    errors.coldStart = errorOf(error);
  }

  log('local feedback: appvend vend on the sandbox');
  let localRuns: number[] = [];
  try {
    localRuns = localVendSeconds(quick ? 1 : 3);
  } catch (error) {
    errors.localVend = errorOf(error);
  }

  let npmTestSeconds: number | null = null;
  if (values['npm-test']) {
    log('npm test');
    const started = performance.now();
    const result = spawnSync('npm', ['test'], { cwd: ROOT, stdio: 'ignore' });
    npmTestSeconds = result.status === 0 ? (performance.now() - started) / 1000 : null;
  }

  const stackSetOpSeconds = (latency.stackSetOperationOverhead + latency.stackInstanceCreate) / 1000;
  const results: BenchResults = {
    generatedAt: new Date().toISOString(),
    mode: quick ? 'quick' : 'full',
    machine: {
      node: process.version,
      cpu: `${cpus()[0]?.model ?? 'unknown'} × ${cpus().length}`,
      memoryGiB: Math.round(totalmem() / 2 ** 30),
    },
    latency,
    latencyOverrides: overrides,
    criticalPath: {
      makespanMs: criticalPath.makespanMs,
      boundMs: criticalPath.bound.total,
      ratio: criticalPath.ratio,
      bound: criticalPath.bound,
      phases: criticalPath.phases,
      ...(criticalPath.guardrailsSettledMs === undefined
        ? {}
        : { guardrailsSettledMs: criticalPath.guardrailsSettledMs }),
      status: criticalPath.status,
      grid,
    },
    reference,
    peers: comparePeers(latency, { stages: 2 }, [
      { applications: 1, makespanMs: criticalPath.makespanMs },
      ...scale.flatMap((s) =>
        'error' in s || s.applications === 1 || s.failed > 0
          ? []
          : [{ applications: s.applications, makespanMs: s.makespanMs }],
      ),
    ]),
    scale,
    cost,
    polling: {
      account: costMinutes.map((minutes) => ({
        minutes,
        ...pollSchedule(ACCOUNT_POLL_POLICY, minutes * 60),
      })),
      stackSetOperation: {
        seconds: stackSetOpSeconds,
        ...pollSchedule(STACK_SET_POLL_POLICY, stackSetOpSeconds),
      },
    },
    coldStart: coldStart?.handlers ?? [],
    coldStartBaseline: coldStart
      ? { ...coldStart.baseline, runs: coldStart.runs, node: coldStart.node }
      : null,
    localVendSeconds: localRuns.length > 0 ? median(localRuns) : null,
    localVendRuns: localRuns,
    npmTestSeconds,
    benchSeconds: 0,
    errors,
  };
  results.benchSeconds = (performance.now() - benchStarted) / 1000;

  mkdirSync(outDir, { recursive: true });
  mkdirSync(WORK_DIR, { recursive: true });
  writeFileSync(lastVend, JSON.stringify(criticalPath.report));
  writeFileSync(join(outDir, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
  writeFileSync(join(outDir, 'report.md'), await renderReport(results, criticalPath.report));
  process.stdout.write(renderTable(results));
  log(
    `wrote ${join(outDir, 'results.json')} and ${join(outDir, 'report.md')} in ${results.benchSeconds.toFixed(1)} s`,
  );
  return 0;
}

async function main(argv: string[]): Promise<number> {
  if (argv[0] === 'child') {
    await runChild(argv[1] ?? '', argv[2] ?? '{}');
    return 0;
  }
  return orchestrate(argv);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`bench: ${errorOf(error)}\n`);
    process.exitCode = 1;
  },
);
