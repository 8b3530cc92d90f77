import type { IdentitystoreClient } from '@aws-sdk/client-identitystore';
import type { SSOAdminClient } from '@aws-sdk/client-sso-admin';
import {
  AccountAssignmentFailedError,
  assignmentStatus,
  hasAssignment,
  resolveIdentities,
  startUnassignment,
} from '../../aws/identity-center';
import { ACCOUNT_ASSIGNMENT_POLL_POLICY, nextPoll, type PollState } from '../../domain/polling';
import type { OffboardTarget } from './types';

/** One assignment the vend made, on its way out. */
export interface AssignmentRemoval {
  group: string;
  permissionSet: string;
  stage: string;
  accountId: string;
  outcome: 'deleting' | 'deleted' | 'absent';
  requestId?: string;
}

export interface AccessRemoval {
  state: 'IN_PROGRESS' | 'DONE';
  removals: AssignmentRemoval[];
  poll?: PollState;
}

/**
 * The offboarding's RemoveAccess step, before the accounts leave the OU: deletes the Identity
 * Center assignments the vend recorded creating (the ledger's summary, `outcome` created: never
 * one it found in place and kept), then looks at each deletion again after the state machine's
 * Wait until all have SUCCEEDED. One already gone is `absent`.
 */
export async function removeAccess(
  clients: { sso: SSOAdminClient; store: IdentitystoreClient },
  params: { target: OffboardTarget; previous?: AccessRemoval; instanceArn?: string },
): Promise<AccessRemoval> {
  const made = params.target.accessGrants ?? [];
  if (made.length === 0) return { state: 'DONE', removals: [] };
  const ids = await resolveIdentities(
    clients,
    {
      groups: [...new Set(made.map((g) => g.group))],
      permissionSets: [...new Set(made.map((g) => g.permissionSet))],
    },
    params.instanceArn,
  );
  const key = (g: { accountId: string; group: string; permissionSet: string }) => ({
    accountId: g.accountId,
    permissionSetArn: ids.permissionSets[g.permissionSet]!,
    groupId: ids.groups[g.group]!,
  });
  let removals = params.previous?.removals;
  if (!removals) {
    removals = [];
    for (const grant of made) {
      const removal: AssignmentRemoval = { ...grant, outcome: 'absent' };
      if (await hasAssignment(clients.sso, ids.instanceArn, key(grant))) {
        const status = await startUnassignment(clients.sso, ids.instanceArn, key(grant));
        failIfFailed(status, removal);
        removal.outcome = status.Status === 'SUCCEEDED' ? 'deleted' : 'deleting';
        if (removal.outcome === 'deleting' && status.RequestId) removal.requestId = status.RequestId;
      }
      removals.push(removal);
    }
  } else {
    for (const removal of removals) {
      if (removal.outcome !== 'deleting' || !removal.requestId) continue;
      const status = await assignmentStatus(clients.sso, ids.instanceArn, {
        requestId: removal.requestId,
        kind: 'delete',
      });
      failIfFailed(status, removal);
      if (status.Status === 'SUCCEEDED') {
        removal.outcome = 'deleted';
        delete removal.requestId;
      }
    }
  }
  const running = removals.some((r) => r.outcome === 'deleting');
  return {
    state: running ? 'IN_PROGRESS' : 'DONE',
    removals,
    ...(running && { poll: nextPoll(ACCOUNT_ASSIGNMENT_POLL_POLICY, params.previous?.poll) }),
  };
}

function failIfFailed(status: { Status?: string; FailureReason?: string }, removal: AssignmentRemoval): void {
  if (status.Status !== 'FAILED') return;
  throw new AccountAssignmentFailedError(
    `Identity Center could not remove "${removal.permissionSet}" from "${removal.group}" in ${removal.stage} (${removal.accountId}): ${status.FailureReason ?? 'no reason given'}`,
    { ...removal },
  );
}
