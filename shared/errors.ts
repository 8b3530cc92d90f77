/**
 * Errors the workflow raises on purpose. Each `name` is what Step Functions sees as the error
 * (the state machine's Catch and Retry match on it), so names are part of the contract.
 */
export class AppvendError extends Error {
  public readonly context: Record<string, unknown>;

  public constructor(message: string, context: Record<string, unknown> = {}, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.context = context;
  }
}

/** A quota (SCP size, SCP attachments, accounts) would be exceeded; nothing was changed. */
export class QuotaExceededError extends AppvendError {}

/** CreateAccount reported FAILED; the reason is AWS's, explained. */
export class AccountCreationFailedError extends AppvendError {}

/** A stack set operation ended FAILED or STOPPED. */
export class StackSetOperationFailedError extends AppvendError {}

/** The organization is not in the shape appvend needs (no root, SCPs disabled, parent missing). */
export class OrganizationSetupError extends AppvendError {}

/** An email already belongs to an account outside this application's OU, or a name clashes. */
export class ConflictError extends AppvendError {}

/**
 * The account found by a stage's address may not be adopted (the management account, another
 * application's account, one not ACTIVE, or one neither tagged for the application nor named in the
 * request's `adopt`). Thrown before anything is moved.
 */
export class AccountAdoptionRefusedError extends AppvendError {}

/**
 * An account does not answer through its access role yet (IAM is eventually consistent). The
 * state machine retries it with backoff: it is the one "try later" that is not AWS's own error.
 */
export class AccountNotReadyError extends AppvendError {}

/**
 * A look at a running AWS operation found it still running: a CreateAccount request
 * IN_PROGRESS, a stack set operation RUNNING, a conformance pack CREATE_IN_PROGRESS. The check
 * task's Retry is the wait before the next look (shared/domain/polling.ts: one state transition
 * per look); when the looks run out the step fails with this error, and the vend can be resumed.
 */
class StillRunningError extends AppvendError {}

/** CreateAccount is still IN_PROGRESS (a {@link StillRunningError} of its own name, for the Retry). */
export class AccountCreationInProgressError extends StillRunningError {}

/** A stack set operation is still RUNNING (or QUEUED, STOPPING). */
export class StackSetOperationRunningError extends StillRunningError {}

/** A conformance pack is still CREATE_IN_PROGRESS in an account. */
export class ConformancePacksDeployingError extends StillRunningError {}

/**
 * AWS refused a CloseAccount because too many closures are in progress at a time
 * (CLOSE_ACCOUNT_REQUESTS_LIMIT_EXCEEDED); the state machine asks again.
 */
export class AccountClosuresBusyError extends AppvendError {}

/** A bucket could not be emptied before its stack's deletion, for a reason a retry cannot fix. */
export class BucketEmptyingError extends AppvendError {}

/**
 * A conformance pack is still being deployed (created, updated or deleted), so AWS refuses to
 * delete it. The offboarding's state machine asks again for as long as a deployment takes.
 */
export class ConformancePackBusyError extends AppvendError {}

/**
 * A guardrail is registered but not working: a conformance pack ended CREATE_FAILED (its status
 * reason says why), or the Config recorder reports a failure to record (e.g. AccessDenied).
 */
export class GuardrailsFailedError extends AppvendError {}

/** The message of anything thrown, for summaries and events. */
/**
 * The service's Region is one appvend cannot deploy to (not an AWS commercial Region, or an opt-in
 * Region the new accounts do not have enabled). Found before any AWS call, so nothing was changed.
 */
export class UnsupportedRegionError extends AppvendError {}

/**
 * The endpoint does not implement an operation (an emulator that lacks the API answers with an
 * HTML page or a 404 the SDK cannot parse). Names the operation and the endpoint.
 */
export class UnsupportedOperationError extends AppvendError {}

/**
 * The pipeline's source connection can never be used by the tooling account (a codestar-connections
 * connection of another account, which AWS RAM cannot share). Found before the pipeline is deployed.
 */
export class ConnectionNotUsableError extends AppvendError {}

/**
 * An AWS RAM resource share has the name appvend gives the application's connection share but not
 * the application's tag: someone else's, which appvend neither changes nor adopts.
 */
export class ConnectionShareConflictError extends AppvendError {}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
