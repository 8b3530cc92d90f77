import type { GuardrailRemoval } from '../shared/aws/config-guardrails';
import type { Clock } from '../shared/clock/clock';
import { LedgerConflictError, UnknownApplicationError } from '../shared/ledger/ledger';
import { mayAct, type ApplicationRecord } from '../shared/ledger/record';
import { awsClients } from '../shared/aws/client-factory';
import { OrganizationSetupError } from '../shared/errors';
import { checkSuspendedOu } from '../shared/workflow/offboard/prepare';
import { OFFBOARD_STEPS } from '../shared/workflow/offboard/top-level-steps';
import type { OffboardSummary, StackSetRemoval } from '../shared/workflow/offboard/types';
import { UsageError } from './args';
import { parseCommand } from './commands';
import { openChosenBackend } from './backends';
import { readDefinition } from './definitions';
import { formatDuration } from './format';
import { LOCAL_HANDLERS } from './handlers';
import { runLocally, type TaskEvent } from './local-runner';

/** Where an offboarding run prints its progress (stderr in the CLI, nothing in tests). */
export interface OffboardProgress {
  step(text: string, at: number): void;
}

export interface OffboardRun {
  summary: OffboardSummary;
  startedAt: number;
  endedAt: number;
}

const TOP_LEVEL = new Set<string>(OFFBOARD_STEPS);

function milestoneOf(event: TaskEvent): string | undefined {
  if (event.phase !== 'end') return undefined;
  if (event.function === 'appvend-remove-stack-set') {
    const removal = event.output as StackSetRemoval;
    if (removal.state === 'PREPARING') {
      return `stack set ${removal.name}: emptied ${removal.emptied ?? 0} object version(s) from its stacks' buckets, more to go`;
    }
    if (removal.state === 'RUNNING') {
      return `stack set ${removal.name}: deleting its instances in ${removal.accounts.length} account(s)`;
    }
    return `stack set ${removal.name} ${removal.outcome ?? 'done'}${removal.reason ? ` (${removal.reason})` : ''}`;
  }
  return undefined;
}

/**
 * Runs one offboarding through its state machine locally (the ASL `npm run build` writes), with the
 * in-process handlers. The summary comes from the workflow's own last step, on failure too.
 */
export async function runOffboarding(options: {
  application: string;
  executionName: string;
  definition: Record<string, unknown>;
  clock: Clock;
  progress?: OffboardProgress;
}): Promise<OffboardRun> {
  const { clock, progress } = options;
  const startedAt = clock.now();
  let failure: OffboardSummary | undefined;
  const failedSteps = new Set<string>();
  const result = runLocally(
    {
      definition: options.definition,
      handlers: LOCAL_HANDLERS,
      clock,
      executionName: options.executionName,
      onTask: (event) => {
        if (event.state === 'RecordOffboardingFailure' && event.phase === 'end') {
          failure = event.output as OffboardSummary;
        }
        const text = milestoneOf(event);
        if (text) progress?.step(`  · ${text}`, event.at - startedAt);
      },
      onState: (event) => {
        if (!TOP_LEVEL.has(event.state) || event.index !== undefined || event.phase === 'retried') return;
        if (event.phase === 'caught') {
          failedSteps.add(event.state);
          return;
        }
        const mark = event.phase === 'entered' ? '▶' : failedSteps.has(event.state) ? '✗' : '✔';
        progress?.step(`${mark} ${event.state}`, event.at - startedAt);
      },
    },
    { application: options.application, executionName: options.executionName },
  );
  try {
    return { summary: (await result) as OffboardSummary, startedAt, endedAt: clock.now() };
  } catch (error) {
    if (!failure) throw error;
    return { summary: failure, startedAt, endedAt: clock.now() };
  }
}

const describeRemoval = (removal: GuardrailRemoval | undefined): string =>
  !removal ? 'not looked at' : removal.outcome === 'kept' ? `kept (${removal.reason})` : removal.outcome;

