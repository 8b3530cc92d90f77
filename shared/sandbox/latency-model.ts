/**
 * How long the sandbox makes AWS's asynchronous work take, in virtual milliseconds.
 *
 * Every figure is a typical duration, not a worst case: the point is that a vend run on the sandbox
 * reports roughly the wall-clock time it would take on AWS, and that the workflow's waits and
 * backoffs are exercised. Synchronous control-plane calls (OUs, policies, STS, Config settings) take
 * no virtual time: AWS answers them in well under a second.
 */
export interface LatencyModel {
  /** CreateAccount request accepted → account ACTIVE and the request SUCCEEDED. */
  createAccount: number;
  /** CreateAccount request accepted → request FAILED (duplicate email and the like). */
  createAccountFailure: number;
  /** Fixed cost of every stack set operation, on top of its instances. */
  stackSetOperationOverhead: number;
  /** Creating one stack instance (one stack in one account and Region). */
  stackInstanceCreate: number;
  /** Updating one stack instance. */
  stackInstanceUpdate: number;
  /** Deleting one stack instance. */
  stackInstanceDelete: number;
  /** A request to a bucket with server access logging → its log object in the target bucket. */
  s3LogDelivery: number;
  /** PutConformancePack → ConformancePackState CREATE_COMPLETE. */
  conformancePackDeploy: number;
  /** A created account ACTIVE → its access role can be assumed (AccessDenied until then). */
  accessRolePropagation: number;
  /** CreateAccountAssignment or DeleteAccountAssignment accepted → its request SUCCEEDED (the permission set provisioned or the role gone). */
  accountAssignment: number;
}

const SECOND = 1000;
const MINUTE = 60 * SECOND;

/** The defaults, and where each figure comes from. */
export const DEFAULT_LATENCY: Readonly<LatencyModel> = Object.freeze({
  // AWS Organizations docs (CreateAccount): "account creation ... can take several minutes";
  // observed runs take one to four minutes. Three minutes sits in the middle.
  createAccount: 3 * MINUTE,
  // Failures such as EMAIL_ALREADY_EXISTS are reported by the same asynchronous request, but
  // come back within seconds because no account is provisioned.
  createAccountFailure: 10 * SECOND,
  // StackSets queue, validate and fan out an operation before the first stack starts: in practice
  // an operation with trivial stacks still takes 15-30 s. The low end is used.
  stackSetOperationOverhead: 15 * SECOND,
  // A small stack (a few IAM roles, a key, a bucket) creates in about a minute in CloudFormation.
  stackInstanceCreate: 1 * MINUTE,
  // Updates of the same small stacks take about as long as creates.
  stackInstanceUpdate: 1 * MINUTE,
  // Deletes are quicker: nothing waits on resource stabilisation.
  stackInstanceDelete: 30 * SECOND,
  // S3 delivers server access logs "on a best-effort basis", most "within a few hours", some sooner,
  // with no bound either way. The figure is the case that breaks a careless teardown: shorter than a
  // stack deletion, so that the requests which emptied a bucket refill its log bucket before
  // CloudFormation deletes it.
  s3LogDelivery: 20 * SECOND,
  // A conformance pack is deployed as a CloudFormation stack of Config rules by AWS Config:
  // a couple of minutes for a handful of managed rules.
  conformancePackDeploy: 2 * MINUTE,
  // An estimate: AWS gives no figure, only "You might need to wait a few minutes before you can
  // successfully access the account" (CreateAccount). One minute makes every new account refuse
  // its access role at first, so the readiness probe's Retry is exercised by every vend.
  accessRolePropagation: 1 * MINUTE,
  // An estimate: AWS documents the request as asynchronous (IN_PROGRESS, then SUCCEEDED or FAILED)
  // and gives no duration. Provisioning a permission set creates an IAM role in the account;
  // observed assignments end within seconds to a minute. Fifteen seconds makes every vend wait at
  // least once.
  accountAssignment: 15 * SECOND,
});

/** The defaults with the caller's overrides applied. */
export function resolveLatency(overrides: Partial<LatencyModel> = {}): LatencyModel {
  const merged = { ...DEFAULT_LATENCY, ...overrides };
  for (const [key, value] of Object.entries(merged)) {
    if (!Number.isFinite(value) || value < 0)
      throw new RangeError(`Latency ${key} must be a finite number >= 0`);
  }
  return merged;
}
