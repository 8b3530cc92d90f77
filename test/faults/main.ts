import '../../cli/polyfills';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { sandboxWorld } from '../support/workflow';
import {
  INTENSITIES,
  INTENSITY_TIMES,
  describeRun,
  discoverOperations,
  accessDropped,
  discoverChangeOperations,
  matrixCells,
  operationLabel,
  renderTable,
  runCell,
  tally,
  type CellResult,
  type Intensity,
  type MatrixCell,
  type MatrixOptions,
} from './matrix';

const USAGE = `npm run faults [-- options]

Vends the sample application once per cell on a fresh sandbox, with one fault armed on one AWS
operation the workflow calls, and checks the organization afterwards. Exits 1 when a cell fails.

  --quick                   the CI subset: mutating operations only, transient faults only
  --only Service:Operation  one row, e.g. --only organizations:CreateAccount (repeatable)
  --intensity NAME          transient or outage (default both)
  --strict-transient        a transient fault that needed recovery counts as a failure
  --no-pin                  spread each fault over every account instead of the first caller's
  --jobs N                  cells run at once, each in its own process (default 2)
  --cell-timeout SECONDS    wall time after which a cell fails as hung (default 300)
  --json FILE               also write every cell's result as JSON
  --request FILE            the request to vend (default events/application-request-access.json:
                            Identity Center grants and alternate contacts, so GrantAccess is in)
  --no-change               leave out the change rows: the calls only a changed request makes
                            (the request without its last access grant and contact type, vended
                            after a clean vend of the request: DeleteAccountAssignment and the like)
  --no-build                (to scripts/faults.mjs) skip the build when dist/ is current
`;

/** The repository root: the runner is bundled elsewhere, so paths come from here. */
const ROOT = process.env.APPVEND_FAULTS_ROOT ?? process.cwd();
const TEMPLATES_DIR = join(ROOT, 'dist/stacksets');

/** What a worker needs to run cells like the parent would. */
interface WorkerOptions {
  request: unknown;
  pinAccount: boolean;
  strictTransient: boolean;
}

