/**
 * AWS Organizations runs at most five CreateAccount requests at once per organization and answers
 * the sixth with TooManyRequestsException. appvend queues instead of failing.
 */
export const DEFAULT_CREATE_ACCOUNT_CONCURRENCY = 5;
