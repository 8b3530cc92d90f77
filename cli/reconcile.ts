import { awsClients } from '../shared/aws/client-factory';
import { mayAct, notOwnerMessage, type ApplicationRecord } from '../shared/ledger/record';
import { PlanEnv, planSettingsFrom } from '../shared/workflow/plan';
import { reconcileApplication, type ReconcileReport } from '../shared/workflow/reconcile';
import { readEnvironment } from '../shared/workflow/settings';
import { UsageError } from './args';
import { parseCommand } from './commands';
import { openChosenBackend } from './backends';
import { readDefinition } from './definitions';
import { LocalExecutionStarter } from './local-starter';

const MARK: Record<string, string> = { create: '+', update: '~', attach: '~', adopt: '>', remove: '-' };

function render(report: ReconcileReport & { result?: string }): string {
  const head: Record<ReconcileReport['outcome'], string> = {
    'in-line': 'in line with its request',
    drifted: `${report.drift.length} drifted (not fixed: run with --apply)`,
    fixing: `${report.drift.length} drifted; ${report.result ?? 'fix started'}`,
    skipped: `skipped: ${report.reason ?? ''}`,
    error: `could not be read: ${report.reason ?? ''}`,
  };
  const lines = [`${report.application}: ${head[report.outcome]}`];
  for (const item of report.drift) {
    lines.push(`  ${MARK[item.action] ?? '?'} ${item.subject}`);
    for (const detail of item.details) lines.push(`      ${detail}`);
  }
  return `${lines.join('\n')}\n`;
}

/**
 * `appvend reconcile [name | --all] [--apply]`: compares each vended application with its request
 * (a plan of the recorded request, read calls only), reports what drifted, and with `--apply`
 * brings it back in line through the vend's own idempotent steps (run locally, as `vend` does).
 * Exit 0 when everything is (or is brought back) in line; 1 otherwise.
 */
export async function reconcileCommand(args: string[]): Promise<number> {
  const parsed = parseCommand('reconcile', args);
  const values = parsed.values as typeof parsed.values & { all?: boolean; apply?: boolean };
  const kind = parsed.kind!;
  const name = parsed.positionals[0];
  if (!name && !values.all) throw new UsageError('name an application, or use --all');
  if (name && values.all) throw new UsageError('name an application or use --all, not both');
  const backend = await openChosenBackend(kind, values, {}, 'reconcile');
  let records: ApplicationRecord[];
  if (name) {
    const record = await backend.ledger.get(name);
    if (!record) {
      process.stderr.write(`appvend: no application named ${name}\n`);
      return 1;
    }
    // Reconcile reads and, with --apply, re-vends: only for the application's owners, managers
    // and platform administrators, as on every door.
    if (!mayAct(record, backend.actor)) {
      process.stderr.write(`appvend: ${notOwnerMessage(record, backend.actor)}\n`);
      return 1;
    }
    records = [record];
  } else {
    records = (await backend.ledger.all()).filter((record) => mayAct(record, backend.actor));
  }

  const definition = readDefinition('state-machine.asl.json');
  const starter = values.apply ? new LocalExecutionStarter({ definition, clock: backend.clock }) : undefined;
  const deps = {
    clients: awsClients(),
    ledger: backend.ledger,
    settings: planSettingsFrom(readEnvironment(PlanEnv), { memberReads: true }),
    eventBusName: process.env.APPVEND_EVENT_BUS_NAME ?? 'appvend',
    ...(starter && { starter }),
  };
  process.stderr.write(
    `appvend: reconciling ${name ?? `${records.length} application(s)`} on ` +
      `${kind === 'endpoint' ? values.endpoint : kind}${values.apply ? '' : ' (report only)'}\n`,
  );

  const reports: (ReconcileReport & { result?: string; fixed?: boolean })[] = [];
  try {
    for (const record of records) {
      const report: ReconcileReport & { result?: string; fixed?: boolean } = await reconcileApplication(
        deps,
        record,
      );
      // Locally the fix runs here: wait for it and say how it ended.
      if (report.executionName && starter) {
        const run = await starter.runs.get(report.executionName);
        report.fixed = run?.summary.status === 'SUCCEEDED';
        report.result = report.fixed
          ? 'fixed'
          : `the fix failed at ${run?.summary.error?.step ?? 'an unknown step'}: ${run?.summary.error?.message ?? ''}`;
      }
      reports.push(report);
    }
  } finally {
    backend.save();
  }

  process.stdout.write(values.json ? `${JSON.stringify(reports, null, 2)}\n` : reports.map(render).join(''));
  // A skipped application (failed, being vended or offboarded) is not known to be in line: with
  // --all as with a name, the run says so by its exit code, and the line above names the reason.
  const settled = (r: (typeof reports)[number]) =>
    r.outcome === 'in-line' || (r.outcome === 'fixing' && r.fixed === true);
  const skipped = reports.filter((r) => r.outcome === 'skipped');
  if (skipped.length > 0 && !values.json) {
    process.stderr.write(
      `appvend: ${skipped.length} application(s) skipped, not reconciled: ${skipped.map((r) => r.application).join(', ')}\n`,
    );
  }
  return reports.every(settled) ? 0 : 1;
}
