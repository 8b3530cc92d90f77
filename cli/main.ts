import { writeFileSync } from 'node:fs';
import { formatAccess } from './access';
import { awsClients } from '../shared/aws/client-factory';
import { validateRequest, formatProblem } from '../shared/request/validate';
import { LedgerConflictError } from '../shared/ledger/ledger';
import { mayAct, notOwnerMessage } from '../shared/ledger/record';
import type { ApplicationRequest } from '../shared/request/schema';
import { StepFunctionsProgress } from '../shared/workflow/current-step';
import { closeOpenedBackends, openChosenBackend, type Backend, type BackendKind } from './backends';
import { colourEnabled, painter } from './colour';
import { COMMANDS, commandUsage, parseCommand, usage, version } from './commands';
import { readDefinition } from './definitions';
import { formatDuration } from './format';
import { UsageError, latencyOption, readRequest } from './args';
import { collectVendReport, renderVendReport } from './report';
import { textTimeline } from './timeline';
import { formatApplication, formatApplicationList } from './status';
import { runVend, type ProgressSink, type VendRun } from './vend';
import { executionInput } from '../shared/workflow/resume';

function printProblems(path: string, problems: { field: string; message: string }[]): void {
  for (const problem of problems) process.stderr.write(`${path}: ${formatProblem(problem)}\n`);
}

function validateCommand(args: string[]): number {
  const { positionals } = parseCommand('validate', args);
  const path = positionals[0];
  const result = validateRequest(readRequest(path));
  if (!result.valid) {
    printProblems(path!, result.problems);
    return 1;
  }
  const stages = ['tooling', ...result.request.stages].join(', ');
  process.stdout.write(`${path}: valid — application ${result.request.name}, accounts: ${stages}\n`);
  return 0;
}

/** The progress lines on stderr: a step started (▶), done (✔) or failed (✗), and heartbeats. */
function stderrProgress(): ProgressSink {
  const paint = painter(colourEnabled(process.stderr));
  const line = (at: number, start: number, text: string) =>
    process.stderr.write(`${paint('dim', `[+${formatDuration(at - start).padEnd(6)}]`)} ${text}\n`);
  return {
    stepStarted: (step, at, start) => line(at, start, `▶ ${step}`),
    stepEnded: (step, at, start, took, failed) =>
      line(
        at,
        start,
        `${failed ? paint('red', '✗') : paint('green', '✔')} ${step} (${failed ? 'failed after ' : ''}${formatDuration(took)})`,
      ),
    milestone: (text, at, start) => line(at, start, `  · ${text}`),
    waiting: (text, at, start) => line(at, start, paint('yellow', `  … ${text}`)),
  };
}

async function vendCommand(args: string[]): Promise<number> {
  const { values, positionals, kind } = parseCommand('vend', args);
  const latency = latencyOption(values.latency as string[] | undefined, kind!);

  const path = positionals[0];
  const request = readRequest(path);
  // Validate before touching any backend: a bad request changes nothing anywhere.
  const validation = validateRequest(request);
  if (!validation.valid) {
    printProblems(path!, validation.problems);
    return 1;
  }

  const backend = await openChosenBackend(kind!, values, { fresh: values.fresh === true, latency }, 'vend');
  return vendThroughLedger({
    backend,
    kind: kind!,
    values: { ...values, report: values.report as string | undefined },
    request: validation.request,
  });
}

interface VendContext {
  backend: Backend;
  kind: BackendKind;
  values: { endpoint?: string; json?: boolean; report?: string };
  request: ApplicationRequest;
}

/**
 * Submits the request to the ledger and runs what it decides: nothing (already vended), a new vend,
 * or the next attempt of a failed one, which continues at the step that failed.
 */
