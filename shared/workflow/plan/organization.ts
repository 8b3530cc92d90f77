import type { Account, OrganizationsClient } from '@aws-sdk/client-organizations';
import {
  DescribeAccountCommand,
  ListAccountsCommand,
  paginateListAccounts,
  paginateListAccountsForParent,
} from '@aws-sdk/client-organizations';
import { describeExistingAccount } from '../../aws/organizations/account-adoption';
import { isTheOu } from '../../aws/organizations/organizational-unit';
import { collect, isAwsError } from '../../aws/paginate';
import {
  adoptionRefusal,
  adoptionRefusalMessage,
  namedAccountMissing,
  type AdoptionRequest,
} from '../../domain/account-adoption';
import { LIST_ACCOUNTS_PAGE_SIZE } from '../../domain/account-creation';
import { findServiceControlPolicy } from '../../aws/organizations/service-control-policy';
import { ouName, scpName, type AccountSpec } from '../../domain/naming';
import { policySize, renderServiceControlPolicy, type ExemptRoles } from '../../domain/scp';
import type { ApplicationRequest } from '../../request/schema';
import { canonicalJson, unifiedDiff } from './diff';
import { findOrganizationalUnit, policyContent, scpsAttachedTo } from './reads';
import type { AccountPlan, OrganizationalUnitPlan, PlanBlocker, ServiceControlPolicyPlan } from './types';

/**
 * Step 2 as a plan: the OU is kept or will be created. As the vend looks for it: the OU an earlier
 * vend recorded (`recordedId`), when it still has the name under the parent; otherwise by name
 * among the parent's OUs, a read that grows with the number of applications and that a plan of a
 * vended application therefore does not make.
 */
export async function planOrganizationalUnit(
  client: OrganizationsClient,
  request: ApplicationRequest,
  parentId: string,
  recordedId?: string,
): Promise<OrganizationalUnitPlan> {
  const name = ouName(request.name);
  const base = { kind: 'organizational-unit', step: 'EnsureOrganizationalUnit' } as const;
  if (recordedId !== undefined && (await isTheOu(client, recordedId, { parentId, name }))) {
    return { ...base, action: 'keep', name, parentId, id: recordedId };
  }
  const existing = await findOrganizationalUnit(client, parentId, name);
  return existing?.Id
    ? { ...base, action: 'keep', name, parentId, id: existing.Id }
    : { ...base, action: 'create', name, parentId };
}

/**
 * Step 3 as a plan: the SCP is created, updated (with the diff of its document), attached, or
 * kept. The quotas the step checks before changing anything are checked here too: what would stop
 * the vend is a blocker, in the step's own words.
 */
export async function planServiceControlPolicy(
  client: OrganizationsClient,
  request: ApplicationRequest,
  ou: OrganizationalUnitPlan,
  quotas: { size: number; attachments: number },
  exemptRoles: ExemptRoles,
): Promise<{ plan: ServiceControlPolicyPlan; blockers: PlanBlocker[] }> {
  const name = scpName(request.name);
  const content = renderServiceControlPolicy(request, exemptRoles);
  const size = policySize(content);
  const blockers: PlanBlocker[] = [];
  const block = (message: string) => blockers.push({ step: 'EnsureServiceControlPolicy', message });
  if (size > quotas.size) {
    block(`SCP ${name} is ${size} characters; the organization's quota is ${quotas.size}`);
  }
  const base = { kind: 'service-control-policy', step: 'EnsureServiceControlPolicy' } as const;

  // A new OU has no policy attached but AWS's FullAWSAccess, which AWS attaches itself.
  const attachedNow = ou.id ? await scpsAttachedTo(client, ou.id) : [];
  // Where the vend looks first: among the OU's policies (at most five); only a policy that is not
  // there is searched for by name among all the organization's (a read that grows with the number
  // of applications).
  const existing =
    attachedNow.find((policy) => policy.Name === name) ?? (await findServiceControlPolicy(client, name));
  const attached = existing?.Id !== undefined && attachedNow.some((p) => p.Id === existing.Id);
  if (!attached && ou.id && attachedNow.length >= quotas.attachments) {
    block(
      `${ou.id} already has ${attachedNow.length} SCPs attached (quota ${quotas.attachments}): ` +
        attachedNow.map((p) => p.Name).join(', '),
    );
  }
  if (!existing?.Id) return { plan: { ...base, action: 'create', name, size, attached: false }, blockers };

  const current = canonicalJson((await policyContent(client, existing.Id)) ?? '');
  const wanted = canonicalJson(content);
  if (current === wanted) {
    const action = attached ? 'keep' : 'attach';
    return { plan: { ...base, action, name, id: existing.Id, size, attached }, blockers };
  }
  const diff = unifiedDiff(`${current}\n`, `${wanted}\n`, {
    from: `${name} (current)`,
    to: `${name} (wanted)`,
  });
  return { plan: { ...base, action: 'update', name, id: existing.Id, size, attached, diff }, blockers };
}

