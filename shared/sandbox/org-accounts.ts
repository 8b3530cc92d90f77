import { countBy, membersBy, membersUnder, pageOf } from './atomic';
import type * as org from '@aws-sdk/client-organizations';
import { DEFAULT_ACCESS_ROLE } from './aws-constants';
import type { CallContext, HandlerTable, Out } from './context';
import type { EventSource } from './events';
import { accessRole } from './identity';
import { accountId, createAccountRequestId, next } from './ids';
import {
  ACCOUNT_ID_PATTERN,
  ORG_PAGES,
  accountArn,
  attachFullAwsAccess,
  checkLength,
  checkParentIdShape,
  checkTags,
  invalidInput,
  isParent,
  orgError,
  requireManagement,
  requireString,
} from './org-common';
import { paginate } from './pagination';
import type { AccountState, CreateAccountRequestState, SandboxStateJson } from './state';
import { accountsByEmail, byParent, createAccountRequestsByState } from './state-indexes';

/** Organizations: accounts and the asynchronous CreateAccount. */

const EMAIL_PATTERN = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const ACCOUNT_NAME_PATTERN = /^[\u0020-\u007E]+$/;
const ROLE_NAME_PATTERN = /^[\w+=,.@-]{1,64}$/;

const accountView = (state: SandboxStateJson, account: AccountState): org.Account => ({
  Id: account.id,
  Arn: accountArn(state, account.id),
  Email: account.email,
  Name: account.name,
  // `Status` was retired on 9 September 2026 (SDK model, Account.Status): only `State` is answered.
  State: account.status,
  JoinedMethod: account.joinedMethod,
  JoinedTimestamp: new Date(account.joinedAt),
});

const statusView = (request: CreateAccountRequestState): org.CreateAccountStatus => ({
  Id: request.id,
  AccountName: request.accountName,
  State: request.state,
  RequestedTimestamp: new Date(request.requestedAt),
  ...(request.state === 'IN_PROGRESS' ? {} : { CompletedTimestamp: new Date(request.completesAt) }),
  ...(request.accountId ? { AccountId: request.accountId } : {}),
  ...(request.state === 'FAILED'
    ? { FailureReason: request.failureReason as org.CreateAccountFailureReason }
    : {}),
});

const sameEmail = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

/**
 * Why a new request will fail, decided when it is accepted. AWS reports both asynchronously, in
 * the request's status: EMAIL_ALREADY_EXISTS when an account has the address, and
 * CONCURRENT_ACCOUNT_MODIFICATION ("you already submitted a request with the same information")
 * when a request for it is still in progress.
 */
function failureReasonFor(state: SandboxStateJson, email: string): string | undefined {
  if (countBy(state.accounts, accountsByEmail, email.toLowerCase()) > 0) return 'EMAIL_ALREADY_EXISTS';
  const pending = membersBy(state.createAccountRequests, createAccountRequestsByState, 'IN_PROGRESS').some(
    (r) => !r.failureReason && sameEmail(r.email, email),
  );
  return pending ? 'CONCURRENT_ACCOUNT_MODIFICATION' : undefined;
}

function createAccount(
  input: org.CreateAccountCommandInput,
  ctx: CallContext,
): Out<org.CreateAccountCommandOutput> {
  requireManagement(ctx);
  const { state, settings, now } = ctx;
  const email = requireString(input.Email, 'Email');
  checkLength(email, 'Email', 6, 64);
  if (!EMAIL_PATTERN.test(email))
    throw invalidInput('INVALID_PATTERN', 'Email is not a valid email address.');
  const accountName = requireString(input.AccountName, 'AccountName');
  checkLength(accountName, 'AccountName', 1, 50);
  if (!ACCOUNT_NAME_PATTERN.test(accountName))
    throw invalidInput('INVALID_PATTERN', 'AccountName contains invalid characters.');
  const roleName = input.RoleName ?? DEFAULT_ACCESS_ROLE;
  if (!ROLE_NAME_PATTERN.test(roleName))
    throw invalidInput('INVALID_PATTERN', 'RoleName is not a valid IAM role name.');
  if (roleName.startsWith('AWSServiceRoleFor'))
    throw invalidInput('INVALID_ROLE_NAME', 'A role name cannot begin with AWSServiceRoleFor.');
  if (
    input.IamUserAccessToBilling !== undefined &&
    !['ALLOW', 'DENY'].includes(input.IamUserAccessToBilling)
  ) {
    throw invalidInput('INVALID_ENUM', 'IamUserAccessToBilling must be ALLOW or DENY.');
  }
  const tags = checkTags(input.Tags);
  const inProgress = countBy(state.createAccountRequests, createAccountRequestsByState, 'IN_PROGRESS');
  if (inProgress >= settings.createAccountQuota) {
    // What AWS answers over its in-flight quota (SDK model, ConstraintViolationException):
    // "ACCOUNT_CREATION_RATE_LIMIT_EXCEEDED: You attempted to exceed the number of accounts that
    // can be in progress at a time." A client error, which the SDK does not retry.
    throw orgError(
      'ConstraintViolationException',
      'You attempted to exceed the number of accounts that can be in progress at a time.',
      { fields: { Reason: 'ACCOUNT_CREATION_RATE_LIMIT_EXCEEDED' } },
    );
  }
  const failureReason = failureReasonFor(state, email);
  const seq = next(state, 'createAccount');
  const request: CreateAccountRequestState = {
    id: createAccountRequestId(seq),
    seq,
    accountName,
    email,
    roleName,
    tags,
    requestedAt: now,
    completesAt:
      now + (failureReason ? settings.latency.createAccountFailure : settings.latency.createAccount),
    state: 'IN_PROGRESS',
    ...(failureReason ? { failureReason } : {}),
  };
  state.createAccountRequests[request.id] = request;
  return { CreateAccountStatus: statusView(request) };
}

