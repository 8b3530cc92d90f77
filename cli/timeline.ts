import { formatDuration } from './format';
import type { VendRun } from './vend';

const WIDTH = 40;

/** A compact text timeline of the vend's steps and what it made, for the end of `appvend vend`. */
export function textTimeline(run: VendRun): string {
  const total = Math.max(1, run.endedAt - run.startedAt);
  const lines: string[] = [];
  const { summary } = run;
  lines.push(`${summary.application}: ${summary.status} in ${formatDuration(run.endedAt - run.startedAt)}`);
  for (const step of run.steps) {
    const start = Math.floor(((step.startedAt - run.startedAt) / total) * WIDTH);
    const end = Math.max(
      start + 1,
      Math.ceil((((step.endedAt ?? run.endedAt) - run.startedAt) / total) * WIDTH),
    );
    const bar = ' '.repeat(start) + '█'.repeat(Math.min(WIDTH, end) - start);
    const took = formatDuration((step.endedAt ?? run.endedAt) - step.startedAt);
    lines.push(`  ${step.step.padEnd(27)} |${bar.padEnd(WIDTH)}| ${took}`);
  }
  if (summary.organizationalUnit) {
    lines.push(`  OU   ${summary.organizationalUnit.name} (${summary.organizationalUnit.id})`);
  }
  if (summary.serviceControlPolicy) {
    lines.push(`  SCP  ${summary.serviceControlPolicy.name} (${summary.serviceControlPolicy.id})`);
  }
  for (const [stage, account] of Object.entries(summary.accounts)) {
    lines.push(`  account ${stage.padEnd(8)} ${account.id}  ${account.email}`);
  }
  for (const stackSet of summary.stackSets) {
    lines.push(`  stack set ${stackSet.name}: ${stackSet.status} in ${stackSet.accounts.join(', ')}`);
  }
  if (summary.guardrails)
    lines.push(`  conformance pack ${summary.guardrails.conformancePack} in every account`);
  if (summary.error) lines.push(`  FAILED at ${summary.error.step}: ${summary.error.message}`);
  return `${lines.join('\n')}\n`;
}