/** The summary as lines a person reads. */
export function formatOffboardSummary(summary: OffboardSummary, suspendedOuId?: string): string {
  const lines = [`${summary.application}: ${summary.status}`];
  if (summary.error) lines.push(`  failed at ${summary.error.step}: ${summary.error.message}`);
  for (const account of summary.guardrails ?? []) {
    const what = account.skipped
      ? `left alone (${account.skipped})`
      : [
          `conformance pack ${describeRemoval(account.conformancePack)}`,
          `Config recorder ${describeRemoval(account.recorder)}`,
        ].join(', ');
    lines.push(`  guardrails in ${account.stage} ${account.id}: ${what}`);
  }
  for (const stackSet of summary.stackSets) {
    lines.push(
      `  stack set ${stackSet.name}: ${stackSet.outcome}${stackSet.reason ? ` (${stackSet.reason})` : ''}`,
    );
  }
  const scp = summary.serviceControlPolicy;
  if (scp) {
    const detached = scp.detachedFrom.length > 0 ? `, detached from ${scp.detachedFrom.join(', ')}` : '';
    lines.push(
      `  SCP ${scp.name}${scp.id ? ` ${scp.id}` : ''}: ${scp.outcome}${detached}${scp.reason ? ` (${scp.reason})` : ''}`,
    );
  }
  for (const account of summary.accounts) {
    const where =
      account.outcome === 'kept'
        ? `left alone (${account.reason ?? ''})`
        : `in the suspended OU${suspendedOuId ? ` ${suspendedOuId}` : ''}`;
    lines.push(`  account ${account.stage} ${account.id}: ${where}`);
  }
  const ou = summary.organizationalUnit;
  if (ou) lines.push(`  OU${ou.id ? ` ${ou.id}` : ''}: ${ou.outcome}${ou.reason ? ` (${ou.reason})` : ''}`);
  const closure = summary.closure;
  if (closure) {
    for (const account of closure.closed) lines.push(`  account ${account.stage} ${account.id}: closed`);
    for (const account of closure.alreadyClosed)
      lines.push(`  account ${account.stage} ${account.id}: already closed`);
    for (const account of closure.kept)
      lines.push(`  account ${account.stage} ${account.id}: not closed (${account.reason})`);
    const q = closure.quota;
    lines.push(
      `  closure quota: ${q.recentClosures} closure(s) in the last 30 days before these; quota ${q.quota} (${Number((q.share * 100).toFixed(2))}% of ${q.memberAccounts} member accounts)`,
    );
  } else if (summary.status === 'OFFBOARDED') {
    lines.push('  accounts not closed (use --close-accounts to close them)');
  }
  return `${lines.join('\n')}\n`;
}

/** What an earlier offboarding recorded, for a second `appvend offboard` that has nothing to do. */
function formatHistory(record: ApplicationRecord): string {
  const last = record.history?.at(-1);
  if (!last) return `${record.name}: ${record.status}\n`;
  const lines = [
    `${record.name}: OFFBOARDED at ${last.endedAt}`,
    `  stack sets deleted: ${last.stackSets.join(', ') || 'none'}`,
    `  SCP deleted: ${last.serviceControlPolicy ?? 'none'}`,
    `  OU deleted: ${last.organizationalUnit ?? 'none'}`,
    `  accounts in the suspended OU: ${
      Object.entries(last.suspendedAccounts)
        .map(([stage, id]) => `${stage} ${id}`)
        .join(', ') || 'none'
    }`,
    `  accounts closed: ${last.closedAccounts.map((a) => `${a.stage} ${a.id} (${a.closedAt})`).join(', ') || 'none'}`,
    ...last.kept.map((k) => `  kept ${k.resource}: ${k.reason}`),
  ];
  return `${lines.join('\n')}\n`;
}

/** Local runs have no Step Functions: the execution is named like the deployed one would be. */
const localExecutionArn = (name: string) => `local:execution:appvend-offboard:${name}`;

/**
 * `appvend offboard <name> --confirm <name> [--close-accounts]`: removes what the vend of the
 * application made (stack instances and stack sets, the SCP, the OU), moves its accounts to the
 * suspended OU (`APPVEND_SUSPENDED_OU_ID`) and, when asked, closes them within the closure quota.
 * Refused, before any AWS call, unless `--confirm` repeats the name. Exit 0 when the application
 * is offboarded (now or before), 1 when refused or failed, 2 for a usage error.
 */
