import type { Counters, SandboxStateJson } from './state';

/**
 * AWS-shaped identifiers made from counters, never from randomness: a sandbox run is reproducible
 * and its persisted state diffs cleanly.
 */

/** Takes the next value of a counter. */
export function next(state: SandboxStateJson, counter: keyof Counters): number {
  state.counters[counter] += 1;
  return state.counters[counter];
}

const base36 = (n: number, width: number): string => n.toString(36).padStart(width, '0');
const hex = (n: number, width: number): string => n.toString(16).padStart(width, '0');

/** 12 digits, counting up from 200000000001 (the management account is set apart, e.g. 111111111111). */
export const accountId = (n: number): string => String(200_000_000_000 + n);

/** `ou-<root suffix>-<8 chars>`, the shape AWS uses. */
export const ouId = (rootId: string, n: number): string => `ou-${rootId.slice(2)}-${base36(n, 8)}`;

/** `p-<8 chars>`. */
export const policyId = (n: number): string => `p-${base36(n, 8)}`;

/** `car-` + 32 hex digits. */
export const createAccountRequestId = (n: number): string => `car-${hex(n, 32)}`;

/** Kinds of uuid-shaped ids, so that an operation id never equals a stack set's uuid. */
export const UuidKind = {
  operation: 1,
  stackSet: 2,
  stack: 3,
  request: 4,
  conformancePack: 5,
  resourceShare: 6,
} as const;

/** A valid version-4-shaped uuid whose first group names the kind and last group counts. */
export const uuid = (kind: number, n: number): string => `${hex(kind, 8)}-0000-4000-8000-${hex(n, 12)}`;

/** `ASIA` + account + 4 characters: 20 characters like a real key, and the account is readable. */
export const sessionAccessKeyId = (account: string, n: number): string =>
  `ASIA${account}${base36(n, 4).toUpperCase()}`;

/** The static key of the management account's administrator. */
export const managementAccessKeyId = (account: string): string => `AKIA${account}SBOX`;
