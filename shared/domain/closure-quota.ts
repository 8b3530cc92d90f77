import { QuotaExceededError } from '../errors';

/**
 * AWS lets an organization close only a share of its member accounts with CloseAccount within a
 * rolling 30 days (10 % by default, at least 10 and at most 1,000; AWS refuses the closure over it with
 * ConstraintViolationException CLOSE_ACCOUNT_QUOTA_EXCEEDED). appvend checks the same rule itself
 * before it closes anything, so an offboarding either closes all its accounts or none: AWS's refusal
 * would come halfway through, after some accounts were closed.
 */
export const CLOSURE_WINDOW_DAYS = 30;
export const DEFAULT_CLOSURE_SHARE = 0.1;

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * AWS's bounds on the quota (CloseAccount: "You can close only 10% of member accounts, between 10
 * and 1000, within a rolling 30 day period").
 */
export const CLOSURE_QUOTA_FLOOR = 10;
export const CLOSURE_QUOTA_CEILING = 1000;

/**
 * The closures a quota allows: the share of the member accounts, rounded down, then clamped as AWS
 * does, so a small organization may still close 10 accounts.
 */
export const closureQuota = (memberAccounts: number, share: number): number =>
  Math.min(CLOSURE_QUOTA_CEILING, Math.max(CLOSURE_QUOTA_FLOOR, Math.floor(memberAccounts * share + 1e-9)));

/** Whether a closure made at `closedAt` still counts at `now`. */
export const withinClosureWindow = (closedAt: Date, now: Date): boolean =>
  now.getTime() - closedAt.getTime() < CLOSURE_WINDOW_DAYS * DAY_MS;

/**
 * The closures made in the last 30 days, as a set of account ids (an account counted once however
 * it is known):
 * - every closure appvend recorded in the ledger within the window (any application);
 * - every account AWS shows as PENDING_CLOSURE or SUSPENDED. AWS does not say when an account was
 *   closed, and a SUSPENDED account stays in the organization for 90 days after its closure (or was
 *   suspended by AWS for another reason), so this over-counts: a conservative bound, never an
 *   under-count, and it also sees closures made outside appvend and any that a crashed offboarding
 *   made without recording them.
 */
export function recentClosures(params: {
  recorded: { id: string; closedAt: string }[];
  closedInAws: string[];
  now: Date;
}): Set<string> {
  const ids = new Set(params.closedInAws);
  for (const closure of params.recorded) {
    if (withinClosureWindow(new Date(closure.closedAt), params.now)) ids.add(closure.id);
  }
  return ids;
}

const percent = (share: number): string => `${Number((share * 100).toFixed(2))}%`;

/**
 * Refuses, before any account is closed, a closure of `toClose` accounts that would take the
 * organization over its quota; the message names every figure.
 *
 * @example
 * checkClosureQuota({ toClose: 3, recent: 4, memberAccounts: 52, share: 0.1 });
 * // QuotaExceededError: closing 3 accounts would make 7 closures in 30 days; the quota is 5 (10% of 52 member accounts)
 */
export function checkClosureQuota(params: {
  toClose: number;
  recent: number;
  memberAccounts: number;
  share: number;
}): { quota: number } {
  const quota = closureQuota(params.memberAccounts, params.share);
  const total = params.recent + params.toClose;
  if (params.toClose > 0 && total > quota) {
    throw new QuotaExceededError(
      `closing ${params.toClose} account${params.toClose === 1 ? '' : 's'} would make ${total} closures in ` +
        `${CLOSURE_WINDOW_DAYS} days; the quota is ${quota} (${percent(params.share)} of ${params.memberAccounts} ` +
        `member accounts, between ${CLOSURE_QUOTA_FLOOR} and ${CLOSURE_QUOTA_CEILING}). The accounts stay in the suspended OU; close them when the quota allows ` +
        `(appvend offboard <name> --close-accounts) or raise APPVEND_CLOSURE_SHARE if AWS raised yours`,
      { ...params, quota, total },
    );
  }
  return { quota };
}
