import type { CallAs } from '../aws/stack-set-permissions';
import type { AccountSpec, TemplateKey } from '../domain/naming';
import type { PollState } from '../domain/polling';
import type { ApplicationRequest } from '../request/schema';

/** What the validate step hands to the rest of the workflow. */
export interface ValidatedApplication {
  request: ApplicationRequest;
  accounts: AccountSpec[];
  /** The OU an earlier vend recorded (the ledger's record): where the OU step looks first. */
  recordedOuId?: string;
}

/** An account the vend made or found. */
export interface VendedAccount {
  stage: string;
  name: string;
  email: string;
  id: string;
}

/** One account's progress through CreateAccount, carried by the state machine between polls. */
export interface AccountCreation {
  account: AccountSpec;
  /** SEARCHING: the address is still being looked for; the state machine calls again at once. */
  state: 'QUEUED' | 'SEARCHING' | 'IN_PROGRESS' | 'SUCCEEDED';
  accountId?: string;
  requestId?: string;
  poll?: PollState;
  /**
   * SEARCHING: where the search of ListAccounts goes on (the next page's token, pages read); no
   * token: it starts over (AWS refused the token), `restarts` counting those.
   */
  search?: { nextToken?: string; pagesRead: number; restarts?: number };
  /** New CreateAccount requests sent after a FAILED one that may pass (RETRIED_CREATE_FAILURES). */
  retries?: number;
  /**
   * A CreateAccount for the address failed EMAIL_ALREADY_EXISTS: the account is looked for in the
   * whole organization (SEARCHING), and no new request is sent for it.
   */
  emailTaken?: boolean;
  /**
   * SUCCEEDED: the seconds until the account's access role is expected to answer, from AWS's
   * completion time (shared/domain/polling.ts ACCESS_ROLE_ANSWERS_SECONDS); the state machine's
   * WaitForAccountRole waits them before MoveAccount and its readiness probe.
   */
  roleWaitSeconds?: number;
}

/** One stack set's progress, carried between polls. */
export interface StackSetDeployment {
  template: TemplateKey;
  name: string;
  accounts: string[];
  state: 'RUNNING' | 'DONE';
  operationId?: string;
  action?: string;
  poll?: PollState;
  /** Service-managed stack sets: how the deploy step called, which the check step repeats. */
  callAs?: CallAs;
}

export interface GuardrailsResult {
  conformancePack: string;
  accounts: Record<
    string,
    { recorder: 'existing' | 'created'; conformancePack: 'created' | 'updated' | 'unchanged' }
  >;
}

/** The vend's result: what `appvend vend --json` prints and the completion event carries. */
export interface VendSummary {
  application: string;
  status: 'SUCCEEDED' | 'FAILED';
  organizationalUnit?: { id: string; name: string };
  serviceControlPolicy?: { id: string; name: string };
  accounts: Record<string, { id: string; email: string }>;
  stackSets: { name: string; accounts: string[]; status: string }[];
  guardrails?: GuardrailsResult;
  /** Who gets into which account (Identity Center assignments) and the alternate contacts put. */
  access?: VendAccessSummary;
  error?: { step: string; message: string };
}

/** The access part of a vend's summary. */
export interface VendAccessSummary {
  /** `outcome`: kept, created or creating; removed (or removing) for one appvend made that the request dropped. */
  grants: { group: string; permissionSet: string; stage: string; accountId: string; outcome: string }[];
  contacts: { accountId: string; types: string[] }[];
  /** The contact types appvend had put that the request dropped, deleted by this vend. */
  removedContacts?: { accountId: string; types: string[] }[];
  /** When the team can use the grants: the quarantine SCP holds them out until it is released. */
  note: string;
}
