import {
  CreateAccountCommand,
  DescribeAccountCommand,
  DescribeCreateAccountStatusCommand,
  ListAccountsCommand,
  ListParentsCommand,
  MoveAccountCommand,
  paginateListAccountsForParent,
  paginateListCreateAccountStatus,
  type Account,
  type CreateAccountStatus,
  type OrganizationsClient,
} from '@aws-sdk/client-organizations';
import {
  ACCOUNT_CREATION_RATE_LIMIT_EXCEEDED,
  DEFAULT_ACCOUNT_SEARCH_PAGES,
  DEFAULT_CREATE_ACCOUNT_CONCURRENCY,
  LIST_ACCOUNTS_PAGE_SIZE,
  RETRIED_CREATE_FAILURES,
} from '../../domain/account-creation';
import { AccountCreationFailedError, ConflictError } from '../../errors';
import { collect, findInPages, isAwsError } from '../paginate';
import { toAwsTags } from '../tags';

/** What CreateAccount's FAILED reasons mean for the person who asked. */
const FAILURE_EXPLANATIONS: Record<string, string> = {
  EMAIL_ALREADY_EXISTS:
    'the email address is already used by another AWS account (perhaps in another organization)',
  ACCOUNT_LIMIT_EXCEEDED: 'the organization has reached its account quota; ask AWS Support for more',
  INVALID_ADDRESS: 'the account owner address is invalid',
  INVALID_EMAIL: 'AWS rejected the email address',
  CONCURRENT_ACCOUNT_MODIFICATION:
    'a request with the same information was already in progress; appvend retried it and AWS still refused',
  INTERNAL_FAILURE: 'AWS reported an internal failure; appvend retried it and AWS still failed',
  MISSING_PAYMENT_INSTRUMENT: 'the management account has no valid payment method',
  INVALID_PAYMENT_INSTRUMENT: 'the management account has no valid payment method',
};

/**
 * Where a search of ListAccounts stopped: the next page's token and how many pages were read. No
 * token: start over from the first page, a new search (AWS refused the token, see
 * {@link startAccountCreation}); `restarts` counts those.
 */
export interface AccountSearchCursor {
  nextToken?: string;
  pagesRead: number;
  restarts?: number;
}

/**
 * How many times one attempt's search starts over after AWS refuses its NextToken before the step
 * fails with AWS's refusal: a token that never lives from one invocation to the next would
 * otherwise loop for ever.
 */
export const MAX_SEARCH_RESTARTS = 3;

export interface AccountProgress {
  /**
   * QUEUED: not started because the organization already has its quota of requests in flight.
   * SEARCHING: the organization was not searched to its end for the address within this
   * invocation's page budget; ask again with `search` (nothing was sent).
   */
  state: 'QUEUED' | 'SEARCHING' | 'IN_PROGRESS' | 'SUCCEEDED';
  accountId?: string;
  requestId?: string;
  /** How many CreateAccount requests were in flight in the organization when it was QUEUED. */
  inFlight?: number;
  /** SEARCHING: where the next invocation goes on. */
  search?: AccountSearchCursor;
  /** When AWS reports the request completed (`CompletedTimestamp`, epoch ms), when it did. */
  completedAt?: number;
  /** When the request was made (`RequestedTimestamp`, epoch ms), when AWS reports it. */
  requestedAt?: number;
}

/** What a bounded search for an address found: the account, none in the whole organization, or where it stopped. */
export type EmailSearch =
  | { state: 'FOUND'; account: Account }
  | { state: 'ABSENT'; pagesRead: number }
  | { state: 'SEARCHING'; cursor: AccountSearchCursor };

/**
 * Looks for the account with this address through at most `pageBudget` pages of ListAccounts,
 * from `from` (a cursor of an earlier call) or from the first page. ABSENT only once a page came
 * back without NextToken: AWS may answer a page with fewer accounts than asked for, even none,
 * while more remain, so only the token says where the list ends.
 */
