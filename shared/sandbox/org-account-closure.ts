import { countWhere, membersBy } from './atomic';
import type * as org from '@aws-sdk/client-organizations';
import type { CallContext, HandlerTable } from './context';
import type { EventSource } from './events';
import { ACCOUNT_ID_PATTERN, invalidInput, orgError, requireManagement, requireString } from './org-common';
import type { SandboxStateJson } from './state';
import { accountsByStatus } from './state-indexes';

/** Organizations: CloseAccount, its rolling 30-day quota and the account's way to SUSPENDED. */

const DAY = 24 * 60 * 60 * 1000;
/** AWS's window for the closure quota. */
export const CLOSURE_WINDOW_MS = 30 * DAY;
/**
 * How long AWS keeps a closed account PENDING_CLOSURE before it shows SUSPENDED. AWS documents no
 * figure ("may take a few minutes"); two minutes exercises a reader that sees either status.
 */
export const CLOSURE_PROCESSING_MS = 2 * 60 * 1000;

/**
 * AWS's quota (orgs_reference_limits, CloseAccount): 10 % of the member accounts within a rolling
 * 30 days, at least 10 and at most 1,000. A sandbox may fix it (`closeAccountQuota`) to test it.
 */
export function closeAccountQuota(state: SandboxStateJson, fixed: number | undefined): number {
  if (fixed !== undefined) return fixed;
  const members = countWhere(state.accounts, (a) => a.id !== state.organization.managementAccountId);
  return Math.min(1000, Math.max(10, Math.floor(members * 0.1)));
}

function closeAccount(input: org.CloseAccountCommandInput, ctx: CallContext): object {
  requireManagement(ctx);
  const { state, now } = ctx;
  const id = requireString(input.AccountId, 'AccountId');
  if (!ACCOUNT_ID_PATTERN.test(id)) throw invalidInput('INVALID_PATTERN', 'AccountId must be 12 digits.');
  const account = state.accounts[id];
  if (!account)
    throw orgError(
      'AccountNotFoundException',
      "We can't find an AWS account with the AccountId that you specified.",
    );
  if (account.id === state.organization.managementAccountId) {
    throw orgError(
      'ConstraintViolationException',
      'You cannot close the management account of an organization with CloseAccount.',
      { fields: { Reason: 'MASTER_ACCOUNT_CANNOT_BE_CLOSED' } },
    );
  }
  if (account.status !== 'ACTIVE') {
    throw orgError(
      'AccountAlreadyClosedException',
      'You have already closed the account that you specified.',
    );
  }
  const recent = countWhere(
    state.accounts,
    (a) => a.closedAt !== undefined && a.closedAt > now - CLOSURE_WINDOW_MS,
  );
  if (recent + 1 > closeAccountQuota(state, ctx.settings.closeAccountQuota)) {
    throw orgError(
      'ConstraintViolationException',
      'You have exceeded close account quota for the past 30 days.',
      { fields: { Reason: 'CLOSE_ACCOUNT_QUOTA_EXCEEDED' } },
    );
  }
  account.status = 'PENDING_CLOSURE';
  account.closedAt = now;
  return {};
}

/** Ends the earliest closure that AWS has processed by now: PENDING_CLOSURE → SUSPENDED. */
export const closeAccountEvents: EventSource = (state) => {
  const due = membersBy(state.accounts, accountsByStatus, 'PENDING_CLOSURE')
    .filter((a) => a.closedAt !== undefined)
    .sort((a, b) => a.closedAt! - b.closedAt! || a.id.localeCompare(b.id))[0];
  if (!due) return undefined;
  return {
    at: due.closedAt! + CLOSURE_PROCESSING_MS,
    order: Number(due.id),
    apply: () => {
      due.status = 'SUSPENDED';
    },
  };
};

export const ACCOUNT_CLOSURE_HANDLERS: HandlerTable = {
  CloseAccount: closeAccount,
};
