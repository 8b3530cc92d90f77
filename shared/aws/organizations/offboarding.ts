import { AccountClosuresBusyError, QuotaExceededError } from '../../errors';
import {
  CloseAccountCommand,
  DescribeAccountCommand,
  DeleteOrganizationalUnitCommand,
  DeletePolicyCommand,
  DescribeOrganizationalUnitCommand,
  DescribeOrganizationCommand,
  DescribePolicyCommand,
  DetachPolicyCommand,
  paginateListAccounts,
  paginateListChildren,
  paginateListTargetsForPolicy,
  type Account,
  type OrganizationsClient,
} from '@aws-sdk/client-organizations';
import { notTaggedReason, taggedFor } from '../application-tag';
import { collect, isAwsError } from '../paginate';
import { moveAccount, parentOf } from './accounts';
import { tagsOf } from './organizational-unit';
import { findServiceControlPolicy } from './service-control-policy';

/**
 * The Organizations side of an offboarding. Each function looks before it acts and reads AWS's
 * "already done" answers as success, so a retry after a lost answer is harmless; none touches what
 * does not carry the application's tag.
 */

export type Removal =
  { outcome: 'deleted' | 'absent'; id?: string } | { outcome: 'kept'; id?: string; reason: string };

async function policyExists(client: OrganizationsClient, policyId: string): Promise<boolean> {
  try {
    await client.send(new DescribePolicyCommand({ PolicyId: policyId }));
    return true;
  } catch (error) {
    if (isAwsError(error, 'PolicyNotFoundException')) return false;
    throw error;
  }
}

/**
 * Detaches the application's SCP from every target it is attached to (it was made for the
 * application's OU; any other attachment is of this policy too) and deletes it. Found by the id
 * the ledger kept, else by its name.
 */
export async function removeApplicationPolicy(
  client: OrganizationsClient,
  params: { policyId?: string; name: string; application: string },
): Promise<Removal & { detachedFrom: string[] }> {
  const id =
    params.policyId && (await policyExists(client, params.policyId))
      ? params.policyId
      : (await findServiceControlPolicy(client, params.name))?.Id;
  if (!id) return { outcome: 'absent', detachedFrom: [] };
  if (!taggedFor(await tagsOf(client, id), params.application)) {
    return { outcome: 'kept', id, reason: notTaggedReason(params.application), detachedFrom: [] };
  }
  const targets = await collect(
    paginateListTargetsForPolicy({ client }, { PolicyId: id }),
    (page) => page.Targets,
  );
  const detachedFrom: string[] = [];
  for (const target of targets) {
    if (!target.TargetId) continue;
    try {
      await client.send(new DetachPolicyCommand({ PolicyId: id, TargetId: target.TargetId }));
      detachedFrom.push(target.TargetId);
    } catch (error) {
      if (!isAwsError(error, 'PolicyNotAttachedException', 'TargetNotFoundException')) throw error;
    }
  }
  try {
    await client.send(new DeletePolicyCommand({ PolicyId: id }));
  } catch (error) {
    if (!isAwsError(error, 'PolicyNotFoundException')) throw error;
  }
  return { outcome: 'deleted', id, detachedFrom };
}

/** Whether the OU exists; `OrganizationalUnitNotFoundException` is the only "no". */
export async function organizationalUnitExists(client: OrganizationsClient, ouId: string): Promise<boolean> {
  try {
    await client.send(new DescribeOrganizationalUnitCommand({ OrganizationalUnitId: ouId }));
    return true;
  } catch (error) {
    if (isAwsError(error, 'OrganizationalUnitNotFoundException')) return false;
    throw error;
  }
}

/** Deletes the application's OU when it is empty and carries the application's tag. */
export async function removeApplicationOu(
  client: OrganizationsClient,
  params: { ouId: string; application: string },
): Promise<Removal> {
  const id = params.ouId;
  if (!(await organizationalUnitExists(client, id))) return { outcome: 'absent', id };
  if (!taggedFor(await tagsOf(client, id), params.application)) {
    return { outcome: 'kept', id, reason: notTaggedReason(params.application) };
  }
  const children = async (ChildType: 'ACCOUNT' | 'ORGANIZATIONAL_UNIT') =>
    collect(paginateListChildren({ client }, { ParentId: id, ChildType }), (page) => page.Children);
  const [accounts, ous] = [await children('ACCOUNT'), await children('ORGANIZATIONAL_UNIT')];
  if (accounts.length + ous.length > 0) {
    return {
      outcome: 'kept',
      id,
      reason:
        `not empty (${accounts.length} account(s), ${ous.length} OU(s) that appvend did not put there: ` +
        `${[...accounts, ...ous].map((c) => c.Id).join(', ')}); left alone`,
    };
  }
  try {
    await client.send(new DeleteOrganizationalUnitCommand({ OrganizationalUnitId: id }));
  } catch (error) {
    if (!isAwsError(error, 'OrganizationalUnitNotFoundException')) throw error;
  }
  return { outcome: 'deleted', id };
}

