import { writeFileSync } from 'node:fs';
import { formatAccess } from './access';
import { parseArgs } from 'node:util';
import { awsClients } from '../shared/aws/client-factory';
import { validateRequest, formatProblem } from '../shared/request/validate';
import { LedgerConflictError } from '../shared/ledger/ledger';
import { mayAct, notOwnerMessage } from '../shared/ledger/record';
import type { ApplicationRequest } from '../shared/request/schema';
import { StepFunctionsProgress } from '../shared/workflow/current-step';
import { openChosenBackend, type Backend, type BackendKind } from './backends';
import { readDefinition } from './definitions';
import { formatDuration } from './format';
import { UsageError, backendKind, latencyOption, parseBackendCommand, readRequest } from './args';
import { collectVendReport, renderVendReport } from './report';
import { textTimeline } from './timeline';
import { formatApplication, formatApplicationList } from './status';
import { runVend, type ProgressSink } from './vend';
import { executionInput } from '../shared/workflow/resume';

const USAGE = `appvend — vend an application's AWS environment: OU, SCP, accounts, pipeline, guardrails.

Usage:
  appvend validate <request.json>
      Check a request. Exit 0 when valid; otherwise exit 1 and one line per problem
      ("field: rule"). Makes no AWS call.

  appvend vend <request.json> [--sandbox | --endpoint URL | --aws] [options]
      Run the vend workflow (the same state machine as the deployed service, run locally).
      --sandbox        the in-process sandbox organization (default); kept in --state between runs
      --endpoint URL   any AWS-compatible endpoint (moto server, LocalStack)
      --aws            real AWS, with the normal credential chain, in the organization's management account
      --json           print one JSON summary on stdout (progress goes to stderr)
      --state FILE     sandbox state file (default: .appvend/sandbox.json)
      --fresh          start the sandbox from an empty organization
      --region REGION  region for stack instances and Config (default: $AWS_REGION or us-east-1);
                       a Region that is not an AWS commercial Region, or an opt-in Region (launched
                       after 20 March 2019), is refused before any AWS call
      --report FILE    write a Markdown report: Gantt chart of the steps on the clock, the OU tree
                       with the accounts, the stack instances and their status, the guardrails
      --latency NAME=FIGURE[,NAME=FIGURE]
                       sandbox only: override its latency model, e.g. createAccount=10m
                       (docs/latency-model.md lists the names and defaults)
      Exit 0 only when the vend succeeded. The request is validated before any AWS call.
      Requests go through the ledger (a file beside --state on the sandbox, the appvend-ledger
      table elsewhere): the same request again after it succeeded is a no-op that prints the
      result; a changed one re-vends; a change while a vend runs, or an application the caller
      does not own, is refused (exit 1). The caller is who STS says runs the command
      (GetCallerIdentity; an assumed-role session counts as its role).

  appvend plan <request.json> [--sandbox | --endpoint URL | --aws] [--json] [--state FILE] [--region R]
      What a vend of the request would do, compared with the organization as it is, step by step:
      OU and SCP to create, update (with the policy's diff), attach or keep; accounts to create,
      adopt (found by email outside the OU: moved in) or keep; stack sets and instances to create,
      update (template digest, parameters) or keep; Config guardrails in each account. Ends with a
      count line ("plan: 7 to create, 1 to update, 3 to keep"); --json prints the plan as JSON.
      Makes only read calls. Exit 0 when nothing would stop the vend, 1 for an invalid request
      (as validate) or when something would stop the vend.

  appvend resume <name> [--sandbox | --endpoint URL | --aws] [--json] [--state FILE] [--report FILE]
                 [--latency NAME=FIGURE]
      Continue a failed vend at the step that failed, with what the earlier steps made (kept in
      the ledger); a local vend that was interrupted runs again. Sending the same request again
      (vend, the API, the event, Service Catalog) does the same. A vended application is left
      as it is (exit 0); one being vended on AWS is refused (exit 1).

  appvend reconcile <name> | --all [--apply] [--sandbox | --endpoint URL | --aws] [--json] [--state FILE]
      Compare each vended application with its request, as a plan of the recorded request would
      (read calls only), and report the drift: an account moved out of the OU, the SCP edited or
      detached, a stack set or instance changed or deleted, a guardrail removed. --apply brings it
      back in line through the vend's own steps (a new attempt of the same request). Drift found
      is announced as "Application Drift Detected", a fix as "Application Drift Fixed". Exit 0
      when everything is, or is brought back, in line; 1 otherwise.

  appvend offboard <name> --confirm <name> [--close-accounts] [--sandbox | --endpoint URL | --aws]
                   [--json] [--state FILE]
      Remove what the vend made, checking tags first (only what carries appvend:application=<name>
      is removed): stack instances and stack sets, the SCP (detached, deleted), the OU once empty;
      move the accounts to the suspended OU (APPVEND_SUSPENDED_OU_ID, required) and, with
      --close-accounts, close the ones appvend created, unless that would exceed the closure quota
      (APPVEND_CLOSURE_SHARE of the member accounts per 30 days, default 0.1): then none is closed
      and the numbers are named. --confirm must repeat the name, or nothing is done. The ledger
      keeps the application, OFFBOARDED, with the history. Exit 0 when offboarded (now or before).

  appvend status [name] [--sandbox | --endpoint URL | --aws] [--json] [--state FILE]
      What the ledger holds: one line per application, or one application in full (status, step,
      request id, execution, ids vended so far, error). Only the applications the caller owns or
      manages, unless it is a platform administrator.

  appvend help [command]   this text

Environment (optional): APPVEND_PARENT_OU_ID (parent of application OUs, default the root),
APPVEND_SCP_SIZE_QUOTA (default 5120), APPVEND_SCP_ATTACHMENT_QUOTA (default 5),
APPVEND_ACCOUNT_QUOTA (the organization's account quota plan checks, default 10),
APPVEND_MEMBER_ROLE (default OrganizationAccountAccessRole), APPVEND_NOTIFICATION_TOPIC_ARN,
APPVEND_CONFIG_BUCKET, APPVEND_PLATFORM_ADMINS (comma-separated IAM role ARNs that may act on
every application; everyone else acts only on the applications it owns or manages).
`;

