import type {
  FinalizeRequestMiddleware,
  HttpRequest,
  HttpResponse,
  MetadataBearer,
  Pluggable,
  RelativeMiddlewareOptions,
} from '@smithy/types';

/** A call as the sandbox sees it, read off the signed request. */
export interface WireCall {
  clientName: string;
  commandName: string;
  /** The command's input, as the caller gave it. */
  input: unknown;
  /** From the SigV4 Authorization header: whose credentials signed the request. */
  accessKeyId?: string;
  /** From the SigV4 credential scope: the Region the request was signed for. */
  region?: string;
  /** A parameter of the serialized request (where the SDK puts generated idempotency tokens). */
  wireParam(name: string): string | undefined;
}

/** Answers a call with a modelled output (including `$metadata`), or throws a service error. */
export type WireHandler = (call: WireCall) => MetadataBearer;

/**
 * After signing, so that the access key id is on the request, and after the retry middleware
 * (signing is added relative to retry), so that thrown errors go through the SDK's real retry
 * strategy and each attempt reaches the sandbox.
 */
const OPTIONS: RelativeMiddlewareOptions = {
  name: 'appvendSandboxMiddleware',
  relation: 'after',
  toMiddleware: 'httpSigningMiddleware',
  override: true,
};

const CREDENTIAL = /Credential=([^/,\s]+)\/\d{8}\/([^/]+)\/[^/]+\/aws4_request/;

/**
 * A smithy plugin that answers every command from the sandbox instead of the network: the
 * middleware never calls `next`, so nothing leaves the process.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the same plugin serves every client's input/output types
export function sandboxPlugin(handle: WireHandler): Pluggable<any, any> {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const middleware: FinalizeRequestMiddleware<any, any> = (_next, context) => async (args) => {
    const request = args.request as HttpRequest;
    const headers = request.headers ?? {};
    const authorization = headers.authorization ?? headers.Authorization ?? '';
    const [, accessKeyId, region] = CREDENTIAL.exec(authorization) ?? [];
    const params = wireParams(request);
    const output = handle({
      clientName: context.clientName ?? 'UnknownClient',
      commandName: context.commandName ?? 'UnknownCommand',
      input: args.input,
      ...(accessKeyId ? { accessKeyId } : {}),
      ...(region ? { region } : {}),
      wireParam: (name) => params(name),
    });
    const response: HttpResponse = {
      statusCode: 200,
      reason: 'OK',
      headers: { 'x-amzn-requestid': output.$metadata.requestId ?? '' },
    };
    return { output, response };
  };
  return { applyToStack: (stack) => stack.addRelativeTo(middleware, OPTIONS) };
}

/**
 * Reads a parameter of the serialized body, lazily: only the query protocol (CloudFormation, STS)
 * carries the idempotency tokens the sandbox needs, and JSON bodies are left untouched.
 */
function wireParams(request: HttpRequest): (name: string) => string | undefined {
  let form: URLSearchParams | undefined;
  return (name) => {
    if (!String(request.headers?.['content-type'] ?? '').includes('x-www-form-urlencoded')) return undefined;
    form ??= new URLSearchParams(typeof request.body === 'string' ? request.body : '');
    return form.get(name) ?? undefined;
  };
}
