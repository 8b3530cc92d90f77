import type { VendAccessSummary, VendSummary } from '../shared/workflow/types';

/**
 * Who can get into which account after a vend: one line per account, each group with the
 * permission set it holds there, then the alternate contacts and when the team can sign in.
 *
 * @example
 * formatAccess(summary);
 * // Access (IAM Identity Center):
 * //   tooling 200000000001: orders-approvers (AppvendApprover), orders-developers (AppvendDeveloper)
 */
export function formatAccess(summary: Pick<VendSummary, 'access'>): string {
  const access = summary.access;
  if (!access) return '';
  const lines = ['Access (IAM Identity Center):'];
  const held = access.grants.filter((g) => !REMOVED.includes(g.outcome));
  const removed = access.grants.filter((g) => REMOVED.includes(g.outcome));
  for (const [account, grants] of byAccount({ ...access, grants: held })) {
    const who = grants.map((g) => `${g.group} (${g.permissionSet}${g.outcome === 'kept' ? ', kept' : ''})`);
    lines.push(`  ${grants[0]!.stage} ${account}: ${who.join(', ')}`);
  }
  if (held.length === 0) lines.push('  none');
  for (const g of removed) {
    lines.push(
      `  removed: ${g.group} (${g.permissionSet}) in ${g.stage} ${g.accountId}, no longer asked for`,
    );
  }
  const types = [...new Set(access.contacts.flatMap((c) => c.types))];
  if (types.length > 0) {
    lines.push(`Alternate contacts (${types.join(', ')}) on ${access.contacts.length} account(s).`);
  }
  const dropped = [...new Set((access.removedContacts ?? []).flatMap((c) => c.types))];
  if (dropped.length > 0) {
    lines.push(
      `Alternate contacts removed (${dropped.join(', ')}) from ${access.removedContacts!.length} account(s).`,
    );
  }
  lines.push(access.note);
  return `${lines.join('\n')}\n`;
}

/** Outcomes of a grant appvend made that the request no longer asks for. */
const REMOVED = ['removing', 'removed'];

/** The grants by account, in the order the accounts first appear. */
export function byAccount(access: VendAccessSummary): [string, VendAccessSummary['grants']][] {
  const grouped = new Map<string, VendAccessSummary['grants']>();
  for (const grant of access.grants) {
    const list = grouped.get(grant.accountId) ?? [];
    list.push(grant);
    grouped.set(grant.accountId, list);
  }
  return [...grouped.entries()];
}