/** Completes the earliest CreateAccount request that is due. */
export const createAccountEvents: EventSource = (state) => {
  const due = membersBy(state.createAccountRequests, createAccountRequestsByState, 'IN_PROGRESS').sort(
    (a, b) => a.completesAt - b.completesAt || a.seq - b.seq,
  )[0];
  if (!due) return undefined;
  return { at: due.completesAt, order: due.seq, apply: () => completeCreateAccount(state, due) };
};

function completeCreateAccount(state: SandboxStateJson, request: CreateAccountRequestState): void {
  if (request.failureReason) {
    request.state = 'FAILED';
    return;
  }
  const management = state.organization.managementAccountId;
  const account: AccountState = {
    id: accountId(next(state, 'account')),
    name: request.accountName,
    email: request.email,
    parentId: state.organization.rootId,
    status: 'ACTIVE',
    joinedMethod: 'CREATED',
    joinedAt: request.completesAt,
    roles: { [request.roleName]: accessRole(management, request.roleName) },
  };
  state.accounts[account.id] = account;
  attachFullAwsAccess(state, account.id);
  if (request.tags.length > 0) state.tags[account.id] = request.tags;
  request.accountId = account.id;
  request.state = 'SUCCEEDED';
}

function describeCreateAccountStatus(
  input: org.DescribeCreateAccountStatusCommandInput,
  ctx: CallContext,
): Out<org.DescribeCreateAccountStatusCommandOutput> {
  requireManagement(ctx);
  const id = requireString(input.CreateAccountRequestId, 'CreateAccountRequestId');
  if (!/^car-[a-z0-9]{8,32}$/.test(id))
    throw invalidInput('INVALID_PATTERN', 'CreateAccountRequestId is not valid.');
  const request = ctx.state.createAccountRequests[id];
  if (!request) {
    throw orgError(
      'CreateAccountStatusNotFoundException',
      "We can't find an create account request with the CreateAccountRequestId that you specified.",
    );
  }
  return { CreateAccountStatus: statusView(request) };
}

function listCreateAccountStatus(
  input: org.ListCreateAccountStatusCommandInput,
  ctx: CallContext,
): Out<org.ListCreateAccountStatusCommandOutput> {
  requireManagement(ctx);
  const states = input.States;
  if (states?.some((s) => !['IN_PROGRESS', 'SUCCEEDED', 'FAILED'].includes(s))) {
    throw invalidInput('INVALID_ENUM', 'States must be IN_PROGRESS, SUCCEEDED or FAILED.');
  }
  const page = states?.length
    ? paginate(
        membersUnder(ctx.state.createAccountRequests, createAccountRequestsByState, states),
        input.NextToken,
        input.MaxResults,
        ORG_PAGES,
      )
    : pageOf(ctx.state.createAccountRequests, (requests) =>
        paginate(requests, input.NextToken, input.MaxResults, ORG_PAGES),
      );
  return { CreateAccountStatuses: page.items.map(statusView), NextToken: page.nextToken };
}

function listAccounts(
  input: org.ListAccountsCommandInput,
  ctx: CallContext,
): Out<org.ListAccountsCommandOutput> {
  requireManagement(ctx);
  const page = pageOf(ctx.state.accounts, (accounts) =>
    paginate(accounts, input.NextToken, input.MaxResults, ORG_PAGES),
  );
  return { Accounts: page.items.map((a) => accountView(ctx.state, a)), NextToken: page.nextToken };
}

function listAccountsForParent(
  input: org.ListAccountsForParentCommandInput,
  ctx: CallContext,
): Out<org.ListAccountsForParentCommandOutput> {
  requireManagement(ctx);
  const parentId = requireString(input.ParentId, 'ParentId');
  checkParentIdShape(parentId, 'ParentId');
  if (!isParent(ctx.state, parentId)) {
    throw orgError(
      'ParentNotFoundException',
      "We can't find a root or OU with the ParentId that you specified.",
    );
  }
  const accounts = membersBy<AccountState>(ctx.state.accounts, byParent, parentId);
  const page = paginate(accounts, input.NextToken, input.MaxResults, ORG_PAGES);
  return { Accounts: page.items.map((a) => accountView(ctx.state, a)), NextToken: page.nextToken };
}

function describeAccount(
  input: org.DescribeAccountCommandInput,
  ctx: CallContext,
): Out<org.DescribeAccountCommandOutput> {
  requireManagement(ctx);
  const id = requireString(input.AccountId, 'AccountId');
  if (!ACCOUNT_ID_PATTERN.test(id)) throw invalidInput('INVALID_PATTERN', 'AccountId must be 12 digits.');
  const account = ctx.state.accounts[id];
  if (!account)
    throw orgError(
      'AccountNotFoundException',
      "We can't find an AWS account with the AccountId that you specified.",
    );
  return { Account: accountView(ctx.state, account) };
}

export const ACCOUNT_HANDLERS: HandlerTable = {
  CreateAccount: createAccount,
  DescribeCreateAccountStatus: describeCreateAccountStatus,
  ListCreateAccountStatus: listCreateAccountStatus,
  ListAccounts: listAccounts,
  ListAccountsForParent: listAccountsForParent,
  DescribeAccount: describeAccount,
};
