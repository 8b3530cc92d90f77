import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { principalArnOf, type CallerIdentity } from '../domain/management-access';
import { setDefaultIdentitySource, type ClientFactory } from './client-factory';

/**
 * Who the factory's own credentials belong to, as STS says: how a process that is not a deployed
 * function (the CLI, the tests, the benchmark) learns its account and principal. A deployed
 * function is told by its environment instead (`APPVEND_FUNCTION_ROLE_ARN`), and does not bundle
 * this module.
 */
export async function stsCallerIdentity(clients: ClientFactory): Promise<CallerIdentity> {
  const { Account, Arn } = await clients.managementClient(STSClient).send(new GetCallerIdentityCommand({}));
  if (!Account || !Arn) throw new Error('GetCallerIdentity returned no account');
  return { account: Account, principalArn: principalArnOf(Arn) };
}

/** Makes {@link stsCallerIdentity} the identity of every factory whose settings carry none. */
export function useStsCallerIdentity(): void {
  setDefaultIdentitySource(stsCallerIdentity);
}
