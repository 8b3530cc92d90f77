import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { OrganizationsClient } from '@aws-sdk/client-organizations';
export const handler = async (x: string) => { if (x === 'sts') { const c = new STSClient({}); await c.send(new GetCallerIdentityCommand({})); await c.send(new AssumeRoleCommand({RoleArn: x, RoleSessionName: 'a'})); } return new OrganizationsClient({}); };
