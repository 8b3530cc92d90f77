import { OrganizationsClient } from '@aws-sdk/client-organizations';
export const handler = async (x: string) => new OrganizationsClient({});
