import type { Pluggable } from '@smithy/types';
import { UnsupportedOperationError } from '../errors';

/** What the SDK leaves on an error it could not read as an AWS answer (a deserialization failure). */
interface UnreadableAnswer {
  $fault?: unknown;
  $response?: { statusCode?: number; headers?: Record<string, string | undefined> };
}

/**
 * True when `error` is the SDK failing to read the endpoint's answer as AWS's, because the answer
 * was an HTML page or a 404: what an emulator (moto server, LocalStack) sends for an API it does
 * not implement. An error AWS's protocol describes (a ServiceException, with `$fault`) is never
 * one, nor is a network failure (no `$response`).
 */
export function isUnimplementedAnswer(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const answer = error as UnreadableAnswer;
  if ('$fault' in answer || !answer.$response) return false;
  const contentType = Object.entries(answer.$response.headers ?? {}).find(
    ([name]) => name.toLowerCase() === 'content-type',
  )?.[1];
  return answer.$response.statusCode === 404 || /html/i.test(contentType ?? '');
}

/** `ConfigServiceClient` + `PutOrganizationConfigRuleCommand` → `ConfigService:PutOrganizationConfigRule`. */
export function operationName(clientName: string | undefined, commandName: string | undefined): string {
  const service = (clientName ?? 'unknown').replace(/Client$/, '');
  const operation = (commandName ?? 'unknown').replace(/Command$/, '');
  return `${service}:${operation}`;
}

/**
 * A client middleware for AWS-compatible endpoints: a call the endpoint does not implement fails
 * with an {@link UnsupportedOperationError} naming the operation and the endpoint, instead of the
 * JSON or XML parser's `Unexpected token '<'`, which names neither. Outermost (initialize step),
 * so it sees the error after the SDK's own retries.
 */
export function unsupportedOperationPlugin(endpoint: string): Pluggable<object, object> {
  return {
    applyToStack: (stack) => {
      stack.add(
        (next, context) => async (args) => {
          try {
            return await next(args);
          } catch (error) {
            if (!isUnimplementedAnswer(error)) throw error;
            const operation = operationName(context.clientName, context.commandName);
            const status = (error as UnreadableAnswer).$response?.statusCode;
            throw new UnsupportedOperationError(
              `${operation} is not implemented by the endpoint ${endpoint}: it answered HTTP ${status} ` +
                'with a page that is not an AWS response',
              { operation, endpoint, status },
              { cause: error },
            );
          }
        },
        { step: 'initialize', name: 'appvendUnsupportedOperation', override: true },
      );
    },
  };
}
