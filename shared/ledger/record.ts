import { createHash } from 'node:crypto';
import type { ApplicationRequest } from '../request/schema';
import { principalMatches, type Actor } from './principal';
import { madeAfter, type MadeAccess } from '../domain/access-made';
import type { ResumePoint } from '../workflow/resume';
import type { VendSummary } from '../workflow/types';

/** The ledger table the service deploys and the CLI reads by default. */
export const LEDGER_TABLE_NAME = 'appvend-ledger';
/** Its partition key: the application name, one item per application. */
export const LEDGER_KEY = 'name';

/** Where an application stands, as every front door and `appvend status` report it. */
export type ApplicationStatus =
  | 'REQUESTED'
  | 'IN_PROGRESS'
  | 'SUCCEEDED'
  | 'FAILED'
  /** `appvend offboard` (or `DELETE /applications/{name}`) is removing what the vend made. */
  | 'OFFBOARDING'
  /** Offboarded: the item stays, with the history of what was removed and closed. */
  | 'OFFBOARDED';

/** The offboarding running now (status OFFBOARDING), or the one that last failed. */
export interface OffboardingRun {
  /** Offboardings started for this application: a retry after a failure adds one. */
  attempt: number;
  executionName: string;
  executionArn?: string;
  /** Whether the accounts are to be closed (CloseAccount) once in the suspended OU. */
  closeAccounts: boolean;
  startedAt: string;
  /** After a failure: the step and the reason; the next offboarding starts over (every step converges). */
  error?: { step: string; message: string };
}

/** What one offboarding removed, closed and left alone, kept for good in the application's item. */
export interface OffboardingRecord {
  /** The vend request whose resources were removed. */
  requestId: string;
  executionName: string;
  startedAt: string;
  endedAt: string;
  /** Conformance packs and Config recorders deleted, by account (absent in older entries). */
  guardrails?: string[];
  /** Stack sets deleted, with their instances. */
  stackSets: string[];
  serviceControlPolicy?: string;
  organizationalUnit?: string;
  /** Accounts now in the suspended OU, by stage. */
  suspendedAccounts: Record<string, string>;
  /** Whether closing the accounts was asked for, and done (every account appvend created is closed). */
  closeAccounts: boolean;
  /** Accounts this offboarding closed with CloseAccount, with when: the closure quota counts them. */
  closedAccounts: { stage: string; id: string; closedAt: string }[];
  /** What was left alone, and why (not made by appvend for this application, not empty, …). */
  kept: { resource: string; reason: string }[];
}

/** One item per application: what was asked, by whom, and how far the vend got. */
export interface ApplicationRecord {
  name: string;
  /** A contact (the request's `owner` email), not an identity: see {@link principals}. */
  owner: string;
  /**
   * Who owns the application: the principal(s) that asked for it, as the door recorded them from
   * what AWS vouched for (normalized: `shared/ledger/principal.ts`). With the request's `managers`
   * they, and platform administrators, may change, re-vend, resume or offboard it. Absent on
   * records written before ownership was recorded: only platform administrators act on those (an
   * administrator's request naming `managers` hands the application over).
   */
  principals?: string[];
  /** Identifies one request (a name and its content): the same request always gets the same id. */
  requestId: string;
  requestDigest: string;
  request: ApplicationRequest;
  status: ApplicationStatus;
  /** Executions started for this request: a retry of a failed vend adds one. */
  attempt: number;
  executionName: string;
  executionArn?: string;
  /** The step running or, after a failure, the step that failed. */
  step?: string;
  ids?: {
    organizationalUnit?: string;
    serviceControlPolicy?: string;
    accounts?: Record<string, string>;
  };
  error?: { step: string; message: string };
  /**
   * After a failure: the step to continue at and what the steps before it made. Sending the same
   * request again (or `appvend resume`) continues there instead of starting over.
   */
  resume?: ResumePoint;
  /** The vend's summary, once it has ended. */
  summary?: VendSummary;
  /**
   * The Identity Center assignments and alternate contacts appvend made for the application and
   * has not taken away, across changed requests: a vend removes those its request dropped, the
   * offboarding removes the assignments. Records written before it existed: the summary's
   * (see {@link accessMadeOf}).
   */
  accessMade?: MadeAccess;
  /** CloudFormation custom-resource requests (Service Catalog) waiting for the vend to end. */
  callbacks?: PendingCallback[];
  /** The offboarding under way (OFFBOARDING), or the last one that failed. */
  offboarding?: OffboardingRun;
  /** Every offboarding that finished, oldest first: never removed, a re-vend keeps it. */
  history?: OffboardingRecord[];
  /** Offboarding executions ever started for the name (a re-vend keeps counting): unique names. */
  offboardingAttempts?: number;
  createdAt: string;
  updatedAt: string;
  /** Optimistic concurrency: every write requires the version it read. */
  version: number;
}