/**
 * Step 4 and 5 as a plan: each account is found by email where the vend finds it — among the OU's
 * accounts, then the account an earlier vend recorded for the stage (`recordedId`) — and only an
 * account found in neither is looked for among all the organization's (ListAccounts, read at most
 * once per plan): that tells an account to create from one to adopt, which the vend learns from
 * AWS's refusal of CreateAccount. So the plan of a vended application, which finds its accounts
 * in its OU, reads nothing that grows with the organization. One found outside the OU is adopted,
 * that is moved into it. The vend's adoption rules are checked here too (a refusal is a blocker),
 * and so is the organization's account quota: the accounts to create must fit in what is left of it.
 */
export async function planAccounts(
  client: OrganizationsClient,
  specs: AccountSpec[],
  ou: OrganizationalUnitPlan,
  params: { application: string; accountQuota: number; accountPages?: number },
): Promise<{ plans: AccountPlan[]; blockers: PlanBlocker[]; notes: string[] }> {
  const blockers: PlanBlocker[] = [];
  const block = (message: string) => blockers.push({ step: 'VendAccounts', message });
  const inOu = ou.id
    ? await collect(paginateListAccountsForParent({ client }, { ParentId: ou.id }), (page) => page.Accounts)
    : [];
  let wholeOrganization: Promise<{ accounts: Account[]; complete: boolean }> | undefined;
  const readWholeOrganization = () => (wholeOrganization ??= listAccounts(client, params.accountPages));
  const plans = await Promise.all(
    specs.map(async (spec): Promise<AccountPlan> => {
      const base = { kind: 'account', step: 'VendAccounts' } as const;
      const request: AdoptionRequest = {
        application: params.application,
        stage: spec.stage,
        email: spec.email,
        ...(spec.adopt !== undefined && { namedAccountId: spec.adopt }),
      };
      const wanted = spec.email.toLowerCase();
      const hasAddress = (account: Account | undefined) => account?.Email?.toLowerCase() === wanted;
      let complete = true;
      let existing = inOu.find(hasAddress);
      if (!existing && spec.recordedId !== undefined) {
        const recorded = await describeAccount(client, spec.recordedId);
        if (hasAddress(recorded)) existing = recorded;
      }
      if (!existing) {
        const organization = await readWholeOrganization();
        existing = organization.accounts.find(hasAddress);
        complete = organization.complete;
      }
      // Not in the pages read, but the list goes on: the account may well exist.
      if (!existing?.Id && !complete) return { ...base, action: 'unchecked', ...spec };
      if (!existing?.Id) {
        if (request.namedAccountId !== undefined) {
          block(
            adoptionRefusalMessage(
              request,
              namedAccountMissing({ ...request, namedAccountId: request.namedAccountId }),
            ),
          );
        }
        return { ...base, action: 'create', ...spec };
      }
      const facts = await describeExistingAccount(client, { ...existing, Id: existing.Id });
      const refusal = adoptionRefusal(facts, request);
      if (refusal !== undefined) block(adoptionRefusalMessage(request, refusal));
      return facts.parentId === ou.id
        ? { ...base, action: 'keep', ...spec, id: existing.Id }
        : {
            ...base,
            action: 'adopt',
            ...spec,
            id: existing.Id,
            ...(facts.parentId && { parentId: facts.parentId }),
          };
    }),
  );
  blockRemovedStages(inOu, specs, ou, params.application, block);
  const notes: string[] = [];
  const unchecked = plans.filter((plan) => plan.action === 'unchecked').map((plan) => plan.stage);
  // Read only when an account was in neither place the vend looks first; every account to create is one.
  const organization = wholeOrganization && (await wholeOrganization);
  if (organization && !organization.complete) {
    notes.push(
      `The organization has more than ${organization.accounts.length} accounts and this plan reads only the ` +
        `first ${params.accountPages} pages of ListAccounts: ` +
        (unchecked.length > 0
          ? `the accounts of ${unchecked.join(', ')} were not found there and were not checked, `
          : '') +
        'nor was the account quota. `appvend plan` reads them all.',
    );
  }
  const creating = plans.filter((plan) => plan.action === 'create').length;
  if (
    organization?.complete &&
    creating > 0 &&
    organization.accounts.length + creating > params.accountQuota
  ) {
    block(
      `the organization has ${organization.accounts.length} accounts (closed ones count until AWS removes them) and its ` +
        `quota is ${params.accountQuota}: the ${creating} new account${creating === 1 ? '' : 's'} do not fit. ` +
        'Ask AWS for more through Service Quotas, then set APPVEND_ACCOUNT_QUOTA',
    );
  }
  return { plans, blockers, notes };
}

