import type { IdentitystoreClient } from '@aws-sdk/client-identitystore';
import type { AccountClient } from '@aws-sdk/client-account';
import type { SSOAdminClient } from '@aws-sdk/client-sso-admin';
import { deleteContact, putContact } from '../../aws/alternate-contacts';
import {
  AccountAssignmentFailedError,
  assignmentStatus,
  hasAssignment,
  resolveGroups,
  resolveIdentities,
  resolvePermissionSets,
  startAssignment,
  startUnassignment,
  type IdentityCenterInstance,
} from '../../aws/identity-center';
import {
  desiredContacts,
  desiredGrants,
  droppedContacts,
  droppedGrants,
  namedIdentities,
  type DesiredContact,
  type MadeAccess,
  type MadeGrant,
  type PutContacts,
} from '../../domain/access';
import { ACCOUNT_ASSIGNMENT_POLL_POLICY, nextPoll, type PollState } from '../../domain/polling';
import type { ApplicationRequest } from '../../request/schema';
import type { VendedAccount } from '../types';

export interface AccessClients {
  sso: SSOAdminClient;
  store: IdentitystoreClient;
  account: AccountClient;
}

/**
 * One assignment of the request, in one account: kept (it was there), created, or being created;
 * or one appvend made that the request no longer asks for: being removed, or removed.
 */
export interface GrantOutcome {
  group: string;
  permissionSet: string;
  stage: string;
  accountId: string;
  outcome: 'kept' | 'created' | 'creating' | 'removing' | 'removed';
  /** The creation or deletion request, while it runs. */
  requestId?: string;
}

/** The GrantAccess step's state, carried by the state machine between its looks. */
export interface AccessGrant {
  /** IN_PROGRESS: assignments are being created; the state machine waits `poll.waitSeconds` and calls again. */
  state: 'IN_PROGRESS' | 'DONE';
  grants: GrantOutcome[];
  /** The alternate contact types put on each account. */
  contacts: PutContacts[];
  /** The contact types appvend had put that the request no longer asks for, deleted. */
  removedContacts?: PutContacts[];
  poll?: PollState;
}

/**
 * The vend's access step (a branch of DeployStackSets: the accounts exist, and the quarantine SCP
 * still holds everyone but appvend's roles out until ReleaseQuarantine, so the team gets in only
 * once the baseline is in place). First call: every assignment the request asks for that is not
 * there is created (one that is there is kept: appvend did not make it and never removes it), and
 * the alternate contacts are put. What appvend made for an earlier request of the application
 * (`made`, from the ledger) and this one no longer asks for is taken away: each such assignment
 * is deleted, each such contact type deleted; nothing appvend did not make is touched. Later
 * calls look once at each creation and deletion still running; a FAILED one fails the step with
 * AWS's reason. Nothing sleeps: the state machine waits between calls.
 */
export async function grantAccess(
  clients: AccessClients,
  params: {
    request: ApplicationRequest;
    accounts: VendedAccount[];
    instanceArn?: string;
    /** What appvend made of the application's access before this vend (the ledger's record). */
    made?: MadeAccess;
    previous?: AccessGrant;
    /**
     * Records what the step is about to create and put, before it does (the ledger): a lost
     * answer, or a failure after the creation, must not leave it unrecorded.
     */
    recordMaking?: (making: MadeAccess) => Promise<unknown>;
  },
): Promise<AccessGrant> {
  const { request, accounts, previous } = params;
  const stageAccount = (stage: string) => accounts.find((a) => a.stage === stage)?.id;
  const wanted = desiredGrants(request);
  const contacts = desiredContacts(request);
  const dropped = droppedGrants(params.made, request, stageAccount);
  const droppedTypes = droppedContacts(params.made, request);
  if (wanted.length === 0 && contacts.length === 0 && dropped.length === 0 && droppedTypes.length === 0)
    return { state: 'DONE', grants: [], contacts: [] };

  const accountOf = (stage: string): string => {
    const account = stageAccount(stage);
    // The schema refused a stage the request does not have; every stage has an account by now.
    if (!account) throw new Error(`No account for stage "${stage}"`);
    return account;
  };

  let grants: GrantOutcome[] = previous?.grants ?? [];
  if (wanted.length > 0 || dropped.length > 0) {
    const ids = await resolveAll(clients, request, dropped, params.instanceArn);
    const key = (g: GrantOutcome) => ({
      accountId: g.accountId,
      permissionSetArn: ids.permissionSets[g.permissionSet]!,
      groupId: ids.groups[g.group]!,
    });
    if (!previous) {
      grants = [];
      const missing: GrantOutcome[] = [];
      for (const grant of wanted) {
        const outcome: GrantOutcome = {
          group: grant.group,
          permissionSet: grant.permissionSet,
          stage: grant.stage,
          accountId: accountOf(grant.stage),
          outcome: 'kept',
        };
        if (!(await hasAssignment(clients.sso, ids.instanceArn, key(outcome)))) missing.push(outcome);
        grants.push(outcome);
      }
      // Recorded before they are asked for: a retry after a lost answer finds them in place.
      if (missing.length > 0) {
        await params.recordMaking?.({
          grants: missing.map(({ group, permissionSet, stage, accountId }) => ({
            group,
            permissionSet,
            stage,
            accountId,
          })),
          contacts: [],
        });
      }
      for (const outcome of missing) {
        const status = await startAssignment(clients.sso, ids.instanceArn, key(outcome));
        failIfFailed(status, outcome);
        outcome.outcome = status.Status === 'SUCCEEDED' ? 'created' : 'creating';
        if (outcome.outcome === 'creating') outcome.requestId = status.RequestId;
      }
      for (const grant of dropped) grants.push(await removeGrant(clients.sso, ids, grant));
    } else {
      for (const grant of grants) {
        const kind =
          grant.outcome === 'creating' ? 'create' : grant.outcome === 'removing' ? 'delete' : undefined;
        if (!kind || !grant.requestId) continue;
        const status = await assignmentStatus(clients.sso, ids.instanceArn, {
          requestId: grant.requestId,
          kind,
        });
        failIfFailed(status, grant);
        if (status.Status === 'SUCCEEDED') {
          grant.outcome = kind === 'create' ? 'created' : 'removed';
          delete grant.requestId;
        }
      }
    }
  }

  // PutAlternateContact sets the contact to the values given: put once, on the first call; a type
  // appvend put that the request dropped is deleted then too.
  const put = previous?.contacts ?? [];
  let removedContacts = previous?.removedContacts ?? [];
  if (!previous) {
    if (contacts.length > 0) {
      const types = contacts.map((c) => c.type);
      await params.recordMaking?.({
        grants: [],
        contacts: accounts.map((a) => ({ accountId: a.id, types })),
      });
      for (const account of accounts) {
        for (const contact of contacts) await putContact(clients.account, account.id, contact);
        put.push({ accountId: account.id, types: contacts.map((c) => c.type) });
      }
    }
    for (const { accountId, types } of droppedTypes) {
      for (const type of types)
        await deleteContact(clients.account, accountId, type as DesiredContact['type']);
    }
    removedContacts = droppedTypes;
  }

  const running = grants.some((g) => g.outcome === 'creating' || g.outcome === 'removing');
  return {
    state: running ? 'IN_PROGRESS' : 'DONE',
    grants,
    contacts: put,
    ...(removedContacts.length > 0 && { removedContacts }),
    ...(running && { poll: nextPoll(ACCOUNT_ASSIGNMENT_POLL_POLICY, previous?.poll) }),
  };
}

