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

/** How many new CreateAccount requests a vend sends for one account after such failures. */
export const CREATE_ACCOUNT_RETRIES = 3;

/**
 * AWS's default quota of accounts in an organization (orgs_reference_limits: "Default maximum
 * number of accounts", 10, adjustable through Service Quotas). Closed accounts count until they are
 * permanently closed. `APPVEND_ACCOUNT_QUOTA` sets the organization's own figure.
 */
export const DEFAULT_ACCOUNT_QUOTA = 10;
