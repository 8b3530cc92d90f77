/**
 * The alternate contact types a request may set. A module of its own, without Zod, so that the
 * steps that set contacts (grant-access) read the list without bundling the request schema.
 */
export const CONTACT_TYPES = ['security', 'operations', 'billing'] as const;
export type ContactType = (typeof CONTACT_TYPES)[number];
