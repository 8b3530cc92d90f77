import { DEFAULT_CLOSURE_SHARE } from '../../domain/closure-quota';
import { OU_ID_PATTERN } from '../../domain/organization-ids';
import { matching, optional, share, withDefault } from '../environment-variables';

/** Environment of the offboarding steps; composed into each handler's schema like the vend's. */
export const SuspendedOuEnv = {
  /**
   * The OU offboarded accounts are moved to (typically one with a deny-all SCP). Optional in the
   * schema so that the first step refuses with appvend's own explanation, not a schema message.
   */
  APPVEND_SUSPENDED_OU_ID: optional(matching(OU_ID_PATTERN, 'must be an OU id')),
};

export const ClosureEnv = {
  /**
   * The share of the organization's member accounts that may be closed per rolling 30 days. AWS's
   * own is 10 %; set it higher only when AWS has raised the organization's quota.
   */
  APPVEND_CLOSURE_SHARE: withDefault(share(), DEFAULT_CLOSURE_SHARE),
};