/**
 * A stage the application's OU has an account for (named `<app>-<stage>`, as the vend names them)
 * that the request no longer names: "remove stage qa: account …". The vend does not decommission
 * one stage's account, and a vend of the request would leave it in the OU with its stack
 * instances, guardrails and roles; the ledger refuses such a request (`removes-stage`), and the
 * plan says so, one blocker per stage. Read from the OU's own accounts (`inOu`).
 */
function blockRemovedStages(
  inOu: readonly Account[],
  specs: AccountSpec[],
  ou: OrganizationalUnitPlan,
  application: string,
  block: (message: string) => void,
): void {
  if (!ou.id) return;
  const wanted = new Set(specs.map((spec) => spec.name));
  const prefix = `${application}-`;
  for (const account of inOu) {
    if (!account.Id || !account.Name?.startsWith(prefix) || wanted.has(account.Name)) continue;
    if ((account.State ?? account.Status) !== 'ACTIVE') continue;
    const stage = account.Name.slice(prefix.length);
    block(
      `remove stage ${stage}: account ${account.Id} (${account.Name}) is in the OU, but the request no longer ` +
        `names stage ${stage}; the vend refuses (appvend does not decommission one stage's account): keep ` +
        'the stage, or offboard the application and vend it again with the stages it needs',
    );
  }
}

/** The account of this id, or undefined when the organization has none (gone, or closed long ago). */
async function describeAccount(client: OrganizationsClient, accountId: string): Promise<Account | undefined> {
  try {
    return (await client.send(new DescribeAccountCommand({ AccountId: accountId }))).Account;
  } catch (error) {
    if (isAwsError(error, 'AccountNotFoundException')) return undefined;
    throw error;
  }
}

/**
 * The organization's accounts, or the first `pages` pages of them (20 accounts a page); `complete`
 * once a page came back without NextToken (AWS may answer short or empty pages before the end).
 */
async function listAccounts(
  client: OrganizationsClient,
  pages: number | undefined,
): Promise<{ accounts: Account[]; complete: boolean }> {
  if (pages === undefined) {
    return {
      accounts: await collect(paginateListAccounts({ client }, {}), (page) => page.Accounts),
      complete: true,
    };
  }
  const accounts: Account[] = [];
  let nextToken: string | undefined;
  for (let read = 0; read < pages; read++) {
    const page = await client.send(
      new ListAccountsCommand({
        MaxResults: LIST_ACCOUNTS_PAGE_SIZE,
        ...(nextToken !== undefined && { NextToken: nextToken }),
      }),
    );
    accounts.push(...(page.Accounts ?? []));
    if (!page.NextToken) return { accounts, complete: true };
    nextToken = page.NextToken;
  }
  return { accounts, complete: false };
}
