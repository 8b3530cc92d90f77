import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { readEnvironment, type EnvironmentOf, type EnvironmentShape } from '../workflow/settings';

export const logger = new Logger({ serviceName: 'appvend' });

/**
 * Wraps a workflow step as a Lambda handler: structured logs with the Lambda context, the
 * step's environment parsed against its schema (a missing variable fails loudly, naming itself),
 * and errors thrown as they are, so the state machine's Retry and Catch see their names.
 *
 * @example
 * export const handler = stepHandler('move-account', environment, (input: MoveInput, env) => core(input, env));
 */
export function stepHandler<S extends EnvironmentShape, I, O>(
  step: string,
  environment: S,
  core: (input: I, env: EnvironmentOf<S>) => Promise<O> | O,
) {
  return middy(async (input: I, _context: Context): Promise<O> => {
    const env = readEnvironment(environment);
    logger.appendKeys({ step });
    try {
      const output = await core(input, env);
      logger.debug('step finished', { output });
      return output;
    } catch (error) {
      logger.warn('step failed', { error: error as Error });
      throw error;
    }
  }).use(injectLambdaContext(logger, { resetKeys: true }));
}
