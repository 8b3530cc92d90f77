import type { Account, OrganizationsClient } from '@aws-sdk/client-organizations';
import { APPLICATION_TAG } from '../application-tag';
import type { ExistingAccount } from '../../domain/account-adoption';
import { tagsOf } from './organizational-unit';
import { parentOf } from './accounts';

/**
 * The management account's id as an account ARN carries it: AWS's account ARNs are
 * `arn:<partition>:organizations::<management-account-id>:account/<organization-id>/<account-id>`,
 * so the management account is the one whose own id is in that place. No extra call is needed.
 */
export function isManagementAccount(account: Pick<Account, 'Id' | 'Arn'>): boolean {
  const management = /^arn:[\w-]+:organizations::(\d{12}):account\//.exec(account.Arn ?? '')?.[1];
  return management !== undefined && management === account.Id;
}

const applicationOf = (tags: readonly { Key?: string; Value?: string }[] | undefined): string | undefined =>
  tags?.find((tag) => tag.Key === APPLICATION_TAG)?.Value;

/**
 * What the adoption rules need of an account found by email: its state, whether it is the
 * management account, the application it is tagged for, and the application its parent OU is
 * tagged for (reads only: ListTagsForResource on the account and its OU, ListParents).
 */
export async function describeExistingAccount(
  client: OrganizationsClient,
  account: Account & { Id: string },
): Promise<ExistingAccount> {
  const [tags, parentId] = await Promise.all([tagsOf(client, account.Id), parentOf(client, account.Id)]);
  const parentTags = parentId?.startsWith('ou-') ? await tagsOf(client, parentId) : undefined;
  const taggedFor = applicationOf(tags);
  const parentTaggedFor = applicationOf(parentTags);
  return {
    id: account.Id,
    ...(account.State !== undefined && { state: account.State }),
    management: isManagementAccount(account),
    ...(taggedFor !== undefined && { taggedFor }),
    ...(parentId !== undefined && { parentId }),
    ...(parentTaggedFor !== undefined && { parentTaggedFor }),
  };
}