export async function searchAccountByEmail(
  client: OrganizationsClient,
  email: string,
  options: { pageBudget: number; from?: AccountSearchCursor },
): Promise<EmailSearch> {
  if (!Number.isInteger(options.pageBudget) || options.pageBudget < 1) {
    throw new RangeError(`pageBudget must be a whole number of at least 1, not ${options.pageBudget}`);
  }
  const wanted = email.toLowerCase();
  let nextToken = options.from?.nextToken;
  let pagesRead = options.from?.pagesRead ?? 0;
  for (let page = 0; page < options.pageBudget; page++) {
    const answer = await client.send(
      new ListAccountsCommand({
        MaxResults: LIST_ACCOUNTS_PAGE_SIZE,
        ...(nextToken !== undefined && { NextToken: nextToken }),
      }),
    );
    pagesRead += 1;
    const found = (answer.Accounts ?? []).find((account) => account.Email?.toLowerCase() === wanted);
    if (found) return { state: 'FOUND', account: found };
    if (!answer.NextToken) return { state: 'ABSENT', pagesRead };
    nextToken = answer.NextToken;
  }
  const restarts = options.from?.restarts;
  return { state: 'SEARCHING', cursor: { nextToken: nextToken!, pagesRead, ...(restarts && { restarts }) } };
}

/**
 * Where an account of an earlier vend of the application is: the account the ledger recorded for
 * the stage (`accountId`, one DescribeAccount), then the application's OU (`ouId`, its accounts).
 */
export interface ApplicationPlaces {
  ouId: string;
  accountId?: string;
}

/** Looks for the account with this address in the application's places only (a few calls). */
async function searchApplicationPlaces(
  client: OrganizationsClient,
  places: ApplicationPlaces,
  email: string,
): Promise<EmailSearch> {
  const wanted = email.toLowerCase();
  if (places.accountId !== undefined) {
    try {
      const { Account: account } = await client.send(
        new DescribeAccountCommand({ AccountId: places.accountId }),
      );
      if (account && account.Email?.toLowerCase() === wanted) return { state: 'FOUND', account };
    } catch (error) {
      // Gone from the organization (removed, or closed long ago): the OU, then AWS, tell the rest.
      if (!isAwsError(error, 'AccountNotFoundException')) throw error;
    }
  }
  const found = await findInPages(
    paginateListAccountsForParent({ client }, { ParentId: places.ouId }),
    (page) => page.Accounts,
    (account) => account.Email?.toLowerCase() === wanted,
  );
  return found ? { state: 'FOUND', account: found } : { state: 'ABSENT', pagesRead: 0 };
}

/** Every CreateAccount request in flight in the organization, whoever started it. */
export async function requestsInProgress(client: OrganizationsClient): Promise<CreateAccountStatus[]> {
  return collect(
    paginateListCreateAccountStatus({ client }, { States: ['IN_PROGRESS'] }),
    (page) => page.CreateAccountStatuses,
  );
}