function printProblems(path: string, problems: { field: string; message: string }[]): void {
  for (const problem of problems) process.stderr.write(`${path}: ${formatProblem(problem)}\n`);
}

function validateCommand(args: string[]): number {
  const { positionals } = parseArgs({ args, allowPositionals: true, strict: true, options: {} });
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

const stderrProgress: ProgressSink = {
  stepStarted: (step, at, start) =>
    process.stderr.write(`[+${formatDuration(at - start).padEnd(6)}] ▶ ${step}\n`),
  stepEnded: (step, at, start, took) =>
    process.stderr.write(`[+${formatDuration(at - start).padEnd(6)}] ✔ ${step} (${formatDuration(took)})\n`),
  milestone: (text, at, start) =>
    process.stderr.write(`[+${formatDuration(at - start).padEnd(6)}]   · ${text}\n`),
};

async function vendCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseBackendCommand(args, {
    fresh: { type: 'boolean' },
    report: { type: 'string' },
    latency: { type: 'string', multiple: true },
  });
  const kind = backendKind(values);
  const latency = latencyOption(values.latency, kind);

  const path = positionals[0];
  const request = readRequest(path);
  // Validate before touching any backend: a bad request changes nothing anywhere.
  const validation = validateRequest(request);
  if (!validation.valid) {
    printProblems(path!, validation.problems);
    return 1;
  }

  const backend = await openChosenBackend(kind, values, { fresh: values.fresh, latency });
  return vendThroughLedger({ backend, kind, values, request: validation.request });
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
      progress: stderrProgress,
    });
  } finally {
    backend.save();
  }
  const { summary } = run;
  if (values.report) {
    const backendName =
      kind === 'sandbox' ? 'the sandbox (virtual clock)' : kind === 'aws' ? 'AWS' : `${values.endpoint}`;
    try {
      const data = await collectVendReport(run, awsClients(), {
        backend: backendName,
        profile: request.profile,
      });
      writeFileSync(values.report, renderVendReport(data));
      process.stderr.write(`appvend: report written to ${values.report}\n`);
    } catch (error) {
      process.stderr.write(`appvend: could not write the report: ${(error as Error).message}\n`);
    }
  }
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

async function resumeCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseBackendCommand(args, {
    report: { type: 'string' },
    latency: { type: 'string', multiple: true },
  });
  const name = positionals[0];
  if (!name) throw new UsageError('missing <name>');
  const kind = backendKind(values);
  const backend = await openChosenBackend(kind, values, { latency: latencyOption(values.latency, kind) });
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
  const { values, positionals } = parseBackendCommand(args, {});
  const kind = backendKind(values);
  const backend = await openChosenBackend(kind, values);
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

/** Runs the CLI; resolves to the process exit code. */
export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    if (command === undefined || command === 'help' || command === '--help' || command === '-h') {
      process.stdout.write(USAGE);
      return 0;
    }
    if (rest.includes('--help') || rest.includes('-h')) {
      process.stdout.write(USAGE);
      return 0;
    }
    if (command === 'validate') return validateCommand(rest);
    if (command === 'vend') return await vendCommand(rest);
    if (command === 'status') return await statusCommand(rest);
    if (command === 'resume') return await resumeCommand(rest);
    if (command === 'reconcile') return await (await import('./reconcile')).reconcileCommand(rest);
    if (command === 'plan') return await (await import('./plan')).planCommand(rest);
    if (command === 'offboard') return await (await import('./offboard')).offboardCommand(rest);
    throw new UsageError(`unknown command "${command}"`);
  } catch (error) {
    if (error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`appvend: ${(error as Error).message}\nRun "appvend --help" for usage.\n`);
      return 2;
    }
    process.stderr.write(`appvend: ${(error as Error).message}\n`);
    return 1;
  }
}
