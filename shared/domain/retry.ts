/**
 * Errors worth another try, by name. The SDK already retries throttling and 5xx inside a call; the
 * state machine's Retry catches what is left (the SDK gave up, or the error arrived as a failed
 * task). Not retried, on purpose: validation errors, quota errors, access denied, "not found"
 * (a retry cannot fix them), and CreateAccount's FAILED states (explained to the user instead).
 */
export const TRANSIENT_ERRORS = [
  'TooManyRequestsException',
  'ThrottlingException',
  'Throttling',
  'ConcurrentModificationException',
  'OperationInProgressException',
  'ServiceException',
  'InternalFailure',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'TimeoutError',
] as const;
