import { OrganizationsClient } from '@aws-sdk/client-organizations';
export const handler = async (x: string) => { if (x === 'sts') { const { run } = await import('./sts-mod'); await run(x); } return new OrganizationsClient({}); };
