import { CONTACT_TYPES, type ContactType } from '../request/contact-types';
import type { ApplicationRequest } from '../request/schema';
import { RESERVED_STAGE as TOOLING_STAGE } from './naming';
import { grantKey, type MadeAccess, type MadeGrant, type PutContacts } from './access-made';

export * from './access-made';

/** One account assignment the request asks for: a group, a permission set and a stage's account. */
export interface DesiredGrant {
  group: string;
  permissionSet: string;
  stage: string;
  /** `approvers` or `access.<index>`: which part of the request asks for it. */
  source: string;
}

/**
 * Every assignment the request asks for: each `access` entry in each of its stages, and the
 * approvers' permission set in tooling (the approval protection names that permission set's roles,
 * so the group must hold it there to approve). The schema has refused a grant named twice.
 */
export function desiredGrants(request: Pick<ApplicationRequest, 'access' | 'approvers'>): DesiredGrant[] {
  const grants: DesiredGrant[] = [];
  if (request.approvers) {
    grants.push({ ...request.approvers, stage: TOOLING_STAGE, source: 'approvers' });
  }
  (request.access ?? []).forEach((grant, index) => {
    for (const stage of grant.stages) {
      grants.push({
        group: grant.group,
        permissionSet: grant.permissionSet,
        stage,
        source: `access.${index}`,
      });
    }
  });
  return grants;
}

/** The groups and permission sets a request names, each once. */
export function namedIdentities(request: Pick<ApplicationRequest, 'access' | 'approvers'>): {
  groups: string[];
  permissionSets: string[];
} {
  const grants = desiredGrants(request);
  return {
    groups: [...new Set(grants.map((g) => g.group))],
    permissionSets: [...new Set(grants.map((g) => g.permissionSet))],
  };
}

/** AWS Account Management's name for each of the request's contact types. */
export const CONTACT_TYPE_NAME: Readonly<Record<ContactType, 'SECURITY' | 'OPERATIONS' | 'BILLING'>> = {
  security: 'SECURITY',
  operations: 'OPERATIONS',
  billing: 'BILLING',
};

export interface DesiredContact {
  type: 'SECURITY' | 'OPERATIONS' | 'BILLING';
  name: string;
  title: string;
  email: string;
  phone: string;
}

/** The alternate contacts every account of the application gets. */
export function desiredContacts(request: Pick<ApplicationRequest, 'contacts'>): DesiredContact[] {
  return CONTACT_TYPES.flatMap((type) => {
    const contact = request.contacts?.[type];
    return contact ? [{ type: CONTACT_TYPE_NAME[type], ...contact }] : [];
  });
}

/** Whether the request asks for any Identity Center access (and so needs the instance). */
export const asksForAccess = (request: Pick<ApplicationRequest, 'access' | 'approvers'>): boolean =>
  desiredGrants(request).length > 0;

/**
 * The grants appvend made that the request no longer asks for, given the request's accounts by
 * stage: those the vend of this request removes (and its plan shows as `remove`).
 */
export function droppedGrants(
  made: MadeAccess | undefined,
  request: Pick<ApplicationRequest, 'access' | 'approvers'>,
  accountOf: (stage: string) => string | undefined,
): MadeGrant[] {
  const wanted = new Set(
    desiredGrants(request).flatMap((g) => {
      const accountId = accountOf(g.stage);
      return accountId ? [grantKey({ ...g, accountId })] : [];
    }),
  );
  return (made?.grants ?? []).filter((g) => !wanted.has(grantKey(g)));
}

/** The contact types appvend put on each account that the request no longer asks for. */
export function droppedContacts(
  made: MadeAccess | undefined,
  request: Pick<ApplicationRequest, 'contacts'>,
): PutContacts[] {
  const wanted = new Set<string>(desiredContacts(request).map((c) => c.type));
  return (made?.contacts ?? [])
    .map((c) => ({ accountId: c.accountId, types: c.types.filter((t) => !wanted.has(t)) }))
    .filter((c) => c.types.length > 0);
}