export async function offboardCommand(args: string[]): Promise<number> {
  const parsed = parseCommand('offboard', args);
  const values = parsed.values as typeof parsed.values & { confirm?: string; 'close-accounts'?: boolean };
  const name = parsed.positionals[0]!;
  if (values.confirm === undefined) {
    throw new UsageError(
      `missing --confirm ${name}: offboarding removes the application's stack sets, SCP and OU`,
    );
  }
  // Checked before the backend is opened: a refusal makes no call anywhere.
  if (values.confirm !== name) {
    process.stderr.write(
      `appvend: refused: --confirm "${values.confirm}" does not match the application's name "${name}"; nothing was changed\n`,
    );
    return 1;
  }
  const kind = parsed.kind!;
  const closeAccounts = values['close-accounts'] ?? false;
  const backend = await openChosenBackend(kind, values, {}, 'offboard');
  process.stderr.write(
    `appvend: offboarding ${name} on ${kind === 'endpoint' ? values.endpoint : kind}` +
      ` (management account ${backend.managementAccountId})${closeAccounts ? ', closing its accounts' : ''}\n`,
  );

  // The configuration is checked before the ledger marks anything: a missing suspended OU
  // leaves the application as it was (a vend or resume still works), not OFFBOARDING.
  const current = await backend.ledger.get(name);
  if (current && mayAct(current, backend.actor) && current.status !== 'OFFBOARDED') {
    try {
      await checkSuspendedOu(
        awsClients(),
        process.env.APPVEND_SUSPENDED_OU_ID,
        current.ids?.organizationalUnit,
      );
    } catch (error) {
      if (!(error instanceof OrganizationSetupError)) throw error;
      process.stderr.write(`appvend: refused: ${error.message}; nothing was changed\n`);
      return 1;
    }
  }
  let start;
  try {
    // Locally, an offboarding still OFFBOARDING without a failure is one that was interrupted: run
    // it again. On AWS it is running in Step Functions: never start a second.
    start = await backend.ledger.beginOffboarding(name, {
      closeAccounts,
      restartRunning: kind !== 'aws',
      actor: backend.actor,
    });
  } catch (error) {
    if (error instanceof LedgerConflictError || error instanceof UnknownApplicationError) {
      process.stderr.write(`appvend: refused: ${error.message}\n`);
      return 1;
    }
    throw error;
  }
  if (start.outcome === 'running') {
    const running = start.record.offboarding;
    process.stderr.write(
      `appvend: refused: ${name} is being offboarded (${running?.executionArn ?? running?.executionName})\n`,
    );
    return 1;
  }
  if (start.outcome === 'offboarded') {
    process.stderr.write(`appvend: ${name} is already offboarded; nothing to do\n`);
    process.stdout.write(
      values.json ? `${JSON.stringify(start.record, null, 2)}\n` : formatHistory(start.record),
    );
    return 0;
  }
  const { executionName } = start.record.offboarding!;
  await backend.ledger.markOffboardingStarted(name, executionName, localExecutionArn(executionName));
  const definition = readDefinition('offboard-state-machine.asl.json');
  const wallStart = Date.now();
  let run;
  try {
    run = await runOffboarding({
      application: name,
      executionName,
      definition,
      clock: backend.clock,
      progress: {
        step: (text, at) => process.stderr.write(`[+${formatDuration(at).padEnd(6)}] ${text}\n`),
      },
    });
  } finally {
    backend.save();
  }
  const { summary } = run;
  process.stdout.write(
    values.json
      ? `${JSON.stringify(summary, null, 2)}\n`
      : formatOffboardSummary(summary, process.env.APPVEND_SUSPENDED_OU_ID),
  );
  process.stderr.write(
    `appvend: ${summary.status} in ${formatDuration(run.endedAt - run.startedAt)} of AWS time ` +
      `(${((Date.now() - wallStart) / 1000).toFixed(1)} s here)\n`,
  );
  return summary.status === 'OFFBOARDED' ? 0 : 1;
}
