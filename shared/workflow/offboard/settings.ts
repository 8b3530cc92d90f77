import * as z from 'zod/mini';
import { DEFAULT_CLOSURE_SHARE } from '../../domain/closure-quota';

/** Environment of the offboarding steps; composed into each handler's schema like the vend's. */
export const SuspendedOuEnv = {
  /**
   * The OU offboarded accounts are moved to (typically one with a deny-all SCP). Optional in the
   * schema so that the first step refuses with appvend's own explanation, not a schema message.
   */
  APPVEND_SUSPENDED_OU_ID: z.optional(
    z.string().check(z.regex(/^ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}$/, { error: 'must be an OU id' })),
  ),
};

export const ClosureEnv = {
  /**
   * The share of the organization's member accounts that may be closed per rolling 30 days. AWS's
   * own is 10 %; set it higher only when AWS has raised the organization's quota.
   */
  APPVEND_CLOSURE_SHARE: z._default(
    z.coerce
      .number()
      .check(z.gt(0, { error: 'must be more than 0' }), z.lte(1, { error: 'must be at most 1' })),
    DEFAULT_CLOSURE_SHARE,
  ),
};
