import { OrganizationsClient } from '@aws-sdk/client-organizations';
import { logger } from '../../lambda/step-handler';
import { ensureAccountAnswers } from '../../aws/account-access';
import { APPLICATION_TAG, taggedFor } from '../../aws/application-tag';
import { tagsOf } from '../../aws/organizations/organizational-unit';
import type { ClientFactory } from '../../aws/client-factory';
import {
  checkAccountCreation,
  ensureAccountInOrganizationalUnit,
  retriedCreateFailure,
  startAccountCreation,
  type AccountProgress,
} from '../../aws/organizations/accounts';
import { describeExistingAccount } from '../../aws/organizations/account-adoption';
import { ensureQuarantinePolicy } from '../../aws/organizations/quarantine-policy';
import {
  adoptionRefusal,
  adoptionRefusalMessage,
  namedAccountMissing,
  type AdoptionRequest,
} from '../../domain/account-adoption';
import { CREATE_ACCOUNT_RETRIES } from '../../domain/account-creation';
import {
  AccountAdoptionRefusedError,
  AccountCreationFailedError,
  AccountCreationInProgressError,
} from '../../errors';
import { ensurePolicyAttached } from '../../aws/organizations/service-control-policy';
import { ACCESS_ROLE_ANSWERS_SECONDS, ACCOUNT_POLL_POLICY, nextPoll } from '../../domain/polling';
import { BASELINED_TAG } from '../../domain/quarantine';
import { DEFAULT_SCP_ATTACHMENT_QUOTA } from '../../domain/scp';
import type { AccountCreation, VendedAccount } from '../types';
import { leaveLine, releaseSlots, slotKeeper, startedInLine, type AccountQueueDeps } from './account-queue';
import type { AccountSpec } from '../../domain/naming';

function withPoll(
  account: AccountSpec,
  progress: AccountProgress,
  previous: AccountCreation | undefined,
  now: number,
): AccountCreation {
  const result: AccountCreation = { account, state: progress.state };
  if (progress.accountId) result.accountId = progress.accountId;
  if (progress.requestId) result.requestId = progress.requestId;
  if (progress.search) result.search = progress.search;
  if (previous?.retries) result.retries = previous.retries;
  if (previous?.emailTaken) result.emailTaken = true;
  // Every answer says how long the state machine waits before CheckAccountCreation: a request in
  // progress is first looked at the policy's first wait after AWS received it (a request found by
  // name may be older than this call), the later looks being the check's Retry
  // (ACCOUNT_CREATION_LOOKS); any other answer goes on at once (the check hands it on as it is).
  const poll = nextPoll(ACCOUNT_POLL_POLICY);
  if (progress.state === 'IN_PROGRESS') {
    const elapsed = progress.requestedAt === undefined ? 0 : Math.floor((now - progress.requestedAt) / 1000);
    poll.waitSeconds = Math.max(ACCOUNT_POLL_POLICY.minSeconds, poll.waitSeconds - Math.max(0, elapsed));
  } else poll.waitSeconds = 0;
  result.poll = poll;
  // A new account answers through its access role some time after AWS completed the request: the
  // state machine waits that long before the move and its readiness probe. An account found by
  // its address (no completion time) is probed at once.
  if (progress.state === 'SUCCEEDED') result.roleWaitSeconds = roleWaitSeconds(progress.completedAt, now);
  // QUEUED: the account waits in appvend's line for its token (account-queue.ts), not on a clock.
  return result;
}

/** Seconds from `now` until the access role of an account completed at `completedAt` is expected to answer. */
export function roleWaitSeconds(completedAt: number | undefined, now: number): number {
  if (completedAt === undefined) return 0;
  const answersAt = completedAt + ACCESS_ROLE_ANSWERS_SECONDS * 1000;
  return Math.max(0, Math.ceil((answersAt - now) / 1000));
}

