import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { OrganizationsClient } from '@aws-sdk/client-organizations';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';

/**
 * The cold-start baseline: a handler with one AWS SDK client, the Powertools logger and middy,
 * that does nothing. Bundled exactly as the workflow's handlers are, it is what each of them is
 * compared with. Organizations, because it is the service most of the workflow's steps call; the
 * client is created on first use, as the handlers' client factory does.
 */
const logger = new Logger({ serviceName: 'appvend' });
let client: OrganizationsClient | undefined;

export const handler = middy(async (_event: unknown, _context: Context) => {
  client ??= new OrganizationsClient({});
  return { region: await client.config.region() };
}).use(injectLambdaContext(logger, { resetKeys: true }));
