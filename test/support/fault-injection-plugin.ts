import type {
  FinalizeHandlerArguments,
  FinalizeRequestMiddleware,
  HttpRequest,
  RelativeMiddlewareOptions,
} from '@smithy/types';
import type { AnyPluggable } from '../../shared/aws/client-factory';
import { SERVICE_BY_CLIENT } from '../../shared/sandbox/handlers';
import { faultError, serviceKey, type FaultInjector, type FaultKind } from '../../shared/sandbox/faults';
import type { ServiceName } from '../../shared/sandbox/errors';

/** One SDK attempt as the plugin saw it (every retry is an attempt of its own). */
export interface InjectedCall {
  /** The sandbox's key: 'organizations', 'cloudformation', 'config', 'events', 'dynamodb' … */
  service: string;
  /** 'CreateOrganizationalUnit' (no 'Command'). */
  operation: string;
  /** The caller's account, '' when its access key is not known. */
  accountId: string;
  /** The fault injected into this attempt, if any. */
  fault?: FaultKind;
}

/** Options of {@link faultInjectionPlugin}. */
export interface FaultInjectionOptions {
  /**
   * Access key id → account id of callers known in advance (the management account's static
   * keys). Keys handed out by AssumeRole through a client with this plugin are learned from the
   * answer, so calls made with member-account credentials are attributed too.
   */
  accounts?: Readonly<Record<string, string>>;
  /** Told about every attempt, after the fault (if any) was taken. */
  onCall?: (call: InjectedCall) => void;
}

/**
 * Inside the retry loop, like the sandbox's own middleware (signing is placed right after
 * retryMiddleware, and this right after signing): every attempt passes through here, and what it
 * throws is classified by the SDK's real retry strategy exactly as a deserialized service error
 * or an HTTP handler's timeout would be. Being after signing also puts the caller's access key id
 * on the request.
 */
const OPTIONS: RelativeMiddlewareOptions = {
  name: 'appvendFaultInjection',
  relation: 'after',
  toMiddleware: 'httpSigningMiddleware',
  override: true,
};

const CREDENTIAL = /Credential=([^/,\s]+)\//;
const ROLE_ACCOUNT = /^arn:[^:]+:iam::(\d{12}):role\//;

/** The services faults.ts shapes errors for, by the same keys the sandbox uses. */
const MODELLED: ReadonlySet<string> = new Set(Object.values(SERVICE_BY_CLIENT));
const isModelled = (service: string): service is ServiceName => MODELLED.has(service);

/**
 * Injects a {@link FaultInjector}'s faults into any SDK v3 client that talks to a real endpoint
 * (moto server, LocalStack): the same fault specs the sandbox takes, with the same effects.
 *
 * - throttling, concurrent-modification, server-error, timeout: the attempt fails with the
 *   service's own error (faults.ts) and never reaches the endpoint;
 * - crash-after-success: the attempt reaches the endpoint and takes effect there, then its answer
 *   is replaced by a 500 (an endpoint's own refusal is passed on unchanged: nothing took effect).
 *
 * With a plugin that answers in place of the endpoint (the sandbox's, a stub), add this one last:
 * of two middlewares placed right after signing, the one added later runs first.
 *
 * @example
 * const faults = new FaultInjector();
 * configureAws({ endpoint, credentials, plugins: [faultInjectionPlugin(faults)] });
 * faults.inject({ service: 'organizations', operation: 'CreatePolicy', error: 'server-error', times: 5 });
 */
export function faultInjectionPlugin(
  injector: FaultInjector,
  options: FaultInjectionOptions = {},
): AnyPluggable {
  const accounts = new Map(Object.entries(options.accounts ?? {}));
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- one middleware for every client's types
  const middleware: FinalizeRequestMiddleware<any, any> = (next, context) => async (args) => {
    const clientName = context.clientName ?? 'UnknownClient';
    // The sandbox's keys, so that a spec written for the sandbox ('events', not 'eventbridge') matches.
    const service = SERVICE_BY_CLIENT[clientName] ?? serviceKey(clientName);
    const operation = (context.commandName ?? 'UnknownCommand').replace(/Command$/, '');
    const accessKeyId = accessKeyOf(args);
    const accountId = (accessKeyId && accounts.get(accessKeyId)) ?? '';
    const fault = injector.take({ service, operation, accountId });
    options.onCall?.({ service, operation, accountId, ...(fault && { fault }) });
    if (fault && fault !== 'crash-after-success') throw injectedError(fault, service);
    const result = await next(args);
    if (operation === 'AssumeRole') learnAssumedRole(accounts, args.input, result.output);
    if (fault === 'crash-after-success') throw injectedError(fault, service);
    return result;
  };
  return { applyToStack: (stack) => stack.addRelativeTo(middleware, OPTIONS) };
}

/** The error a fault raises: the service's own (faults.ts), or a generic one of the same class. */
export function injectedError(kind: FaultKind, service: string): Error {
  return isModelled(service) ? faultError(kind, service) : genericFaultError(kind, service);
}

/**
 * For services faults.ts does not shape (DynamoDB, IAM, S3 …): errors carrying exactly what the
 * SDK's retry strategy classifies by (name, `$metadata.httpStatusCode`, `$retryable`, `$fault`),
 * so that each kind is retried, or not, as the same kind is for the modelled services.
 */
function genericFaultError(kind: FaultKind, service: string): Error {
  const serviceError = (name: string, message: string, fault: 'client' | 'server', status: number) =>
    Object.assign(new Error(`${message} (${service})`), {
      name,
      $fault: fault,
      $metadata: { httpStatusCode: status },
    });
  switch (kind) {
    case 'throttling':
      return Object.assign(serviceError('ThrottlingException', 'Rate exceeded', 'client', 400), {
        $retryable: { throttling: true },
      });
    case 'concurrent-modification':
      return serviceError(
        'ConcurrentModificationException',
        'The request conflicts with another request in progress.',
        'client',
        400,
      );
    case 'timeout':
      // What @smithy/node-http-handler raises when a socket times out: no $metadata, no effect.
      return Object.assign(new Error('Connection timed out after 30000 ms (injected fault)'), {
        name: 'TimeoutError',
      });
    case 'server-error':
    case 'crash-after-success':
      return serviceError(
        'InternalFailure',
        kind === 'crash-after-success'
          ? 'An internal error occurred. Try again later. (injected fault: the request took effect, its answer was lost)'
          : 'An internal error occurred. Try again later.',
        'server',
        500,
      );
  }
}

function accessKeyOf(args: FinalizeHandlerArguments<object>): string | undefined {
  const headers = (args.request as HttpRequest | undefined)?.headers ?? {};
  return CREDENTIAL.exec(headers.authorization ?? headers.Authorization ?? '')?.[1];
}

/** Remembers whose account the credentials AssumeRole handed out belong to. */
function learnAssumedRole(accounts: Map<string, string>, input: unknown, output: unknown): void {
  const roleArn = (input as { RoleArn?: string } | undefined)?.RoleArn ?? '';
  const accessKeyId = (output as { Credentials?: { AccessKeyId?: string } } | undefined)?.Credentials
    ?.AccessKeyId;
  const accountId = ROLE_ACCOUNT.exec(roleArn)?.[1];
  if (accessKeyId && accountId) accounts.set(accessKeyId, accountId);
}