/**
 * Starts vending an account, or finds that it exists or is on its way, or queues it. CreateAccount
 * is not idempotent, so it is only sent after looking for the account by email and for a request
 * still in progress under its name (what a crashed earlier attempt leaves behind).
 *
 * The search by email reads at most `pageBudget` pages of ListAccounts per call: in a large
 * organization it answers SEARCHING with a cursor, and the state machine calls again at once with
 * `search` set, until the address is found or the list has ended. CreateAccount is only sent by
 * the call that reads the last page. A search that spans calls looks at the requests in progress
 * when it starts, as well as after its last page: a request of an earlier attempt that is in
 * progress at the start is answered IN_PROGRESS there; one that ended before the start made its
 * account, which is in the list for the whole search and so is found. (A request that completes
 * during the search would otherwise be seen neither as in progress nor in pages already read.)
 *
 * The gate: with `slot` (appvend's line), CreateAccount is sent only after a slot was taken in
 * the ledger's line item, which counts appvend's own requests and other tools' (AWS's list), so
 * executions starting at the same instant cannot all see the same free slot. Without it, the gate
 * is AWS's list alone, and two executions may both see a free slot. Either way, AWS refuses a
 * request over its quota (another tool may start one between the count and the call) with
 * ConstraintViolationException, reason ACCOUNT_CREATION_RATE_LIMIT_EXCEEDED ("You attempted to
 * exceed the number of accounts that can be in progress at a time"), which also means QUEUED (the
 * slot is freed); so does a throttling refusal.
 *
 * An account found by email is passed to `vetExisting` before it is answered SUCCEEDED (the
 * adoption rules), and so is `undefined` before a CreateAccount when none is found.
 *
 * Where it looks (`lookIn`): the whole organization, as above, or only the application's places
 * (the account the ledger recorded for the stage, and the OU). The whole organization costs a
 * ListAccounts page per 20 accounts, for every account of every vend: a cost that grows with the
 * organization. An account of an earlier vend of the application is in the application's places (a
 * few calls); any other account with the address makes AWS fail the CreateAccount with
 * EMAIL_ALREADY_EXISTS, after which the caller searches the whole organization (`emailTaken`): the
 * account found there is vetted as above, and none found (the address is another organization's)
 * fails the step with AWS's reason, without another request.
 */
