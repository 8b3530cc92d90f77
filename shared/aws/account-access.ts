import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { AccountNotReadyError } from '../errors';
import type { ClientFactory } from './client-factory';
import { isAwsError } from './paginate';

/** The errors with which a role that does not (yet) exist or trust us is refused. */
const REFUSED = ['AccessDenied', 'AccessDeniedException', 'InvalidClientTokenId', 'ExpiredToken'];

/**
 * The readiness probe: appvend deploys into an account only once it answers through the access
 * role (AssumeRole, then GetCallerIdentity with that session). A refusal throws
 * AccountNotReadyError, which the state machine retries with backoff: IAM is eventually
 * consistent, and a new account can refuse its role for its first moments. Other errors
 * (throttling, 5xx) are thrown as they are, for the ordinary retries.
 */
export async function ensureAccountAnswers(
  clients: ClientFactory,
  params: { accountId: string; roleName: string },
): Promise<void> {
  const { accountId, roleName } = params;
  let reason: string;
  try {
    const sts = await clients.accessRoleClient(STSClient, accountId);
    const { Account } = await sts.send(new GetCallerIdentityCommand({}));
    if (Account === accountId) return;
    reason = `the session answered as account ${Account ?? 'unknown'}`;
  } catch (error) {
    if (!isAwsError(error, ...REFUSED)) throw error;
    reason = (error as Error).message;
  }
  throw new AccountNotReadyError(
    `account ${accountId} does not answer through ${roleName} yet: ${reason}. ` +
      'New accounts answer within minutes; if this persists, check that the role exists and trusts the management account.',
    { accountId, roleName },
  );
}
