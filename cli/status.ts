import type { ApplicationRecord } from '../shared/ledger/record';

/** One application as `appvend status <name>` prints it. */
export function formatApplication(record: ApplicationRecord): string {
  const lines = [
    `${record.name}: ${record.status}${record.step ? ` (step ${record.step})` : ''}`,
    `  owner      ${record.owner}`,
    `  owned by   ${[...(record.principals ?? ['platform administrators only (recorded before owners were)']), ...(record.request.managers ?? [])].join(', ')}`,
    `  request    ${record.requestId} (attempt ${record.attempt})`,
    `  requested  ${record.createdAt}`,
    `  updated    ${record.updatedAt}`,
  ];
  if (record.executionArn) lines.push(`  execution  ${record.executionArn}`);
  if (record.ids?.organizationalUnit) lines.push(`  OU         ${record.ids.organizationalUnit}`);
  if (record.ids?.serviceControlPolicy) lines.push(`  SCP        ${record.ids.serviceControlPolicy}`);
  for (const [stage, id] of Object.entries(record.ids?.accounts ?? {})) {
    lines.push(`  account    ${stage.padEnd(8)} ${id}`);
  }
  if (record.error) lines.push(`  error      at ${record.error.step}: ${record.error.message}`);
  const running = record.offboarding;
  if (running) {
    lines.push(
      `  offboard   ${running.executionArn ?? running.executionName} (attempt ${running.attempt}` +
        `${running.closeAccounts ? ', closing the accounts' : ''})`,
    );
    if (running.error) lines.push(`  error      at ${running.error.step}: ${running.error.message}`);
  }
  for (const entry of record.history ?? []) {
    const removed = [
      `${entry.stackSets.length} stack set(s)`,
      ...(entry.serviceControlPolicy ? [`SCP ${entry.serviceControlPolicy}`] : []),
      ...(entry.organizationalUnit ? [`OU ${entry.organizationalUnit}`] : []),
    ];
    lines.push(
      `  offboarded ${entry.endedAt}: removed ${removed.join(', ')}; ` +
        `${Object.keys(entry.suspendedAccounts).length} account(s) suspended, ${entry.closedAccounts.length} closed` +
        `${entry.kept.length > 0 ? `; ${entry.kept.length} kept` : ''}`,
    );
  }
  return lines.join('\n');
}

/** All applications, one line each, as `appvend status` prints them. */
export function formatApplicationList(records: ApplicationRecord[]): string {
  if (records.length === 0) return 'No applications yet.';
  const width = Math.max(...records.map((r) => r.name.length), 'NAME'.length);
  const header = `${'NAME'.padEnd(width)}  ${'STATUS'.padEnd(11)}  ${'UPDATED'.padEnd(24)}  OWNER`;
  return [
    header,
    ...records.map(
      (r) => `${r.name.padEnd(width)}  ${r.status.padEnd(11)}  ${r.updatedAt.padEnd(24)}  ${r.owner}`,
    ),
  ].join('\n');
}
