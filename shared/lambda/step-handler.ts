import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { ACCOUNT_NOT_READY_RETRY, CLOSURES_BUSY_RETRY, PACK_BUSY_RETRY } from '../domain/retry';
import { ACCOUNT_CREATION_LOOKS, CONFORMANCE_PACK_LOOKS, STACK_SET_OPERATION_LOOKS } from '../domain/polling';
import {
  readEnvironment,
  type EnvironmentOf,
  type EnvironmentShape,
} from '../workflow/environment-variables';
import { correlationKeys } from './correlation';
import { publishMetrics } from './metrics';

export const logger = new Logger({ serviceName: 'appvend' });

/**
 * Errors the state machine retries by design (an account not answering yet, a pack or closures
 * busy, an operation still running at a look): each is an expected wait, logged at DEBUG, not a
 * warning repeated at every retry.
 */
export const EXPECTED_RETRIES: ReadonlySet<string> = new Set([
  ACCOUNT_NOT_READY_RETRY.error,
  ACCOUNT_CREATION_LOOKS.error,
  STACK_SET_OPERATION_LOOKS.error,
  CONFORMANCE_PACK_LOOKS.error,
  PACK_BUSY_RETRY.error,
  CLOSURES_BUSY_RETRY.error,
]);

/**
 * Adds the correlation keys (application, request id, execution) an invocation's input carries to
 * every log line it writes; the Lambda context (request id, cold start) and the X-Ray trace id,
 * which the functions of one traced execution share, come with `injectLambdaContext`.
 *
 * @example
 * appendCorrelationKeys({ application: 'orders', requestId: 'req-1' }); // every later line carries both
 */
export function appendCorrelationKeys(input: unknown): void {
  logger.appendKeys({ ...correlationKeys(input) });
}

/**
 * Wraps a workflow step as a Lambda handler: structured logs with the Lambda context and the
 * correlation keys, the step's environment read by its declaration (a missing variable fails
 * loudly, naming itself), metrics published as EMF when the step added any, and errors thrown as
 * they are, so the state machine's Retry and Catch see their names.
 *
 * @example
 * export const handler = stepHandler('move-account', environment, (input: MoveInput, env) => core(input, env));
 */
export function stepHandler<S extends EnvironmentShape, I, O>(
  step: string,
  environment: S,
  core: (input: I, env: EnvironmentOf<S>, context: Context) => Promise<O> | O,
) {
  return middy(async (input: I, context: Context): Promise<O> => {
    logger.appendKeys({ step });
    appendCorrelationKeys(input);
    const env = readEnvironment(environment);
    try {
      const output = await core(input, env, context);
      logger.debug('step finished', { output });
      return output;
    } catch (error) {
      const name = (error as Error).name;
      if (EXPECTED_RETRIES.has(name)) logger.debug('step will be retried', { error: error as Error });
      else logger.warn('step failed', { error: error as Error });
      throw error;
    } finally {
      publishMetrics();
    }
  }).use(injectLambdaContext(logger, { resetKeys: true }));
}
