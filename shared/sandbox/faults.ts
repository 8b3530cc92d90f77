import { awsError, type ServiceName } from './errors';

/** The failures a fault can inject. */
export type FaultKind =
  'throttling' | 'concurrent-modification' | 'server-error' | 'timeout' | 'crash-after-success';

/** Every kind of fault, in the order the fault matrices list them. */
export const FAULT_KINDS: readonly FaultKind[] = [
  'throttling',
  'concurrent-modification',
  'server-error',
  'timeout',
  'crash-after-success',
];

/** Which calls a fault hits, and how. */
export interface FaultSpec {
  /** 'organizations' | 'sts' | 'cloudformation' | 'config' (client names such as 'OrganizationsClient' work too); any when omitted. */
  service?: string;
  /** The operation, e.g. 'CreateOrganizationalUnit' (a trailing 'Command' is ignored). */
  operation: string;
  /** Only calls attributed to this account; any when omitted. */
  account?: string;
  error: FaultKind;
  /** How many matching calls fail; 1 when omitted. */
  times?: number;
}

/** A fault still armed, with the calls it has left. */
export interface ArmedFault extends FaultSpec {
  remaining: number;
}

/** Normalizes a service or client name: 'ConfigServiceClient' → 'config'. */
export function serviceKey(name: string): string {
  const key = name.toLowerCase().replace(/client$/, '');
  if (key === 'configservice') return 'config';
  return key === 'ssoadmin' ? 'sso-admin' : key;
}

const operationKey = (name: string) => name.replace(/Command$/, '');

/**
 * Injects failures into matching calls, in injection order, so that reliability work can prove
 * the workflow survives AWS's bad days.
 *
 * - `throttling`: the service's throttling error, which the SDK backs off and retries;
 * - `concurrent-modification`: ConcurrentModificationException (Organizations), its nearest
 *   equivalent elsewhere; not retried by the SDK, the caller must;
 * - `server-error`: a 500, which the SDK retries;
 * - `timeout`: a TimeoutError as the HTTP handler raises it, retried by the SDK; no effect;
 * - `crash-after-success`: the call takes effect, then the answer is lost as a 500: the SDK
 *   retries a call that already happened.
 *
 * @example
 * sandbox.faults.inject({ service: 'organizations', operation: 'CreatePolicy', error: 'throttling', times: 2 });
 */
export class FaultInjector {
  private armed: ArmedFault[] = [];

  /** Arms a fault. */
  public inject(spec: FaultSpec): void {
    if (!FAULT_KINDS.includes(spec.error)) throw new RangeError(`Unknown fault ${String(spec.error)}`);
    const times = spec.times ?? 1;
    if (!Number.isInteger(times) || times < 1) throw new RangeError('times must be a positive integer');
    this.armed.push({ ...spec, remaining: times });
  }

  /** Disarms every fault. */
  public clear(): void {
    this.armed = [];
  }

  /** The faults still armed. */
  public pending(): ArmedFault[] {
    return this.armed.map((fault) => ({ ...fault }));
  }

  /** Consumes the first armed fault matching a call. Used by the sandbox's dispatcher. */
  public take(call: { service: string; operation: string; accountId: string }): FaultKind | undefined {
    const fault = this.armed.find(
      (f) =>
        (f.service === undefined || serviceKey(f.service) === call.service) &&
        operationKey(f.operation) === call.operation &&
        (f.account === undefined || f.account === call.accountId),
    );
    if (!fault) return undefined;
    fault.remaining -= 1;
    if (fault.remaining === 0) this.armed = this.armed.filter((f) => f !== fault);
    return fault.error;
  }
}

const THROTTLING: Record<ServiceName, [string, string]> = {
  organizations: [
    'TooManyRequestsException',
    "AWS Organizations can't complete your request because another request is already in progress. Try again later.",
  ],
  sts: ['Throttling', 'Rate exceeded'],
  cloudformation: ['Throttling', 'Rate exceeded'],
  config: ['ThrottlingException', 'Rate exceeded'],
  events: ['ThrottlingException', 'Rate exceeded'],
  // The wire code is "Throttled"; the SDK deserializes it as ThrottledException, the name callers see.
  sns: ['ThrottledException', 'Rate exceeded'],
  s3: ['SlowDown', 'Please reduce your request rate.'],
  ram: ['ThrottlingException', 'Rate exceeded'],
  'sso-admin': ['ThrottlingException', 'Rate exceeded'],
  identitystore: ['ThrottlingException', 'Rate exceeded'],
  account: ['TooManyRequestsException', 'Rate exceeded'],
};

const CONCURRENT: Record<ServiceName, [string, string]> = {
  organizations: [
    'ConcurrentModificationException',
    "AWS Organizations can't complete your request because it conflicts with another attempt to modify the same entity. Try again later.",
  ],
  sts: ['ConcurrentModificationException', 'The request conflicts with another request in progress.'],
  cloudformation: ['OperationInProgressException', 'Another Operation is in progress'],
  config: [
    'ResourceConcurrentModificationException',
    'Two users are trying to modify the same resource at the same time.',
  ],
  events: ['ConcurrentModificationException', 'There is concurrent modification on a resource.'],
  sns: ['ConcurrentAccessException', "Can't perform multiple operations on a tag simultaneously."],
  s3: [
    'OperationAborted',
    'A conflicting conditional operation is currently in progress against this resource. Please try again.',
  ],
  // RAM has no concurrent-modification error; a share changing state refuses with this one.
  ram: [
    'InvalidStateTransitionException',
    "The operation failed because the requested operation isn't valid for the resource share in its current state.",
  ],
  // "a conflict with a previous successful write … A retry (with appropriate backoff logic) is the recommended response"
  'sso-admin': [
    'ConflictException',
    'The request conflicts with a previous write that has not propagated yet.',
  ],
  identitystore: [
    'ConflictException',
    'The request conflicts with a previous write that has not propagated yet.',
  ],
  account: [
    'ConflictException',
    'The request could not be processed because of a conflict in the current status of the resource.',
  ],
};

/** Services whose model names the server-side failure InternalServerException. */
const INTERNAL_SERVER_EXCEPTION: ReadonlySet<ServiceName> = new Set([
  'sso-admin',
  'identitystore',
  'account',
]);

/** The error a fault raises, shaped like the service's own. */
export function faultError(kind: FaultKind, service: ServiceName): Error {
  switch (kind) {
    case 'throttling': {
      const [name, message] = THROTTLING[service];
      return awsError(service, name, message, { throttling: true });
    }
    case 'concurrent-modification': {
      const [name, message] = CONCURRENT[service];
      return awsError(service, name, message);
    }
    case 'timeout':
      // What @smithy/node-http-handler raises when a socket times out: no $metadata, no effect.
      return Object.assign(new Error('Connection timed out after 30000 ms (sandbox fault)'), {
        name: 'TimeoutError',
      });
    case 'server-error':
    case 'crash-after-success': {
      const name =
        service === 'organizations'
          ? 'ServiceException'
          : service === 's3'
            ? 'InternalError'
            : INTERNAL_SERVER_EXCEPTION.has(service)
              ? 'InternalServerException'
              : 'InternalFailure';
      const detail =
        kind === 'crash-after-success'
          ? ' (sandbox fault: the request took effect, its answer was lost)'
          : '';
      return awsError(service, name, `An internal error occurred. Try again later.${detail}`, {
        fault: 'server',
      });
    }
  }
}