export async function startAccountCreation(
  client: OrganizationsClient,
  params: {
    name: string;
    email: string;
    roleName: string;
    tags?: Record<string, string>;
    /** The most CreateAccount requests appvend lets run at once in the organization. */
    concurrency?: number;
    /**
     * appvend's hold on a CreateAccount slot (shared/workflow/steps/account-queue.ts slotKeeper):
     * with it, CreateAccount is sent only after `take` took a slot atomically in the ledger's line
     * (which counts appvend's own requests and the others AWS lists IN_PROGRESS, and the accounts
     * ahead in line); `sent` records the request id, `unused` frees a slot AWS refused. Without it,
     * the gate is AWS's count alone (accounts starting at the same instant may all see a slot).
     */
    slot?: {
      take(inProgress: readonly CreateAccountStatus[]): Promise<boolean>;
      sent(requestId: string): Promise<void>;
      unused(): Promise<void>;
    };
    /** Asking again after QUEUED: look at the slots first, the cheap call, before the accounts. */
    queued?: boolean;
    /** The most ListAccounts pages this call reads (DEFAULT_ACCOUNT_SEARCH_PAGES when unset). */
    pageBudget?: number;
    /** Going on with a search an earlier call of the same attempt answered SEARCHING (no token: anew). */
    search?: AccountSearchCursor;
    /** Throws when the account found by email (or the absence of one) must not be used. */
    vetExisting?: (existing: (Account & { Id: string }) | undefined) => Promise<void>;
    /** Where to look for an account with the address (default: the whole organization). */
    lookIn?: 'organization' | ApplicationPlaces;
    /** A CreateAccount for the address failed EMAIL_ALREADY_EXISTS: no account found means no new request. */
    emailTaken?: boolean;
  },
  /**
   * The client that sends CreateAccount, best without the SDK's own retries: a refusal for
   * throttling means "the organization is full" and is answered QUEUED at once (the state machine
   * waits), where the SDK's backoff would only hold the Lambda.
   */
  createClient: OrganizationsClient = client,
): Promise<AccountProgress> {
  // The slots left to this account: the line ahead of it goes first.
  const concurrency = params.concurrency ?? DEFAULT_CREATE_ACCOUNT_CONCURRENCY;
  const { slot } = params;
  if (params.search?.nextToken === undefined) {
    // A new search: the requests in progress now (see above). While queued, nothing of ours was
    // sent (QUEUED is only answered before CreateAccount, or when AWS refused it), so the
    // organization is still full if the count says so.
    const atStart = await requestsInProgress(client);
    const running = atStart.find((status) => status.AccountName === params.name);
    if (running?.Id) return { state: 'IN_PROGRESS', requestId: running.Id };
    if (!slot && params.queued && atStart.length >= concurrency) {
      return { state: 'QUEUED', inFlight: atStart.length };
    }
  }
  let searched: EmailSearch;
  try {
    searched =
      typeof params.lookIn === 'object' && params.search === undefined
        ? await searchApplicationPlaces(client, params.lookIn, params.email)
        : await searchAccountByEmail(client, params.email, {
            pageBudget: params.pageBudget ?? DEFAULT_ACCOUNT_SEARCH_PAGES,
            ...(params.search && { from: params.search }),
          });
  } catch (error) {
    // AWS does not say how long a NextToken stays valid. One refused on the way from an earlier
    // invocation means starting over, in the next invocation (this one has made its call), as a
    // new search with its own look at the requests in progress.
    const restarts = (params.search?.restarts ?? 0) + 1;
    if (
      params.search?.nextToken === undefined ||
      !isInvalidNextToken(error) ||
      restarts > MAX_SEARCH_RESTARTS
    ) {
      throw error;
    }
    return { state: 'SEARCHING', search: { pagesRead: 0, restarts } };
  }
  if (searched.state === 'SEARCHING') return { state: 'SEARCHING', search: searched.cursor };
  const existing = searched.state === 'FOUND' ? searched.account : undefined;
  if (existing?.Id) {
    const found = { ...existing, Id: existing.Id };
    if (params.vetExisting) await params.vetExisting(found);
    else if (found.State !== 'ACTIVE') {
      throw new ConflictError(
        `Account ${found.Id} with email ${params.email} is ${found.State ?? 'not ACTIVE'}`,
        {
          accountId: found.Id,
        },
      );
    }
    return { state: 'SUCCEEDED', accountId: found.Id };
  }
  if (params.emailTaken) {
    // AWS said an account has the address, and none in this organization has it.
    throw new AccountCreationFailedError(
      `CreateAccount for ${params.email} failed (EMAIL_ALREADY_EXISTS): ${FAILURE_EXPLANATIONS.EMAIL_ALREADY_EXISTS}, ` +
        'and no account of this organization has it',
      { email: params.email, reason: 'EMAIL_ALREADY_EXISTS' },
    );
  }
  await params.vetExisting?.(undefined);
  const inFlight = await requestsInProgress(client);
  const running = inFlight.find((status) => status.AccountName === params.name);
  if (running?.Id) return { state: 'IN_PROGRESS', requestId: running.Id };
  if (slot ? !(await slot.take(inFlight)) : inFlight.length >= concurrency) {
    return { state: 'QUEUED', inFlight: inFlight.length };
  }

  let status: CreateAccountStatus | undefined;
  try {
    ({ CreateAccountStatus: status } = await createClient.send(
      new CreateAccountCommand({
        AccountName: params.name,
        Email: params.email,
        RoleName: params.roleName,
        IamUserAccessToBilling: 'DENY',
        Tags: toAwsTags(params.tags),
      }),
    ));
  } catch (error) {
    // Another tool took the last slot between the count and the call (or, without the line,
    // another execution did). AWS refused it: nothing was sent, the slot is free again.
    if (isCreationRateLimit(error) || isAwsError(error, 'TooManyRequestsException')) {
      await slot?.unused();
      return { state: 'QUEUED', inFlight: inFlight.length };
    }
    // Any other answer of AWS's refused the call too; an error without one (the connection
    // dropped) may have sent it: the slot stays, and the retry finds the request by name.
    if ((error as { $fault?: string }).$fault === 'client') await slot?.unused();
    throw error;
  }
  if (!status?.Id) throw new Error(`CreateAccount for ${params.email} returned no request id`);
  if (status.State === 'IN_PROGRESS') await slot?.sent(status.Id);
  else await slot?.unused();
  return interpretStatus(status, params.email);
}

/** AWS's refusal of a NextToken (InvalidInputException, reason INVALID_NEXT_TOKEN in the SDK model). */
function isInvalidNextToken(error: unknown): boolean {
  return (
    isAwsError(error, 'InvalidInputException') &&
    (error as { Reason?: string }).Reason === 'INVALID_NEXT_TOKEN'
  );
}

