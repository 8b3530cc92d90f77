// What appvend made of an application's access, apart from the request's schema: the ledger
// reads and writes it, and the functions that only touch records do not bundle the validation library.

/** One assignment appvend created (and has not removed): what the offboarding must remove. */
export interface MadeGrant {
  group: string;
  permissionSet: string;
  stage: string;
  accountId: string;
}

/** The alternate contact types appvend put on one account. */
export interface PutContacts {
  accountId: string;
  types: string[];
}

/**
 * What appvend made of the request's access and has not taken away, kept in the application's
 * ledger item across changed requests: a grant a later request drops is removed by that vend
 * (only one appvend made: one it found in place it never touches), and every grant still here is
 * removed by the offboarding.
 */
export interface MadeAccess {
  grants: MadeGrant[];
  contacts: PutContacts[];
}

export const NOTHING_MADE: MadeAccess = { grants: [], contacts: [] };

/** The identity of an assignment: a group's permission set in an account. */
export const grantKey = (g: { group: string; permissionSet: string; accountId: string }): string =>
  JSON.stringify([g.group, g.permissionSet, g.accountId]);

/** What one vend did to the access: each grant's outcome, the contacts put and those deleted. */
export interface AccessOutcome {
  grants: (MadeGrant & { outcome: string })[];
  contacts: PutContacts[];
  removedContacts?: PutContacts[];
}

/**
 * What appvend has made once a vend ended: what it had made before, less what the vend removed,
 * plus what it created (a creation still running counts: its request was accepted, so the
 * assignment is appvend's). A grant the vend found and kept is appvend's only if it was before.
 */
export function madeAfter(before: MadeAccess | undefined, outcome: AccessOutcome | undefined): MadeAccess {
  const grants = new Map((before?.grants ?? []).map((g) => [grantKey(g), g]));
  const contacts = new Map((before?.contacts ?? []).map((c) => [c.accountId, new Set(c.types)]));
  for (const g of outcome?.grants ?? []) {
    const made: MadeGrant = {
      group: g.group,
      permissionSet: g.permissionSet,
      stage: g.stage,
      accountId: g.accountId,
    };
    if (g.outcome === 'removed') grants.delete(grantKey(g));
    else if (g.outcome === 'created' || g.outcome === 'creating') grants.set(grantKey(g), made);
  }
  for (const c of outcome?.removedContacts ?? []) {
    for (const type of c.types) contacts.get(c.accountId)?.delete(type);
  }
  for (const c of outcome?.contacts ?? []) {
    const types = contacts.get(c.accountId) ?? new Set<string>();
    for (const type of c.types) types.add(type);
    contacts.set(c.accountId, types);
  }
  return {
    grants: [...grants.values()],
    contacts: [...contacts.entries()]
      .filter(([, types]) => types.size > 0)
      .map(([accountId, types]) => ({ accountId, types: [...types].sort() })),
  };
}
