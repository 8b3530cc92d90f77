/**
 * Retry classification, in one place. Where each kind of error is retried:
 *
 * - inside a call, by the SDK's standard retry strategy (exponential backoff with full jitter):
 *   throttling (`$retryable.throttling`), 5xx, timeouts and connection errors, up to the client's
 *   maxAttempts;
 * - around a task, by the state machine's Retry (full jitter): {@link TRANSIENT_ERRORS}, i.e. what
 *   the SDK gave up on plus the conflicts it does not retry (concurrent modification, an operation
 *   in progress), and {@link ACCOUNT_NOT_READY_RETRY} for a new account that does not answer
 *   through its role yet;
 * - in the adapter, by looking before acting: each non-idempotent creation (CreateAccount,
 *   CreatePolicy, CreateOrganizationalUnit, CreateStackSet) is preceded by a lookup of what a lost
 *   earlier attempt may have made. The SDK does re-send CreatePolicy, CreateOrganizationalUnit and
 *   CreateStackSet when an answer is lost; AWS refuses the second by name (Duplicate…,
 *   NameAlreadyExists), and that answer is read as "made by the first" and followed by the same
 *   lookup. CreateAccount has no such refusal (a second request would fail later, by email), so it
 *   is sent with SDK retries off: a lost answer is found by the next look instead. Stack set
 *   operations carry an id of appvend's own, which the SDK re-sends with a retry.
 *
 * Never retried ({@link NOT_RETRIED}): a retry cannot fix them, so they fail the step at once with
 * the reason, and the vend can be resumed once the cause is fixed.
 */

/** Errors the state machine's Retry catches, by name. */
export const TRANSIENT_ERRORS = [
  'TooManyRequestsException',
  'ThrottlingException',
  'Throttling',
  // SNS's name for it.
  'ThrottledException',
  'ConcurrentModificationException',
  // AWS Config's name for it.
  'ResourceConcurrentModificationException',
  'OperationInProgressException',
  // IAM Identity Center and the identity store: "A retry (with appropriate backoff logic) is the
  // recommended response to this exception"; their server fault is InternalServerException.
  'ConflictException',
  'InternalServerException',
  // AWS Config: a conformance pack is being created or updated; "try again later".
  'ResourceInUseException',
  // S3's names: throttled, a conflicting operation on the bucket, an internal error.
  'SlowDown',
  'OperationAborted',
  'InternalError',
  'ServiceException',
  'InternalFailure',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'TimeoutError',
] as const;

/** The Retry of {@link TRANSIENT_ERRORS}: 5 s, 10 s, 20 s, 40 s at most (full jitter: up to those). */
export const TRANSIENT_RETRY = {
  intervalSeconds: 5,
  backoffRate: 2,
  maxAttempts: 5,
  maxDelaySeconds: 60,
} as const;

/**
 * The readiness probe's Retry: a new account refusing its access role is asked again, 4 s growing
 * by half each time to 2 min, then the step fails with the probe's explanation. AWS gives no figure
 * ("You might need to wait a few minutes before you can successfully access the account",
 * CreateAccount); appvend allows about ten minutes on average. The slow growth (×1.5, not ×2) keeps
 * the answering role seen soon after it answers: a doubling backoff overshoots by up to the time
 * already waited, a third of the role's propagation at the sandbox's figure. With full jitter each
 * wait is drawn between 0 and its cap, so the expected total is half the caps' sum: 17 retries
 * (Step Functions' MaxAttempts counts retries) have caps 4+6+9+13.5+20.25+30.4+45.6+68.3+102.5+120×8
 * ≈ 1,260 s, that is 630 s expected, 21 minutes at worst.
 */
export const ACCOUNT_NOT_READY_RETRY = {
  error: 'AccountNotReadyError',
  intervalSeconds: 4,
  backoffRate: 1.5,
  maxAttempts: 17,
  maxDelaySeconds: 120,
} as const;

/** The caps of a full-jitter Retry's waits, in seconds, one per retry (MaxAttempts of them). */
export function retryCapsSeconds(policy: {
  intervalSeconds: number;
  backoffRate: number;
  maxAttempts: number;
  maxDelaySeconds: number;
}): number[] {
  return Array.from({ length: policy.maxAttempts }, (_, i) =>
    Math.min(policy.maxDelaySeconds, policy.intervalSeconds * policy.backoffRate ** i),
  );
}

/** What a full-jitter Retry waits in all, on average, when every attempt fails: half the caps' sum. */
export const expectedFullJitterSeconds = (policy: Parameters<typeof retryCapsSeconds>[0]): number =>
  retryCapsSeconds(policy).reduce((sum, cap) => sum + cap, 0) / 2;

/**
 * RemoveGuardrails' Retry while a conformance pack is still deploying (a vend just ended, or a
 * deletion is running): 30 s doubling to 2 min, about 12 minutes in all; AWS takes minutes.
 */
export const PACK_BUSY_RETRY = {
  error: 'ConformancePackBusyError',
  intervalSeconds: 30,
  backoffRate: 2,
  maxAttempts: 8,
  maxDelaySeconds: 120,
} as const;

/**
 * CloseAccounts' Retry while AWS refuses a closure because others are in progress at a time
 * (AccountClosuresBusyError; AWS documents no figure for that limit): 30 s doubling to 2 min, 6
 * attempts. A closure takes "a few minutes" (CloseAccount), so this waits out the ones in flight.
 */
export const CLOSURES_BUSY_RETRY = {
  error: 'AccountClosuresBusyError',
  intervalSeconds: 30,
  backoffRate: 2,
  maxAttempts: 6,
  maxDelaySeconds: 120,
} as const;

/** Errors deliberately not retried, with why: each fails its step at once. */
export const NOT_RETRIED: Readonly<Record<string, string>> = {
  InvalidRequestError: 'the request breaks a rule of the schema; it must be corrected',
  QuotaExceededError: 'an SCP, attachment or account quota would be exceeded; raise it or free room',
  AccountCreationFailedError:
    "CreateAccount ended FAILED (e.g. EMAIL_ALREADY_EXISTS); AWS's reason is explained",
  ConflictError: 'an email or name belongs to something outside this application',
  AccountAdoptionRefusedError:
    "a stage's address belongs to an account the application may not take over; the request must change",
  OrganizationSetupError: 'the organization lacks what appvend needs (SCPs disabled, parent missing)',
  StackSetOperationFailedError: 'a stack instance failed; its status reason says why',
  GuardrailsFailedError:
    "a conformance pack ended CREATE_FAILED or the Config recorder fails to record; AWS's reason says why",
  BucketEmptyingError:
    "S3 refused to delete an object version (e.g. a bucket policy's Deny); it names the key",
  AccessDeniedException: "the caller's role lacks a permission; retrying cannot grant it",
  AccessDenied: "the caller's role lacks a permission; retrying cannot grant it",
  ValidationException: 'AWS refused the input',
  ConstraintViolationException: 'an Organizations constraint (quota, policy type disabled) was hit',
  DuplicatePolicyAttachmentException: 'handled as success by the adapter, never an error',
  UnsupportedRegionError: 'the Region is unknown or opt-in; the service must run in another Region',
  ConnectionNotUsableError:
    'the connection belongs to another account and cannot be shared with the tooling account; the request must name another',
  ConnectionShareConflictError:
    "a RAM resource share of the connection share's name lacks the application's tag; a person must rename or delete it",
  UnsupportedOperationError: 'the endpoint does not implement the operation; asking again cannot change that',
};