/** AWS's refusal of a CreateAccount over the organization's in-flight quota. */
function isCreationRateLimit(error: unknown): boolean {
  return (
    isAwsError(error, 'ConstraintViolationException') &&
    (error as { Reason?: string }).Reason === ACCOUNT_CREATION_RATE_LIMIT_EXCEEDED
  );
}

/** Whether a FAILED CreateAccount may be sent again: AWS created nothing and the cause may pass. */
export const retriedCreateFailure = (error: unknown): boolean =>
  error instanceof AccountCreationFailedError &&
  (RETRIED_CREATE_FAILURES as readonly unknown[]).includes(error.context.reason);

/** Looks once at a CreateAccount request; FAILED becomes an {@link AccountCreationFailedError}. */
export async function checkAccountCreation(
  client: OrganizationsClient,
  params: { requestId: string; email: string },
): Promise<AccountProgress> {
  const { CreateAccountStatus: status } = await client.send(
    new DescribeCreateAccountStatusCommand({ CreateAccountRequestId: params.requestId }),
  );
  if (!status) throw new Error(`DescribeCreateAccountStatus ${params.requestId} returned nothing`);
  return interpretStatus(status, params.email);
}

function interpretStatus(status: CreateAccountStatus, email: string): AccountProgress {
  if (status.State === 'SUCCEEDED' && status.AccountId) {
    return {
      state: 'SUCCEEDED',
      accountId: status.AccountId,
      ...(status.CompletedTimestamp && { completedAt: new Date(status.CompletedTimestamp).getTime() }),
    };
  }
  if (status.State === 'FAILED') {
    const reason = status.FailureReason ?? 'UNKNOWN';
    throw new AccountCreationFailedError(
      `CreateAccount for ${email} failed (${reason}): ${FAILURE_EXPLANATIONS[reason] ?? 'see the AWS Organizations console'}`,
      { email, reason, requestId: status.Id },
    );
  }
  return {
    state: 'IN_PROGRESS',
    requestId: status.Id,
    ...(status.RequestedTimestamp && { requestedAt: new Date(status.RequestedTimestamp).getTime() }),
  };
}

/** The root or OU the account is in (an account has exactly one parent). */
export async function parentOf(client: OrganizationsClient, accountId: string): Promise<string | undefined> {
  const { Parents } = await client.send(new ListParentsCommand({ ChildId: accountId }));
  return Parents?.[0]?.Id;
}

/**
 * Moves the account into the OU unless it is already there. `beforeMove` runs only when the account
 * is about to enter the OU (and again on a retry that finds it still outside).
 */
export async function ensureAccountInOrganizationalUnit(
  client: OrganizationsClient,
  params: { accountId: string; ouId: string; beforeMove?: () => Promise<void> },
): Promise<{ moved: boolean; from?: string }> {
  const parentId = await parentOf(client, params.accountId);
  if (!parentId) throw new Error(`Account ${params.accountId} has no parent`);
  if (parentId === params.ouId) return { moved: false };
  await params.beforeMove?.();
  if (!(await moveAccount(client, { accountId: params.accountId, from: parentId, to: params.ouId }))) {
    return { moved: false };
  }
  return { moved: true, from: parentId };
}

/**
 * Moves the account from one parent to another; false when it is in the destination already (a
 * move whose answer was lost, retried: AWS refuses it with DuplicateAccountException).
 */
export async function moveAccount(
  client: OrganizationsClient,
  params: { accountId: string; from: string; to: string },
): Promise<boolean> {
  try {
    await client.send(
      new MoveAccountCommand({
        AccountId: params.accountId,
        SourceParentId: params.from,
        DestinationParentId: params.to,
      }),
    );
  } catch (error) {
    if (isAwsError(error, 'DuplicateAccountException')) return false;
    throw error;
  }
  return true;
}
