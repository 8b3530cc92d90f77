import type { IdentitystoreClient } from '@aws-sdk/client-identitystore';
import type { AccountClient } from '@aws-sdk/client-account';
import type { SSOAdminClient } from '@aws-sdk/client-sso-admin';
import { putContact } from '../../aws/alternate-contacts';
import {
  AccountAssignmentFailedError,
  assignmentStatus,
  hasAssignment,
  resolveIdentities,
  startAssignment,
} from '../../aws/identity-center';
import { desiredContacts, desiredGrants, namedIdentities } from '../../domain/access';
import { ACCOUNT_ASSIGNMENT_POLL_POLICY, nextPoll, type PollState } from '../../domain/polling';
import type { ApplicationRequest } from '../../request/schema';
import type { VendedAccount } from '../types';

export interface AccessClients {
  sso: SSOAdminClient;
  store: IdentitystoreClient;
  account: AccountClient;
}

/** One assignment of the request, in one account: kept (it was there), created, or being created. */
export interface GrantOutcome {
  group: string;
  permissionSet: string;
  stage: string;
  accountId: string;
  outcome: 'kept' | 'created' | 'creating';
  /** The creation request, while it runs. */
  requestId?: string;
}

/** The GrantAccess step's state, carried by the state machine between its looks. */
export interface AccessGrant {
  /** IN_PROGRESS: assignments are being created; the state machine waits `poll.waitSeconds` and calls again. */
  state: 'IN_PROGRESS' | 'DONE';
  grants: GrantOutcome[];
  /** The alternate contact types put on each account. */
  contacts: { accountId: string; types: string[] }[];
  poll?: PollState;
}

/**
 * The vend's access step (a branch of DeployStackSets: the accounts exist, and the quarantine SCP
 * still holds everyone but appvend's roles out until ReleaseQuarantine, so the team gets in only
 * once the baseline is in place). First call: every assignment the request asks for that is not
 * there is created (one that is there is kept: appvend did not make it and never removes it), and
 * the alternate contacts are put. Later calls look once at each creation still running; a FAILED
 * one fails the step with AWS's reason. Nothing sleeps: the state machine waits between calls.
 */
export async function grantAccess(
  clients: AccessClients,
  params: {
    request: ApplicationRequest;
    accounts: VendedAccount[];
    instanceArn?: string;
    previous?: AccessGrant;
  },
): Promise<AccessGrant> {
  const { request, accounts, previous } = params;
  const wanted = desiredGrants(request);
  const contacts = desiredContacts(request);
  if (wanted.length === 0 && contacts.length === 0) return { state: 'DONE', grants: [], contacts: [] };

  const accountOf = (stage: string): string => {
    const account = accounts.find((a) => a.stage === stage);
    // The schema refused a stage the request does not have; every stage has an account by now.
    if (!account) throw new Error(`No account for stage "${stage}"`);
    return account.id;
  };

  let grants: GrantOutcome[] = previous?.grants ?? [];
  if (wanted.length > 0) {
    const ids = await resolveIdentities(clients, namedIdentities(request), params.instanceArn);
    const key = (g: GrantOutcome) => ({
      accountId: g.accountId,
      permissionSetArn: ids.permissionSets[g.permissionSet]!,
      groupId: ids.groups[g.group]!,
    });
    if (!previous) {
      grants = [];
      for (const grant of wanted) {
        const outcome: GrantOutcome = {
          group: grant.group,
          permissionSet: grant.permissionSet,
          stage: grant.stage,
          accountId: accountOf(grant.stage),
          outcome: 'kept',
        };
        if (!(await hasAssignment(clients.sso, ids.instanceArn, key(outcome)))) {
          const status = await startAssignment(clients.sso, ids.instanceArn, key(outcome));
          failIfFailed(status, outcome);
          outcome.outcome = status.Status === 'SUCCEEDED' ? 'created' : 'creating';
          if (outcome.outcome === 'creating') outcome.requestId = status.RequestId;
        }
        grants.push(outcome);
      }
    } else {
      for (const grant of grants) {
        if (grant.outcome !== 'creating' || !grant.requestId) continue;
        const status = await assignmentStatus(clients.sso, ids.instanceArn, {
          requestId: grant.requestId,
          kind: 'create',
        });
        failIfFailed(status, grant);
        if (status.Status === 'SUCCEEDED') {
          grant.outcome = 'created';
          delete grant.requestId;
        }
      }
    }
  }

  // PutAlternateContact sets the contact to the values given: put once, on the first call.
  const put = previous?.contacts ?? [];
  if (!previous && contacts.length > 0) {
    for (const account of accounts) {
      for (const contact of contacts) await putContact(clients.account, account.id, contact);
      put.push({ accountId: account.id, types: contacts.map((c) => c.type) });
    }
  }

  const running = grants.some((g) => g.outcome === 'creating');
  return {
    state: running ? 'IN_PROGRESS' : 'DONE',
    grants,
    contacts: put,
    ...(running && { poll: nextPoll(ACCOUNT_ASSIGNMENT_POLL_POLICY, previous?.poll) }),
  };
}

function failIfFailed(status: { Status?: string; FailureReason?: string }, grant: GrantOutcome): void {
  if (status.Status !== 'FAILED') return;
  throw new AccountAssignmentFailedError(
    `Identity Center could not give "${grant.group}" the permission set "${grant.permissionSet}" in ${grant.stage} (${grant.accountId}): ${status.FailureReason ?? 'no reason given'}`,
    { ...grant },
  );
}