type ResolvedIdentities = IdentityCenterInstance & {
  groups: Record<string, string>;
  permissionSets: Record<string, string>;
};

/**
 * The request's groups and permission sets (one missing refuses, as ValidateRequest does), and
 * those of the grants to remove that the request no longer names. A group or permission set of
 * those that Identity Center no longer has cannot be named in DeleteAccountAssignment, so appvend
 * has nothing it can remove there: that is not an error, the grant is recorded removed.
 */
async function resolveAll(
  clients: AccessClients,
  request: ApplicationRequest,
  dropped: readonly MadeGrant[],
  instanceArn: string | undefined,
): Promise<ResolvedIdentities> {
  const named = namedIdentities(request);
  const ids = await resolveIdentities(clients, named, instanceArn);
  const extraGroups = [...new Set(dropped.map((g) => g.group))].filter((g) => !named.groups.includes(g));
  const extraSets = [...new Set(dropped.map((g) => g.permissionSet))].filter(
    (p) => !named.permissionSets.includes(p),
  );
  const sets = await resolvePermissionSets(clients.sso, ids.instanceArn, extraSets);
  const groups = await resolveGroups(clients.store, ids.identityStoreId, extraGroups);
  return {
    ...ids,
    groups: { ...ids.groups, ...groups.found },
    permissionSets: { ...ids.permissionSets, ...sets.found },
  };
}

/** Starts the deletion of one assignment appvend made; one that is not there is removed already. */
async function removeGrant(
  sso: SSOAdminClient,
  ids: ResolvedIdentities,
  grant: MadeGrant,
): Promise<GrantOutcome> {
  const outcome: GrantOutcome = { ...grant, outcome: 'removed' };
  const permissionSetArn = ids.permissionSets[grant.permissionSet];
  const groupId = ids.groups[grant.group];
  if (!permissionSetArn || !groupId) return outcome;
  const assignment = { accountId: grant.accountId, permissionSetArn, groupId };
  if (!(await hasAssignment(sso, ids.instanceArn, assignment))) return outcome;
  const status = await startUnassignment(sso, ids.instanceArn, assignment);
  failIfFailed(status, outcome);
  if (status.Status !== 'SUCCEEDED') {
    outcome.outcome = 'removing';
    if (status.RequestId) outcome.requestId = status.RequestId;
  }
  return outcome;
}

function failIfFailed(status: { Status?: string; FailureReason?: string }, grant: GrantOutcome): void {
  if (status.Status !== 'FAILED') return;
  const what =
    grant.outcome === 'removing' || grant.outcome === 'removed'
      ? `remove the permission set "${grant.permissionSet}" from "${grant.group}"`
      : `give "${grant.group}" the permission set "${grant.permissionSet}"`;
  throw new AccountAssignmentFailedError(
    `Identity Center could not ${what} in ${grant.stage} (${grant.accountId}): ${status.FailureReason ?? 'no reason given'}`,
    { ...grant },
  );
}