async function vendThroughLedger({ backend, kind, values, request }: VendContext): Promise<number> {
  const definition = readDefinition('state-machine.asl.json');
  const { name } = request;
  process.stderr.write(
    `appvend: vending ${name} on ${kind === 'endpoint' ? values.endpoint : kind}` +
      ` (management account ${backend.managementAccountId})\n`,
  );
  const wallStart = Date.now();
  // Through the ledger, like every front door: the same request again is the same vend.
  let submission;
  try {
    submission = await backend.ledger.submit(request, backend.actor);
  } catch (error) {
    if (error instanceof LedgerConflictError) {
      process.stderr.write(`appvend: refused: ${error.message}
`);
      return 1;
    }
    throw error;
  }
  const { record } = submission;
  if (submission.outcome === 'existing' && record.status === 'SUCCEEDED' && record.summary) {
    process.stderr.write(
      `appvend: ${record.name} is already vended by this request (${record.requestId}, ${record.updatedAt}); nothing to do\n`,
    );
    if (values.report) {
      // Nothing ran: the report shows the organization as it is and AWS's own record of the
      // application's account requests and stack set operations.
      const existing: VendRun = {
        summary: record.summary,
        startedAt: Number.NEGATIVE_INFINITY,
        endedAt: backend.clock.now(),
        steps: [],
        milestones: [],
        tasks: [],
        transitions: 0,
        transitionsByState: {},
      };
      await writeReport(
        existing,
        { kind, values, request },
        `Already vended by request ${record.requestId} (${record.updatedAt}); this run changed nothing. The timeline shows AWS's record of the application's account requests and stack set operations.`,
      );
    }
    process.stdout.write(
      values.json ? `${JSON.stringify(record.summary, null, 2)}\n` : `${formatApplication(record)}\n`,
    );
    return 0;
  }
  // A new request, a changed one, a retry after a failure, or a local run that was interrupted.
  if (record.resume) {
    process.stderr.write(
      `appvend: attempt ${record.attempt} continues at ${record.resume.step}, where attempt ${record.attempt - 1} failed\n`,
    );
  }
  await backend.ledger.markStarted(record.name, record.requestId, localExecutionArn(record.executionName));
  let run;
  try {
    run = await runVend({
      input: executionInput(record),
      definition,
      clock: backend.clock,
      progress: stderrProgress(),
      executionName: record.executionName,
    });
  } finally {
    backend.save();
  }
  const { summary } = run;
  if (values.report) await writeReport(run, { kind, values, request });
  if (values.json) {
    process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
  } else {
    process.stdout.write(textTimeline(run));
    process.stdout.write(formatAccess(summary));
  }
  process.stderr.write(
    `appvend: ${summary.status} in ${formatDuration(run.endedAt - run.startedAt)} of AWS time ` +
      `(${((Date.now() - wallStart) / 1000).toFixed(1)} s here)\n`,
  );
  return summary.status === 'SUCCEEDED' ? 0 : 1;
}

/** Writes `--report`; a report that cannot be written is said, and does not change the exit code. */
async function writeReport(
  run: VendRun,
  { kind, values, request }: Pick<VendContext, 'kind' | 'values' | 'request'>,
  note?: string,
): Promise<void> {
  const backendName =
    kind === 'sandbox' ? 'the sandbox (virtual clock)' : kind === 'aws' ? 'AWS' : `${values.endpoint}`;
  try {
    const data = await collectVendReport(run, awsClients(), {
      backend: backendName,
      profile: request.profile,
      ...(note !== undefined && { note }),
    });
    writeFileSync(values.report!, renderVendReport(data));
    process.stderr.write(`appvend: report written to ${values.report}\n`);
  } catch (error) {
    process.stderr.write(`appvend: could not write the report: ${(error as Error).message}\n`);
  }
}

async function resumeCommand(args: string[]): Promise<number> {
  const parsed = parseCommand('resume', args);
  const kind = parsed.kind!;
  const values = { ...parsed.values, report: parsed.values.report as string | undefined };
  const name = parsed.positionals[0]!;
  const backend = await openChosenBackend(
    kind,
    values,
    { latency: latencyOption(parsed.values.latency as string[] | undefined, kind) },
    'resume',
  );
  const record = await backend.ledger.get(name);
  if (!record) {
    process.stderr.write(`appvend: no application named ${name}\n`);
    return 1;
  }
  if (!mayAct(record, backend.actor)) {
    process.stderr.write(`appvend: refused: ${notOwnerMessage(record, backend.actor)}\n`);
    return 1;
  }
  if (record.status === 'SUCCEEDED') {
    process.stderr.write(`appvend: ${name} is vended (${record.requestId}); nothing to resume\n`);
    process.stdout.write(
      values.json ? `${JSON.stringify(record.summary, null, 2)}\n` : `${formatApplication(record)}\n`,
    );
    return 0;
  }
  // On AWS a vend in progress is running in Step Functions; locally it is one that was interrupted.
  if (record.status !== 'FAILED' && kind === 'aws') {
    process.stderr.write(
      `appvend: ${name} is being vended (${record.status}, ${record.executionArn ?? record.executionName}); nothing to resume\n`,
    );
    return 1;
  }
  return vendThroughLedger({
    backend,
    kind,
    values,
    request: record.request,
  });
}

