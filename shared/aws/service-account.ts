import type { ClientFactory } from './client-factory';

/**
 * The account the factory's own credentials belong to: a deployed function's, from the role ARN
 * the service stack gives it (CloudFormation resolves it from the role itself); any other
 * process's, as STS says (ClientFactory.identity, asked once per factory).
 */
export async function callerAccount(clients: ClientFactory): Promise<string> {
  return (await clients.identity()).account;
}

/**
 * The account appvend's own calls (CloudFormation, RAM, DynamoDB…) are made in. Without a
 * management role, the process's credentials make the Organizations calls too, so they are the
 * management account's; with one (`APPVEND_MANAGEMENT_ROLE_ARN`), the process may run in a platform
 * account, and which one is the account of the role it runs as, never a request's word.
 */
export async function serviceAccount(clients: ClientFactory, managementAccountId: string): Promise<string> {
  return clients.managementRoleArn ? callerAccount(clients) : managementAccountId;
}