export type Suspension =
  { outcome: 'moved'; from: string } | { outcome: 'already' } | { outcome: 'kept'; reason: string };

/**
 * Moves an account of the application into the suspended OU, but only from the application's OU
 * (where the vend put it): an account found anywhere else was moved by someone since, and is left
 * where it is.
 */
export async function moveToSuspendedOu(
  client: OrganizationsClient,
  params: { accountId: string; applicationOuId?: string; suspendedOuId: string },
): Promise<Suspension> {
  let parentId: string | undefined;
  try {
    parentId = await parentOf(client, params.accountId);
  } catch (error) {
    if (isAwsError(error, 'ChildNotFoundException', 'AccountNotFoundException')) {
      return { outcome: 'kept', reason: 'no longer in the organization' };
    }
    throw error;
  }
  if (parentId === params.suspendedOuId) return { outcome: 'already' };
  if (!parentId || parentId !== params.applicationOuId) {
    return {
      outcome: 'kept',
      reason: `in ${parentId ?? 'no parent'}, not in the application's OU: moved by someone else, left where it is`,
    };
  }
  const moved = await moveAccount(client, {
    accountId: params.accountId,
    from: parentId,
    to: params.suspendedOuId,
  });
  return moved ? { outcome: 'moved', from: parentId } : { outcome: 'already' };
}

/** AWS's states of an account that is closed or being closed. */
const CLOSED_STATES = new Set(['PENDING_CLOSURE', 'SUSPENDED', 'CLOSED']);

/** Whether AWS shows the account as closed or being closed (`State`; `Status` was retired in 2026). */
export const isClosed = (account: Pick<Account, 'State'>): boolean => CLOSED_STATES.has(account.State ?? '');

/** Whether the account is closed or being closed, as DescribeAccount shows it. */
export async function accountClosed(client: OrganizationsClient, accountId: string): Promise<boolean> {
  const { Account } = await client.send(new DescribeAccountCommand({ AccountId: accountId }));
  return Account !== undefined && isClosed(Account);
}

/** The organization's accounts, the management account's id, and the tags of the accounts asked about. */
export async function organizationAccounts(client: OrganizationsClient): Promise<{
  managementAccountId: string;
  accounts: Account[];
}> {
  const { Organization } = await client.send(new DescribeOrganizationCommand({}));
  const managementAccountId = Organization?.MasterAccountId;
  if (!managementAccountId) throw new Error('DescribeOrganization returned no management account');
  const accounts = await collect(paginateListAccounts({ client }, {}), (page) => page.Accounts);
  return { managementAccountId, accounts };
}

/** Whether the account carries the application's tag, i.e. appvend created it for the application. */
export async function accountCreatedFor(
  client: OrganizationsClient,
  accountId: string,
  application: string,
): Promise<boolean> {
  return taggedFor(await tagsOf(client, accountId), application);
}

/** Closes an account; an account closed already (a lost answer's retry) is not an error. */
export async function closeAccount(
  client: OrganizationsClient,
  accountId: string,
): Promise<'closed' | 'already-closed'> {
  try {
    await client.send(new CloseAccountCommand({ AccountId: accountId }));
    return 'closed';
  } catch (error) {
    if (isAwsError(error, 'AccountAlreadyClosedException')) return 'already-closed';
    const reason = isAwsError(error, 'ConstraintViolationException')
      ? (error as { Reason?: string }).Reason
      : undefined;
    // "You attempted to exceed the number of accounts that you can close at a time" (SDK model): the
    // closures in progress end within minutes, so the step is asked again (CLOSURES_BUSY_RETRY).
    if (reason === 'CLOSE_ACCOUNT_REQUESTS_LIMIT_EXCEEDED') {
      throw new AccountClosuresBusyError(
        `AWS refused to close account ${accountId} while other closures are in progress; asked again shortly`,
        { accountId },
        { cause: error },
      );
    }
    // "You have exceeded close account quota for the past 30 days": appvend's own check let it
    // through (AWS's figure is lower than APPVEND_CLOSURE_SHARE says); waiting days is no retry.
    if (reason === 'CLOSE_ACCOUNT_QUOTA_EXCEEDED') {
      throw new QuotaExceededError(
        `AWS refused to close account ${accountId}: the organization's closure quota for the past 30 days is used up. ` +
          'The accounts stay in the suspended OU; close them when the quota allows (appvend offboard <name> --close-accounts) ' +
          'and lower APPVEND_CLOSURE_SHARE to what AWS allows',
        { accountId },
        { cause: error },
      );
    }
    throw error;
  }
}
