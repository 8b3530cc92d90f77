/**
 * AWS Organizations runs at most five CreateAccount requests at once per organization and refuses
 * the sixth with ConstraintViolationException, reason ACCOUNT_CREATION_RATE_LIMIT_EXCEEDED.
 * appvend queues instead of failing.
 */
export const DEFAULT_CREATE_ACCOUNT_CONCURRENCY = 5;

/** The ConstraintViolationException reason of a CreateAccount over the in-flight quota (SDK model). */
export const ACCOUNT_CREATION_RATE_LIMIT_EXCEEDED = 'ACCOUNT_CREATION_RATE_LIMIT_EXCEEDED';

/**
 * The FAILED reasons of a CreateAccount request that a new request may not meet: another request
 * with the same information was in progress, or AWS failed internally. A FAILED request created
 * no account, so a new CreateAccount is safe.
 */
export const RETRIED_CREATE_FAILURES = ['CONCURRENT_ACCOUNT_MODIFICATION', 'INTERNAL_FAILURE'] as const;

/**
 * ListAccounts answers at most 20 accounts a page (API reference, MaxResults: "Maximum value of
 * 20"), so finding an address in an organization of thousands of accounts takes hundreds of calls.
 */
export const LIST_ACCOUNTS_PAGE_SIZE = 20;

/**
 * The most ListAccounts pages one invocation of the account step reads (500 accounts): the search
 * goes on in the next invocation. AWS gives no time per call nor a rate for ListAccounts; at an
 * estimated 0.1–0.3 s a call this keeps the search well inside the step's 30-second Lambda, even
 * with the SDK's backoff after a throttled call. `APPVEND_ACCOUNT_SEARCH_PAGES` sets it.
 */
export const DEFAULT_ACCOUNT_SEARCH_PAGES = 25;

/**
 * The most ListAccounts pages the portal API's dry run reads (1,000 accounts). It answers in one
 * HTTP request, so it cannot go on in another invocation as the vend does: API Gateway waits 29
 * seconds by default for a Lambda integration (AWS: "the prior limit of 29 seconds", now raisable
 * for Regional REST APIs). At the same estimated 0.1–0.3 s a call, 50 pages take 5–15 s, with the
 * other reads of the plan. An address not found in them is planned `unchecked`.
 */
export const DRY_RUN_ACCOUNT_PAGES = 50;

/** How many new CreateAccount requests a vend sends for one account after such failures. */
export const CREATE_ACCOUNT_RETRIES = 3;

/**
 * AWS's default quota of accounts in an organization (orgs_reference_limits: "Default maximum
 * number of accounts", 10, adjustable through Service Quotas). Closed accounts count until they are
 * permanently closed. `APPVEND_ACCOUNT_QUOTA` sets the organization's own figure.
 */
export const DEFAULT_ACCOUNT_QUOTA = 10;
