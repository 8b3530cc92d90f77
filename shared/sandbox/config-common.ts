import type { CallContext } from './context';
import { awsError, type AwsErrorOptions } from './errors';
import type { PageRules } from './pagination';
import type { ConfigAccountState } from './state';
import { configKey } from './state';

/** Helpers shared by the AWS Config modules. */

export const configError = (name: string, message: string, options?: AwsErrorOptions) =>
  awsError('config', name, message, options);

/** The JSON-protocol "1 validation error detected" answer. */
export const configValidation = (member: string, constraint: string) =>
  configError(
    'ValidationException',
    `1 validation error detected: Value at '${member}' failed to satisfy constraint: ${constraint}`,
  );

/** Config settings are per account and Region: the caller's account, the Region called. */
export function accountConfig(ctx: CallContext): ConfigAccountState {
  const key = configKey(ctx.caller.accountId, ctx.region);
  ctx.state.config[key] ??= { accountId: ctx.caller.accountId, region: ctx.region, conformancePacks: {} };
  return ctx.state.config[key];
}

/** Config's describe paging: Limit 0 (meaning the default) to 20. */
export const CONFIG_PAGES: PageRules = {
  defaultSize: 20,
  maxSize: 20,
  invalidToken: () => configError('InvalidNextTokenException', 'The specified next token is not valid.'),
  invalidSize: (size) =>
    configError('InvalidLimitException', `The specified limit ${size} is outside the allowable range.`),
};