/** Local runs have no Step Functions: the execution is named like the deployed one would be. */
const localExecutionArn = (name: string) => `local:execution:appvend-vend:${name}`;

async function statusCommand(args: string[]): Promise<number> {
  const { values, positionals, kind } = parseCommand('status', args);
  const backend = await openChosenBackend(kind!, values, {}, 'status');
  const name = positionals[0];
  if (name) {
    let record = await backend.ledger.get(name);
    // Another's application reads as an unknown one, as on the portal.
    if (!record || !mayAct(record, backend.actor)) {
      process.stderr.write(`appvend: no application named ${name}\n`);
      return 1;
    }
    // On AWS a running vend's step comes from its execution (local runs have ended by now).
    if (kind === 'aws' && record.status === 'IN_PROGRESS' && record.executionArn?.startsWith('arn:')) {
      const step = await new StepFunctionsProgress().currentStep(record.executionArn).catch(() => undefined);
      if (step) record = { ...record, step };
    }
    process.stdout.write(
      values.json ? `${JSON.stringify(record, null, 2)}\n` : `${formatApplication(record)}\n`,
    );
    return 0;
  }
  const records = (await backend.ledger.all()).filter((record) => mayAct(record, backend.actor));
  process.stdout.write(
    values.json ? `${JSON.stringify(records, null, 2)}\n` : `${formatApplicationList(records)}\n`,
  );
  return 0;
}

/**
 * Runs the CLI; resolves to the process exit code. A command is an entry in COMMANDS
 * (cli/commands.ts: its help, positionals and options) and a line in the dispatch below.
 */
export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    if (command === '--version' || command === '-V' || command === 'version') {
      if (rest.length > 0) throw new UsageError(`unexpected argument "${rest[0]}": --version takes none`);
      process.stdout.write(`appvend ${version()}\n`);
      return 0;
    }
    if (command === undefined || command === '--help' || command === '-h') {
      process.stdout.write(usage());
      return 0;
    }
    if (command === 'help') {
      if (rest.length > 1) throw new UsageError(`unexpected argument "${rest[1]}": help takes one command`);
      const topic = rest[0];
      if (topic === undefined) {
        process.stdout.write(usage());
        return 0;
      }
      const text = commandUsage(topic);
      if (!text)
        throw new UsageError(`unknown command "${topic}" (commands: ${Object.keys(COMMANDS).join(', ')})`);
      process.stdout.write(text);
      return 0;
    }
    // Only the command's own help: before any other argument is looked at.
    if (COMMANDS[command] && (rest.includes('--help') || rest.includes('-h'))) {
      process.stdout.write(commandUsage(command)!);
      return 0;
    }
    if (command === 'validate') return validateCommand(rest);
    if (command === 'vend') return await vendCommand(rest);
    if (command === 'status') return await statusCommand(rest);
    if (command === 'resume') return await resumeCommand(rest);
    if (command === 'reconcile') return await (await import('./reconcile')).reconcileCommand(rest);
    if (command === 'plan') return await (await import('./plan')).planCommand(rest);
    if (command === 'offboard') return await (await import('./offboard')).offboardCommand(rest);
    if (command === 'doctor') return await (await import('./doctor')).doctorCommand(rest);
    throw new UsageError(`unknown command "${command}"`);
  } catch (error) {
    if (error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      const help = command && COMMANDS[command] ? `appvend ${command} --help` : 'appvend --help';
      process.stderr.write(`appvend: ${(error as Error).message}\nRun "${help}" for usage.\n`);
      return 2;
    }
    process.stderr.write(`appvend: ${(error as Error).message}\n`);
    return 1;
  } finally {
    // Every backend the command opened is closed, its state directory's lock released.
    closeOpenedBackends();
  }
}
