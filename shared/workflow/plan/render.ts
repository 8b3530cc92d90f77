import type { Plan, PlanAction, PlanStep } from './types';

/** The mark in front of each line, as in a diff: what is added, changed, moved in, or left. */
const MARK: Record<PlanAction, string> = {
  create: '+',
  update: '~',
  attach: '~',
  adopt: '>',
  remove: '-',
  keep: '=',
  unchecked: '?',
};

const where = (stage: string, accountId?: string): string =>
  accountId ? `${stage} ${accountId}` : `${stage} (new account)`;

/** What the step is about, and what changes, on one line; details on the lines below. */
export function describePlanStep(step: PlanStep): { subject: string; details: string[] } {
  switch (step.kind) {
    case 'organizational-unit':
      return {
        subject: `OU ${step.name}${step.id ? ` ${step.id}` : ''} under ${step.parentId}`,
        details: [],
      };
    case 'service-control-policy': {
      const what =
        step.action === 'attach'
          ? ': as wanted, but not attached to the OU'
          : step.action !== 'keep' && !step.attached
            ? ', then attach it to the OU'
            : '';
      return {
        subject: `SCP ${step.name}${step.id ? ` ${step.id}` : ''} (${step.size} characters)${what}`,
        details: step.diff ? step.diff.split('\n') : [],
      };
    }
    case 'account': {
      const moved = step.action === 'adopt' ? `: in ${step.parentId} now, will be moved into the OU` : '';
      return {
        subject: `account ${step.name}${step.id ? ` ${step.id}` : ''} <${step.email}>${moved}`,
        details: [],
      };
    }
    case 'stack-set': {
      const { current, wanted } = step.templateDigest;
      const details =
        step.action === 'update'
          ? [
              ...(current !== wanted ? [`template ${current ?? '(none)'} → ${wanted}`] : []),
              ...step.parameters.map(
                (p) => `${p.key}: ${p.current ?? '(not set)'} → ${p.wanted ?? '(not set)'}`,
              ),
            ]
          : [];
      return { subject: `stack set ${step.name} (template ${wanted})`, details };
    }
    case 'stack-instance':
      return {
        subject: `  instance in ${where(step.stage, step.accountId)}${step.status ? ` (${step.status})` : ''}`,
        details: [],
      };
    case 'connection-share':
      return {
        subject: `share the connection with tooling ${step.accountId ?? '(new account)'} through AWS RAM: ${step.name}${step.resourceShareArn ? ` ${step.resourceShareArn}` : ''}`,
        details: [],
      };
    case 'config-recorder':
      return { subject: `Config recorder in ${where(step.stage, step.accountId)}`, details: [] };
    case 'conformance-pack':
      return {
        subject: `conformance pack ${step.name} in ${where(step.stage, step.accountId)}`,
        details: [],
      };
    case 'account-assignment':
      return {
        subject:
          step.action === 'remove'
            ? `Identity Center: ${step.group} loses ${step.permissionSet} in ${where(step.stage, step.accountId)} (no longer asked for)`
            : `Identity Center: ${step.group} gets ${step.permissionSet} in ${where(step.stage, step.accountId)}`,
        details: [],
      };
    case 'alternate-contact':
      return {
        subject: `${step.type} alternate contact on ${where(step.stage, step.accountId)}${step.action === 'remove' ? ' (no longer asked for)' : ''}`,
        details: [],
      };
    case 'quarantine':
      return {
        subject: `quarantine SCP ${step.policyId} comes off ${where(step.stage, step.accountId)}`,
        details: [],
      };
  }
}

/** `plan: 7 to create, 1 to update, 3 to keep`, with the other actions when there are any. */
export function countLine(counts: Record<PlanAction, number>): string {
  const parts = [`${counts.create} to create`, `${counts.update} to update`];
  if (counts.attach) parts.push(`${counts.attach} to attach`);
  if (counts.adopt) parts.push(`${counts.adopt} to adopt`);
  if (counts.remove) parts.push(`${counts.remove} to remove`);
  parts.push(`${counts.keep} to keep`);
  if (counts.unchecked) parts.push(`${counts.unchecked} not checked`);
  return `plan: ${parts.join(', ')}`;
}

/**
 * The plan as a person reads it: one line per thing under the vend step that does it, each marked
 * `+` create, `~` update or attach, `>` adopt, `-` remove, `=` keep, `?` not checked; the SCP diff and the
 * stack set changes under their lines; what would stop the vend; and the count line last.
 *
 * @example
 * process.stdout.write(renderPlan(plan));
 */
export function renderPlan(plan: Plan): string {
  const lines = [`Plan for ${plan.application}:`];
  let step: string | undefined;
  for (const item of plan.steps) {
    if (item.step !== step) {
      step = item.step;
      lines.push('', step);
    }
    const { subject, details } = describePlanStep(item);
    lines.push(`  ${MARK[item.action]} ${item.action.padEnd(9)} ${subject}`);
    lines.push(...details.map((line) => `      ${line}`));
  }
  if (plan.blockers.length > 0) {
    lines.push('', 'The vend would stop:');
    lines.push(...plan.blockers.map((b) => `  ! ${b.step}: ${b.message}`));
  }
  if (plan.notes.length > 0) lines.push('', ...plan.notes);
  lines.push('', countLine(plan.counts));
  return `${lines.join('\n')}\n`;
}