/**
 * A CloudFormation custom-resource request answered when the vend of `requestId` ends: where to
 * PUT the response (a pre-signed URL) and the ids the response must echo.
 */
export interface PendingCallback {
  /** The appvend request (`ApplicationRecord.requestId`) whose end answers it. */
  requestId: string;
  requestType: 'Create' | 'Update';
  responseUrl: string;
  stackId: string;
  cfnRequestId: string;
  logicalResourceId: string;
  physicalResourceId: string;
  receivedAt: string;
}

/** One callback per CloudFormation request: a re-sent request replaces its earlier copy. */
export const sameCallback = (a: PendingCallback, b: PendingCallback): boolean =>
  a.stackId === b.stackId && a.logicalResourceId === b.logicalResourceId && a.cfnRequestId === b.cfnRequestId;

/** Canonical JSON: keys sorted at every level, so that key order never changes the digest. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** The digest of a validated request (defaults applied), independent of key order and formatting. */
export function requestDigest(request: ApplicationRequest): string {
  return createHash('sha256').update(canonical(request)).digest('hex');
}

/** `orders-3f2a9c1b7d4e`: readable, and the same for the same request. */
export const requestIdOf = (name: string, digest: string): string => `${name}-${digest.slice(0, 12)}`;

/** Step Functions execution names are unique per state machine for 90 days: one per attempt. */
export const executionNameOf = (requestId: string, attempt: number): string => `${requestId}-${attempt}`;

/** What to do with a request, given what the ledger holds for its name. */
export type Decision =
  | { kind: 'start'; reason: 'new' | 'changed' | 'revend' }
  | { kind: 'retry' }
  | { kind: 'existing' }
  | { kind: 'conflict'; reason: ConflictReason; message: string };

/**
 * Why the ledger refuses a request: another principal's application, a vend or offboarding in
 * progress, or a changed request that drops a stage whose account the application has.
 */
export type ConflictReason = 'not-owner' | 'in-progress' | 'removes-stage';

/**
 * The stages of an application's accounts (tooling aside) that `stages` no longer names: a vend
 * of such a request would leave those accounts in the OU with their stack instances, guardrails
 * and roles, orphaned. The ledger refuses it instead.
 */
export function removedStages(
  existing: Pick<ApplicationRecord, 'ids'>,
  stages: readonly string[],
): { stage: string; account: string }[] {
  return Object.entries(existing.ids?.accounts ?? {})
    .filter(([stage]) => stage !== 'tooling' && !stages.includes(stage))
    .map(([stage, account]) => ({ stage, account }));
}

/** The principals that own a record: those that asked for it, and the managers its request names. */
export function ownersOf(record: ApplicationRecord): string[] {
  return [...(record.principals ?? []), ...(record.request.managers ?? [])];
}

/** Whether `actor` may act on (change, re-vend, resume, offboard, read) the application of `record`. */
export function mayAct(record: ApplicationRecord, actor: Actor): boolean {
  return actor.admin || ownersOf(record).some((owner) => principalMatches(owner, actor.principal));
}

/** The refusal of an actor that does not own an application: the same words at every door. */
export function notOwnerMessage(record: ApplicationRecord, actor: Actor): string {
  return record.principals
    ? `${actor.principal} does not own application "${record.name}": only its owners, its managers and platform administrators may act on it`
    : `application "${record.name}" was recorded before owners were: only platform administrators may act on it (${actor.principal} is not one)`;
}