/**
 * Step 4a: find the account by email, or find or start its CreateAccount request, or queue it when
 * the organization already has `concurrency` requests in flight (the state machine waits and
 * comes back here). The search reads at most `pageBudget` pages of ListAccounts per call; when the
 * organization is larger, it answers SEARCHING and the state machine calls again at once with that
 * answer as `previous`, which goes on from where it stopped.
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
    /** The most ListAccounts pages this call reads. */
    pageBudget?: number;
    /** The last answer, when asking again after QUEUED or SEARCHING. */
    previous?: AccountCreation;
    /** appvend's CreateAccount line (shared/workflow/steps/account-queue.ts); none: no line. */
    line?: AccountQueueDeps;
    /** The Step Functions execution this call is an attempt of (`$$.Execution.Id`), for the line. */
    execution?: string;
    /** The application's OU (step 1): an account of an earlier vend of it is looked for there. */
    ouId?: string;
  },
): Promise<AccountCreation> {
  const { line } = params;
  const email = params.account.email;
  const holder = {
    application: params.application,
    email,
    name: params.account.name,
    ...(params.execution !== undefined && { execution: params.execution }),
  };
  const search = params.previous?.state === 'SEARCHING' ? params.previous.search : undefined;
  const emailTaken = params.previous?.emailTaken === true;
  // The application's OU is enough unless the request names an account to adopt (it may be
  // anywhere) or AWS said the address is taken (then it is somewhere else): startAccountCreation.
  const lookIn =
    params.ouId !== undefined && params.account.adopt === undefined && !emailTaken
      ? {
          ouId: params.ouId,
          ...(params.account.recordedId !== undefined && { accountId: params.account.recordedId }),
        }
      : 'organization';
  let progress: AccountProgress;
  try {
    progress = await startAccountCreation(
      clients.organizations(),
      {
        name: params.account.name,
        email: params.account.email,
        roleName: params.roleName,
        concurrency: params.concurrency,
        // First come, first served, and never two accounts on one slot: see slotKeeper.
        ...(line && { slot: slotKeeper(line, holder) }),
        queued: params.queued,
        ...(params.pageBudget !== undefined && { pageBudget: params.pageBudget }),
        ...(search && { search }),
        lookIn,
        emailTaken,
        vetExisting: vetAdoption(clients.organizations(), {
          application: params.application,
          stage: params.account.stage,
          email: params.account.email,
          ...(params.account.adopt !== undefined && { namedAccountId: params.account.adopt }),
        }),
        tags: {
          ...params.tags,
          [APPLICATION_TAG]: params.application,
          'appvend:stage': params.account.stage,
        },
      },
      // Sent once: see startAccountCreation.
      clients.managementClient(OrganizationsClient, { maxAttempts: 1 }),
    );
  } catch (error) {
    // AWS may answer the CreateAccount itself FAILED, as it answers a later look (checkAccount).
    if (!emailTakenElsewhere(error) || emailTaken) throw error;
    await leaveLineFreeing(line, params.application, email);
    return searchWholeOrganization(
      params.account,
      params.previous ?? { account: params.account, state: 'QUEUED' },
      clients.now(),
    );
  }
  if (line && progress.state === 'IN_PROGRESS' && progress.requestId) {
    // Out of line with its request in flight, held in its slot (a retry that found the request
    // by name records it here: one slot, whichever call sent it).
    await startedInLine(line, { ...holder, requestId: progress.requestId });
  } else if (progress.state === 'SUCCEEDED') {
    // Its account exists: a grant or slot it held is free again for the next in line.
    await leaveLineFreeing(line, params.application, email);
  }
  return withPoll(params.account, progress, params.previous, clients.now());
}

/** The account leaves appvend's line (it needs no CreateAccount); what it held goes to the next. */
async function leaveLineFreeing(
  line: AccountQueueDeps | undefined,
  application: string,
  email: string,
): Promise<void> {
  if (line && (await leaveLine(line.ledger, application, email))) await releaseSlots(line);
}

/**
 * The adoption rules (shared/domain/account-adoption.ts) applied to the account found by the
 * stage's address, before the vend uses it: a refusal stops the step before anything is moved.
 */
function vetAdoption(client: OrganizationsClient, request: AdoptionRequest) {
  return async (existing: Parameters<typeof describeExistingAccount>[1] | undefined): Promise<void> => {
    let reason: string | undefined;
    if (existing) reason = adoptionRefusal(await describeExistingAccount(client, existing), request);
    else if (request.namedAccountId !== undefined) {
      reason = namedAccountMissing({ ...request, namedAccountId: request.namedAccountId });
    }
    if (reason !== undefined) {
      throw new AccountAdoptionRefusedError(adoptionRefusalMessage(request, reason), {
        stage: request.stage,
        email: request.email,
        ...(existing && { accountId: existing.Id }),
      });
    }
  };
}

/**
 * A release by an account whose own request ended (its slot freed in the same write) must not fail
 * that account's vend: a release that crashed leaves at most a grant unsent, which expires
 * (GRANT_TTL_MS) and is handed out again, or the ended request's slot held, which the next release
 * with accounts waiting or the scheduled sweep frees once ListCreateAccountStatus no longer lists it.
 */
async function releaseQuietly(line: AccountQueueDeps, ended: string): Promise<void> {
  try {
    await releaseSlots(line, { freed: ended });
  } catch (error) {
    logger.warn('releasing CreateAccount slots failed; the sweep hands them out', { error: error as Error });
  }
}

/**
 * Step 4b: one look at the CreateAccount request (the state machine waits before it, and the
 * task's Retry between looks: a request still IN_PROGRESS throws AccountCreationInProgressError).
 * A request that FAILED for a reason that may pass (RETRIED_CREATE_FAILURES) created nothing: it
 * is answered QUEUED, so the state machine's queue loop sends a new request, at most
 * CREATE_ACCOUNT_RETRIES times per account. Any answer of the start other than a request in
 * progress (an account found, queued, a search to go on) is handed on as it is, without a call:
 * the state machine goes from the start to this check whatever the start answered, and routes
 * after it.
 */
