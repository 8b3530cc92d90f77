import type { CallAs } from '../../aws/stack-set-permissions';
import type { GuardrailRemoval } from '../../aws/config-guardrails';
import type { PollState } from '../../domain/polling';

/**
 * What an offboarding removes, read from the ledger: only what the vend recorded making (its OU,
 * SCP and accounts) and the application's four stack sets, found by their names.
 */
export interface OffboardTarget {
  application: string;
  /** The vend request whose resources are removed. */
  requestId: string;
  /** This offboarding's execution: the ledger accepts its writes only. */
  executionName: string;
  organizationalUnitId?: string;
  serviceControlPolicyId?: string;
  accounts: { stage: string; id: string }[];
  stackSets: string[];
  /**
   * The same stack sets in the order they are removed: wave by wave, each wave's at once
   * (REMOVAL_WAVES in prepare.ts).
   */
  stackSetWaves: string[][];
  /** Where the accounts go (`APPVEND_SUSPENDED_OU_ID`), checked to exist before anything is removed. */
  suspendedOuId: string;
  closeAccounts: boolean;
  /**
   * The Identity Center assignments the vend recorded creating (its summary's grants with outcome
   * `created`), removed before the accounts leave the OU; those it found and kept are not here.
   */
  accessGrants?: { group: string; permissionSet: string; stage: string; accountId: string }[];
}

/** One stack set's removal, carried by the state machine between polls. */
export interface StackSetRemoval {
  name: string;
  /** PREPARING: the instances' buckets are being emptied, and the removal is called again at once. */
  state: 'PREPARING' | 'RUNNING' | 'DONE';
  /** Once DONE: removed now, not there, or left alone (with the reason). */
  outcome?: 'deleted' | 'absent' | 'kept';
  reason?: string;
  /** While RUNNING: the operation to wait for (the vend's check step follows it). */
  operationId?: string;
  action?: string;
  /**
   * While RUNNING: a deletion that fails only on buckets found not empty is reported by the check
   * step as BUCKET_REFILLED, and the removal empties them again and retries, instead of failing.
   */
  retryRefilledBuckets?: boolean;
  /** Service-managed stack sets: how the removal called, which the check step repeats. */
  callAs?: CallAs;
  /** The accounts whose instances the running operation deletes (or whose buckets are emptied). */
  accounts: string[];
  /** While PREPARING: object versions this call removed from the stacks' buckets. */
  emptied?: number;
  poll?: PollState;
}

/** One account's guardrails after the offboarding's RemoveGuardrails step. */
export interface AccountGuardrailsRemoval {
  stage: string;
  id: string;
  conformancePack?: GuardrailRemoval;
  recorder?: GuardrailRemoval;
  /** Why the account was not looked at (it is closed). */
  skipped?: string;
}

export interface PolicyRemoval {
  name: string;
  id?: string;
  outcome: 'deleted' | 'absent' | 'kept';
  reason?: string;
  detachedFrom: string[];
  /** The connection's AWS RAM share, removed by the same step (the pipeline that used it is gone). */
  connectionShare?: ShareRemoval;
}

/** The AWS RAM resource share of the pipeline's connection (`appvend-<application>-connection`). */
export interface ShareRemoval {
  name: string;
  arn?: string;
  outcome: 'deleted' | 'absent' | 'kept';
  reason?: string;
}

export interface AccountSuspension {
  stage: string;
  id: string;
  outcome: 'moved' | 'already' | 'kept';
  reason?: string;
}

export interface OuRemoval {
  id?: string;
  outcome: 'deleted' | 'absent' | 'kept';
  reason?: string;
}

export interface AccountClosure {
  /** Closed now, with when (ISO time): the ledger keeps it for the quota's count. */
  closed: { stage: string; id: string; closedAt: string }[];
  /** Already closed (PENDING_CLOSURE or SUSPENDED): by an earlier attempt, or by someone else. */
  alreadyClosed: { stage: string; id: string }[];
  /** Not closed, and why: appvend did not create it for the application, or it is not suspended. */
  kept: { stage: string; id: string; reason: string }[];
  /** The figures the decision was made on. */
  quota: { quota: number; share: number; memberAccounts: number; recentClosures: number };
}

/** What `appvend offboard --json` prints and the ledger's history keeps (in its own shape). */
export interface OffboardSummary {
  application: string;
  status: 'OFFBOARDED' | 'FAILED';
  guardrails?: AccountGuardrailsRemoval[];
  stackSets: { name: string; outcome: string; reason?: string }[];
  serviceControlPolicy?: PolicyRemoval;
  accounts: AccountSuspension[];
  organizationalUnit?: OuRemoval;
  closure?: AccountClosure;
  error?: { step: string; message: string };
}
