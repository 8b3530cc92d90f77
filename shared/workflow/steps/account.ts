import { OrganizationsClient } from '@aws-sdk/client-organizations';
import type { ClientFactory } from '../../aws/client-factory';
import {
  checkAccountCreation,
  ensureAccountInOrganizationalUnit,
  startAccountCreation,
  type AccountProgress,
} from '../../aws/organizations/accounts';
import { ACCOUNT_POLL_POLICY, ACCOUNT_QUEUE_POLL_POLICY, nextPoll } from '../../domain/polling';
import type { AccountCreation, VendedAccount } from '../types';
import type { AccountSpec } from '../../domain/naming';

/** 0–9 s, the same for the same email. */
function spreadSeconds(email: string): number {
  let hash = 0;
  for (const char of email) hash = (hash * 31 + char.charCodeAt(0)) >>> 0;
  return hash % 10;
}

function withPoll(
  account: AccountSpec,
  progress: AccountProgress,
  previous?: AccountCreation,
): AccountCreation {
  const result: AccountCreation = { account, state: progress.state };
  if (progress.accountId) result.accountId = progress.accountId;
  if (progress.requestId) result.requestId = progress.requestId;
  // The waits grow within one phase (queued, then in progress); a new phase starts over.
  const before = previous?.state === progress.state ? previous.poll : undefined;
  if (progress.state === 'IN_PROGRESS') result.poll = nextPoll(ACCOUNT_POLL_POLICY, before);
  if (progress.state === 'QUEUED') {
    const poll = nextPoll(ACCOUNT_QUEUE_POLL_POLICY, before);
    // Spread the queue: accounts that queued together would otherwise all look at the same
    // instant and all but one be refused. The offset is fixed per account (no randomness).
    result.poll = { ...poll, waitSeconds: poll.waitSeconds + spreadSeconds(account.email) };
  }
  return result;
}

/**
 * Step 4a: find the account by email, or find or start its CreateAccount request, or queue it when
 * the organization already has `concurrency` requests in flight (the state machine waits and
 * comes back here).
 */
export async function startAccount(
  clients: ClientFactory,
  params: {
    account: AccountSpec;
    roleName: string;
    tags?: Record<string, string>;
    application: string;
    concurrency?: number;
    queued?: boolean;
    /** The last answer, when asking again after QUEUED. */
    previous?: AccountCreation;
  },
): Promise<AccountCreation> {
  const progress = await startAccountCreation(
    clients.organizations(),
    {
      name: params.account.name,
      email: params.account.email,
      roleName: params.roleName,
      concurrency: params.concurrency,
      queued: params.queued,
      tags: {
        ...params.tags,
        'appvend:application': params.application,
        'appvend:stage': params.account.stage,
      },
    },
    // Sent once: see startAccountCreation.
    clients.managementClient(OrganizationsClient, { maxAttempts: 1 }),
  );
  return withPoll(params.account, progress, params.previous);
}

/** Step 4b: one look at the CreateAccount request (the state machine waits between looks). */
export async function checkAccount(
  clients: ClientFactory,
  creation: AccountCreation,
): Promise<AccountCreation> {
  if (!creation.requestId) throw new Error(`No CreateAccount request id for ${creation.account.email}`);
  const progress = await checkAccountCreation(clients.organizations(), {
    requestId: creation.requestId,
    email: creation.account.email,
  });
  return withPoll(creation.account, { ...progress, requestId: creation.requestId }, creation);
}

/** Step 5: move the account into the application's OU. */
export async function moveAccount(
  clients: ClientFactory,
  params: { creation: AccountCreation; ouId: string },
): Promise<VendedAccount & { moved: boolean }> {
  const { account, accountId } = params.creation;
  if (!accountId) throw new Error(`Account for ${account.email} has no id yet`);
  const { moved } = await ensureAccountInOrganizationalUnit(clients.organizations(), {
    accountId,
    ouId: params.ouId,
  });
  return { stage: account.stage, name: account.name, email: account.email, id: accountId, moved };
}