const ACTIVE: readonly ApplicationStatus[] = ['REQUESTED', 'IN_PROGRESS'];

/**
 * The one rule the three front doors share:
 * - a new name starts a vend;
 * - the same request again (at-least-once delivery, retries) is the same vend: same request id,
 *   no second execution; if that vend failed, it is resumed at the step that failed;
 * - a name another principal owns is refused (`not-owner`), whatever the request: only its owners,
 *   its managers and platform administrators act on it (the `owner` email is a contact only);
 * - a different request while a vend runs is refused;
 * - a different request after the vend ended re-vends (the steps converge), unless it drops a stage
 *   whose account the application has (`removes-stage`: refused, naming the stage and account);
 * - any request while the application is being offboarded is refused;
 * - any request (the same one too) after it was offboarded vends it again: the steps make the OU,
 *   SCP and stack sets anew and find the accounts by email in the suspended OU, moving them back;
 *   an account that was closed fails the vend, naming it (its email cannot be used again).
 */
export function decideSubmission(
  existing: ApplicationRecord | undefined,
  incoming: { actor: Actor; digest: string; stages?: readonly string[] },
): Decision {
  if (!existing) return { kind: 'start', reason: 'new' };
  if (!mayAct(existing, incoming.actor)) {
    return { kind: 'conflict', reason: 'not-owner', message: notOwnerMessage(existing, incoming.actor) };
  }
  if (existing.status === 'OFFBOARDING') {
    return {
      kind: 'conflict',
      reason: 'in-progress',
      message: `application "${existing.name}" is being offboarded (${existing.offboarding?.executionName ?? existing.requestId}); send the request when the offboarding has finished`,
    };
  }
  if (existing.status === 'OFFBOARDED') return { kind: 'start', reason: 'revend' };
  if (existing.requestDigest === incoming.digest) {
    return existing.status === 'FAILED' ? { kind: 'retry' } : { kind: 'existing' };
  }
  if (ACTIVE.includes(existing.status)) {
    return {
      kind: 'conflict',
      reason: 'in-progress',
      message: `application "${existing.name}" is being vended (request ${existing.requestId}, ${existing.status}); send the change when it has finished`,
    };
  }
  const removed = incoming.stages ? removedStages(existing, incoming.stages) : [];
  if (removed.length > 0) {
    const list = removed.map((r) => `${r.stage} (account ${r.account})`).join(', ');
    return {
      kind: 'conflict',
      reason: 'removes-stage',
      message:
        `the request for "${existing.name}" no longer names stage ${list}; appvend does not decommission ` +
        "one stage's account, and a vend would leave it in the OU with its stack instances and guardrails. " +
        'Keep the stage in the request, or offboard the application (its accounts go to the suspended OU) ' +
        'and vend it again with the stages it needs',
    };
  }
  return { kind: 'start', reason: 'changed' };
}

/**
 * What appvend made of the application's access and has not removed: the record's own account of
 * it, or, on a record written before it was kept, what its last summary says was created and put.
 */
export function accessMadeOf(record: Pick<ApplicationRecord, 'accessMade' | 'summary'>): MadeAccess {
  return record.accessMade ?? madeAfter(undefined, record.summary?.access);
}

/**
 * What a plan of the application's request takes from its record: the access appvend made (what
 * the request drops is planned `remove`) and the ids its vends recorded (where the plan looks
 * first, as the vend does).
 */
export function earlierVendOf(record: Pick<ApplicationRecord, 'accessMade' | 'summary' | 'ids'>): {
  accessMade: MadeAccess;
  recorded?: NonNullable<ApplicationRecord['ids']>;
} {
  return { accessMade: accessMadeOf(record), ...(record.ids && { recorded: record.ids }) };
}

/** The ids a summary carries, in the ledger's shape. */
export function idsOf(summary: VendSummary): NonNullable<ApplicationRecord['ids']> {
  return {
    ...(summary.organizationalUnit && { organizationalUnit: summary.organizationalUnit.id }),
    ...(summary.serviceControlPolicy && { serviceControlPolicy: summary.serviceControlPolicy.id }),
    accounts: Object.fromEntries(Object.entries(summary.accounts).map(([stage, a]) => [stage, a.id])),
  };
}