export async function checkAccount(
  clients: ClientFactory,
  creation: AccountCreation,
  /** appvend's CreateAccount line: a request that ended frees a slot for the first in line. */
  line?: AccountQueueDeps,
): Promise<AccountCreation> {
  if (creation.state !== 'IN_PROGRESS') return creation;
  if (!creation.requestId) throw new Error(`No CreateAccount request id for ${creation.account.email}`);
  try {
    const progress = await checkAccountCreation(clients.organizations(), {
      requestId: creation.requestId,
      email: creation.account.email,
    });
    if (progress.state === 'IN_PROGRESS') {
      // Not ended: the task's Retry looks again later (nothing is kept between looks).
      const since =
        progress.requestedAt === undefined
          ? ''
          : ` (requested ${Math.round((clients.now() - progress.requestedAt) / 1000)} s ago)`;
      throw new AccountCreationInProgressError(
        `CreateAccount request ${creation.requestId} for ${creation.account.email} is still IN_PROGRESS${since}`,
        { email: creation.account.email, requestId: creation.requestId },
      );
    }
    if (line && progress.state === 'SUCCEEDED') await releaseQuietly(line, creation.requestId);
    return withPoll(
      creation.account,
      { ...progress, requestId: creation.requestId },
      creation,
      clients.now(),
    );
  } catch (error) {
    // FAILED ends the request too: its slot goes to the next in line, whatever the vend does next.
    if (line && error instanceof AccountCreationFailedError) await releaseQuietly(line, creation.requestId);
    if (emailTakenElsewhere(error) && !creation.emailTaken) {
      // An account outside the OU has the address: look for it in the whole organization, at once
      // (SEARCHING), and vet it as an account found before a request would be (startAccount).
      return searchWholeOrganization(creation.account, creation, clients.now());
    }
    const retries = creation.retries ?? 0;
    if (!retriedCreateFailure(error) || retries >= CREATE_ACCOUNT_RETRIES) throw error;
    const { requestId: _failed, ...rest } = creation;
    return withPoll(creation.account, { state: 'QUEUED' }, { ...rest, retries: retries + 1 }, clients.now());
  }
}

/**
 * After AWS failed a CreateAccount EMAIL_ALREADY_EXISTS: an account outside the application's places
 * has the address. It is looked for in the whole organization, at once (SEARCHING), and vetted as
 * an account found before a request would be (startAccount); no new request is sent for it.
 */
function searchWholeOrganization(
  account: AccountSpec,
  creation: AccountCreation,
  now: number,
): AccountCreation {
  const { requestId: _taken, ...rest } = creation;
  return withPoll(
    account,
    { state: 'SEARCHING', search: { pagesRead: 0 } },
    { ...rest, emailTaken: true },
    now,
  );
}

/** AWS failed the request because an account, not in the application's OU, has the address. */
const emailTakenElsewhere = (error: unknown): boolean =>
  error instanceof AccountCreationFailedError && error.context.reason === 'EMAIL_ALREADY_EXISTS';

/**
 * Whether the account is to be quarantined: appvend created it for this application (it carries
 * the application's tag from CreateAccount) and its baseline has never been completed.
 */
async function needsQuarantine(
  client: OrganizationsClient,
  accountId: string,
  application: string,
): Promise<boolean> {
  const tags = await tagsOf(client, accountId);
  return taggedFor(tags, application) && !(tags ?? []).some((tag) => tag.Key === BASELINED_TAG);
}

/** What step 5 needs besides the account: the OU, and the roles the quarantine lets through. */
export interface PlacementParams {
  creation: AccountCreation;
  ouId: string;
  application: string;
  /** The member access role (the probe goes through it) and the StackSets execution role. */
  memberRoleName: string;
  executionRoleName: string;
}

/**
 * Step 5: put the account in place. An account appvend created for this application (it carries
 * the application's tag from CreateAccount) whose baseline was never completed is quarantined
 * before it enters the OU: a deny-all
 * SCP, except for the vending roles, stays on it until the last step, so nobody uses it before
 * its baseline is in place. An account adopted by email is not: it may already be in use. Then
 * the account is moved into the OU, and the readiness probe checks that it answers through the
 * access role before any stack is deployed into it (AccountNotReadyError until it does; the
 * state machine retries).
 */
export async function moveAccount(
  clients: ClientFactory,
  params: PlacementParams,
): Promise<VendedAccount & { moved: boolean }> {
  const { account, accountId } = params.creation;
  if (!accountId) throw new Error(`Account for ${account.email} has no id yet`);
  const client = clients.organizations();
  const { moved } = await ensureAccountInOrganizationalUnit(client, {
    accountId,
    ouId: params.ouId,
    beforeMove: async () => {
      if (!(await needsQuarantine(client, accountId, params.application))) return;
      const quarantine = await ensureQuarantinePolicy(client, [
        params.memberRoleName,
        params.executionRoleName,
      ]);
      await ensurePolicyAttached(client, {
        policyId: quarantine.id,
        targetId: accountId,
        attachmentQuota: DEFAULT_SCP_ATTACHMENT_QUOTA,
      });
    },
  });
  await ensureAccountAnswers(clients, { accountId, roleName: params.memberRoleName });
  return { stage: account.stage, name: account.name, email: account.email, id: accountId, moved };
}