const newWorld: NonNullable<MatrixOptions['world']> = () => {
  const world = sandboxWorld();
  // sandboxWorld finds the templates relative to its own source file, which the bundle moves.
  process.env.APPVEND_TEMPLATES_DIR = TEMPLATES_DIR;
  return world;
};

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      only: { type: 'string', multiple: true },
      intensity: { type: 'string' },
      'strict-transient': { type: 'boolean', default: false },
      'no-pin': { type: 'boolean', default: false },
      jobs: { type: 'string', default: '2' },
      'cell-timeout': { type: 'string', default: '300' },
      json: { type: 'string' },
      request: { type: 'string', default: join(ROOT, 'events/application-request-access.json') },
      'no-change': { type: 'boolean', default: false },
      worker: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  if (values.worker !== undefined) return worker(JSON.parse(values.worker) as WorkerOptions);

  const jobs = Number(values.jobs);
  const cellTimeout = Number(values['cell-timeout']);
  const problems = [
    values.intensity !== undefined && !INTENSITIES.includes(values.intensity as Intensity)
      ? `--intensity must be one of ${INTENSITIES.join(', ')}`
      : '',
    Number.isInteger(jobs) && jobs >= 1 ? '' : '--jobs must be a positive integer',
    cellTimeout > 0 ? '' : '--cell-timeout must be a positive number of seconds',
  ].filter(Boolean);
  if (problems.length > 0) {
    process.stderr.write(`${problems.join('\n')}\n`);
    return 2;
  }

  const request = JSON.parse(readFileSync(values.request, 'utf8')) as unknown;
  const only = (values.only ?? []).map((o) => o.toLowerCase());
  const intensities: readonly Intensity[] = values.quick
    ? ['transient']
    : values.intensity
      ? [values.intensity as Intensity]
      : INTENSITIES;

  const started = performance.now();
  const allOperations = await discoverOperations(request, newWorld);
  const operations = allOperations.filter(
    (op) =>
      (only.length === 0 || only.includes(operationLabel(op).toLowerCase())) &&
      (!values.quick || op.mutating),
  );
  // The change rows: what only a changed request calls (removing the access appvend made that the
  // request dropped), each vended after a clean vend of the request itself.
  const changed = values['no-change'] ? undefined : accessDropped(request);
  const changeOperations = changed
    ? (await discoverChangeOperations(request, changed, allOperations, newWorld)).filter(
        (op) =>
          (only.length === 0 || only.includes(operationLabel(op).toLowerCase())) &&
          (!values.quick || op.mutating),
      )
    : [];
  const cells = [
    ...matrixCells(operations, { intensities }),
    ...(changed
      ? matrixCells(changeOperations, { intensities, change: { before: request, after: changed } })
      : []),
  ];
  if (cells.length === 0) {
    process.stderr.write(`no operation matched ${values.only?.join(', ') ?? 'the selection'}\n`);
    return 2;
  }
  const rows = operations.length + changeOperations.length;
  process.stderr.write(
    `${rows} operations (${changeOperations.length} of them of a change) × ${cells.length / rows} faults = ` +
      `${cells.length} cells, ${Math.min(jobs, cells.length)} at a time\n`,
  );
  const results = await runInWorkers(
    cells,
    { request, pinAccount: !values['no-pin'], strictTransient: values['strict-transient'] },
    { jobs, cellTimeoutMs: cellTimeout * 1000 },
  );
  const seconds = (performance.now() - started) / 1000;

  process.stdout.write(`${renderTable(results)}\n\n`);
  for (const result of results.filter((r) => r.outcome !== 'passed')) {
    process.stdout.write(`${result.outcome.toUpperCase()} ${describeCell(result)}\n`);
  }
  const needed = results.filter((r) => r.intensity === 'transient' && r.recovered && r.outcome === 'passed');
  for (const result of needed) process.stdout.write(`RECOVERED (transient) ${describeCell(result)}\n`);
  if (values.json) writeFileSync(values.json, `${JSON.stringify(results, null, 2)}\n`);

  const { size, passed, failed, unfired, recovered } = tally(results);
  process.stdout.write(
    `\nmatrix size ${size}, passed ${passed}, failed ${failed}, unfired ${unfired}` +
      ` (${recovered} of the passed needed recovery; ${seconds.toFixed(1)} s, ${jobs} job(s))\n`,
  );
  return failed > 0 ? 1 : 0;
}

/**
 * Hands the cells out one at a time to `jobs` worker processes. Most of a cell's wall time is the
 * SDK's real backoff sleeping between throttled attempts, so processes overlap well even on two
 * cores; a process per worker also gives each cell the process-wide AWS settings to itself, and a
 * cell that hangs can be killed without stopping the run.
 */
async function runInWorkers(
  cells: MatrixCell[],
  options: WorkerOptions,
  { jobs, cellTimeoutMs }: { jobs: number; cellTimeoutMs: number },
): Promise<CellResult[]> {
  const results: CellResult[] = new Array<CellResult>(cells.length);
  let nextCell = 0;
  let done = 0;

  const report = (index: number, result: CellResult) => {
    results[index] = result;
    done += 1;
    const mark = result.outcome === 'passed' ? (result.recovered ? 'recovered' : 'ok') : result.outcome;
    process.stderr.write(
      `[${String(done).padStart(String(cells.length).length)}/${cells.length}] ${operationLabel(result)} ` +
        `${result.kind}/${result.intensity}: ${mark} (${result.wallMs} ms)\n`,
    );
  };

  const lane = async (): Promise<void> => {
    while (nextCell < cells.length) {
      const worker = new Worker(options);
      // A worker runs cells until it is out of work, or until one hangs and it is killed.
      while (nextCell < cells.length) {
        const index = nextCell++;
        const cell = cells[index]!;
        const result = await worker.run(cell, cellTimeoutMs);
        report(index, result ?? hung(cell, cellTimeoutMs));
        if (!result) break;
      }
      worker.close();
    }
  };
  await Promise.all(Array.from({ length: Math.min(jobs, cells.length) }, lane));
  return results;
}

