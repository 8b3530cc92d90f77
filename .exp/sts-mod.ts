import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
export async function run(x: string) { const c = new STSClient({}); await c.send(new GetCallerIdentityCommand({})); await c.send(new AssumeRoleCommand({RoleArn: x, RoleSessionName: 'a'})); }
