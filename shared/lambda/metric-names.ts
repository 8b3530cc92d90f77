/**
 * The names of appvend's metrics (namespace, the service dimension, each metric), shared by the
 * functions that publish them (`metrics.ts`) and the dashboard and alarms that read them
 * (`infra/service/service-dashboard.ts`).
 */
export const METRICS_NAMESPACE = 'appvend';
export const METRICS_SERVICE = 'appvend';

export const METRIC = {
  /** A vend ended successfully (Count). */
  vendSucceeded: 'VendSucceeded',
  /** A vend ended failed (Count); with the dimension Step, where. */
  vendFailed: 'VendFailed',
  /** From the execution's start to its summary (Seconds). */
  vendDuration: 'VendDuration',
  /** CreateAccount requests that completed with a new account (Count). */
  accountsCreated: 'AccountsCreated',
  /** Accounts found by their address and moved into an application's OU (Count). */
  accountsAdopted: 'AccountsAdopted',
  /** An account waited behind the CreateAccount quota: from queued to its request sent (Seconds). */
  createAccountQueueTime: 'CreateAccountQueueTime',
  /** Accounts that had to queue behind the CreateAccount quota, each counted once (Count). */
  createAccountQueued: 'CreateAccountQueued',
  /** Applications the scheduled reconcile found drifted (Count). */
  driftFound: 'DriftFound',
  /** Of those, the ones it started fixing (Count). */
  driftFixed: 'DriftFixed',
  /** Applications the reconcile could not read (Count). */
  reconcileErrors: 'ReconcileErrors',
  /** Accounts closed by offboarding (Count). */
  accountsClosed: 'AccountsClosed',
} as const;