/** Marks a worker's result lines, so that anything else a cell prints cannot be mistaken for one. */
const RESULT_PREFIX = '@@fault-cell ';

/** A worker process: one cell at a time, over its stdin and stdout. */
class Worker {
  private readonly child: ChildProcessWithoutNullStreams;
  private waiting?: (result: CellResult | undefined) => void;
  private stderr = '';

  public constructor(options: WorkerOptions) {
    const script = process.argv[1];
    if (!script) throw new Error('Cannot tell which script to run the workers with');
    this.child = spawn(process.execPath, [script, '--worker', JSON.stringify(options)], {
      env: process.env,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    createInterface({ input: this.child.stdout }).on('line', (line) => {
      if (line.startsWith(RESULT_PREFIX))
        this.answer(JSON.parse(line.slice(RESULT_PREFIX.length)) as CellResult);
      else process.stderr.write(`${line}\n`);
    });
    // Only the end is worth showing when a worker dies.
    this.child.stderr.on(
      'data',
      (chunk: Buffer) => (this.stderr = (this.stderr + chunk.toString()).slice(-2000)),
    );
    this.child.once('exit', () => this.answer(undefined));
  }

  /** The cell's result; undefined when the worker hung past the timeout (it is then killed) or died. */
  public run(cell: MatrixCell, timeoutMs: number): Promise<CellResult | undefined> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.answer(undefined), timeoutMs);
      this.waiting = (result) => {
        clearTimeout(timer);
        if (!result) {
          this.child.kill('SIGKILL');
          const tail = this.stderr.trim().split('\n').slice(-3).join(' | ');
          if (tail) process.stderr.write(`worker: ${tail}\n`);
        }
        resolve(result);
      };
      this.child.stdin.write(`${JSON.stringify(cell)}\n`);
    });
  }

  public close(): void {
    this.child.stdin.end();
  }

  private answer(result: CellResult | undefined): void {
    const waiting = this.waiting;
    this.waiting = undefined;
    waiting?.(result);
  }
}

/** The result of a cell whose worker did not answer: a failure, since nothing was checked. */
function hung(cell: MatrixCell, timeoutMs: number): CellResult {
  const run = { status: 'ERROR' as const, message: `no answer within ${timeoutMs / 1000} s` };
  return {
    service: cell.operation.service,
    operation: cell.operation.operation,
    mutating: cell.operation.mutating,
    kind: cell.kind,
    intensity: cell.intensity,
    outcome: 'failed',
    recovered: false,
    fired: 0,
    times: INTENSITY_TIMES[cell.intensity],
    firstRun: run,
    reasons: [`the cell hung or its process died: ${run.message}`],
    wallMs: timeoutMs,
  };
}

/** Worker mode: a cell per line on stdin, its result as a line on stdout, until stdin ends. */
async function worker(options: WorkerOptions): Promise<number> {
  for await (const line of createInterface({ input: process.stdin })) {
    if (!line.trim()) continue;
    const result = await runCell(JSON.parse(line) as MatrixCell, options.request, {
      world: newWorld,
      pinAccount: options.pinAccount,
      strictTransient: options.strictTransient,
    });
    process.stdout.write(`${RESULT_PREFIX}${JSON.stringify(result)}\n`);
  }
  return 0;
}

function describeCell(result: CellResult): string {
  const head = `${operationLabel(result)} ${result.kind}/${result.intensity} (fired ${result.fired}/${result.times})`;
  const lines = [`${head}: first vend ${describeRun(result.firstRun)}`];
  if (result.recoveryRun) lines.push(`  recovery ${describeRun(result.recoveryRun)}`);
  for (const reason of result.reasons) lines.push(`  - ${reason}`);
  return lines.join('\n');
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(2);
  },
);
