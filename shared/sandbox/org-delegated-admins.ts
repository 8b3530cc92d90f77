import type * as org from '@aws-sdk/client-organizations';
import { STACKSETS_SERVICE_PRINCIPAL, STACKSETS_MAX_DELEGATED_ADMINISTRATORS } from './aws-constants';
import type { CallContext, HandlerTable, Out } from './context';
import {
  ACCOUNT_ID_PATTERN,
  ORG_PAGES,
  accountArn,
  invalidInput,
  orgError,
  requireManagement,
  requireString,
} from './org-common';
import { paginate } from './pagination';
import type { DelegatedAdministratorState, SandboxStateJson } from './state';

/**
 * Organizations: trusted access (EnableAWSServiceAccess) and delegated administrators
 * (Register/Deregister/ListDelegatedAdministrators). Only the management account may change
 * either; a delegated administrator may also list them (docs/aws-behaviours.md, "StackSets without
 * the management account").
 */

const SERVICE_PRINCIPAL = /^[\w+=,.@-]{1,128}$/;

function requirePrincipal(value: unknown): string {
  const principal = requireString(value, 'ServicePrincipal');
  if (!SERVICE_PRINCIPAL.test(principal))
    throw invalidInput(
      'INVALID_PATTERN',
      'ServicePrincipal does not match the pattern of a service principal.',
    );
  return principal;
}

const registered = (state: SandboxStateJson): DelegatedAdministratorState[] =>
  (state.delegatedAdministrators ??= []);

/** Whether the account is a delegated administrator for the service principal (any, when unset). */
export function isDelegatedAdministrator(
  state: SandboxStateJson,
  accountId: string,
  servicePrincipal?: string,
): boolean {
  return (state.delegatedAdministrators ?? []).some(
    (d) =>
      d.accountId === accountId &&
      (servicePrincipal === undefined || d.servicePrincipal === servicePrincipal),
  );
}

/** The trusted-access services include this principal (EnableAWSServiceAccess or the service's own call). */
export const hasTrustedAccess = (state: SandboxStateJson, servicePrincipal: string): boolean =>
  (state.trustedServices ?? []).includes(servicePrincipal);

function enableServiceAccess(input: org.EnableAWSServiceAccessCommandInput, ctx: CallContext): object {
  requireManagement(ctx);
  const principal = requirePrincipal(input.ServicePrincipal);
  const services = (ctx.state.trustedServices ??= []);
  if (!services.includes(principal)) services.push(principal);
  return {};
}

function requireMemberAccount(ctx: CallContext, value: unknown) {
  const accountId = requireString(value, 'AccountId');
  if (!ACCOUNT_ID_PATTERN.test(accountId))
    throw invalidInput('INVALID_PATTERN', 'AccountId must be 12 digits.');
  const account = ctx.state.accounts[accountId];
  if (!account)
    throw orgError(
      'AccountNotFoundException',
      "We can't find an AWS account with the AccountId that you specified.",
    );
  return account;
}

function registerDelegatedAdministrator(
  input: org.RegisterDelegatedAdministratorCommandInput,
  ctx: CallContext,
): object {
  requireManagement(ctx);
  const { state } = ctx;
  const account = requireMemberAccount(ctx, input.AccountId);
  const principal = requirePrincipal(input.ServicePrincipal);
  const constraint = (reason: string, message: string) =>
    orgError('ConstraintViolationException', message, { fields: { Reason: reason } });
  if (account.id === state.organization.managementAccountId) {
    throw constraint(
      'CANNOT_REGISTER_MASTER_AS_DELEGATED_ADMINISTRATOR',
      'You cannot register the management account of the organization as a delegated administrator.',
    );
  }
  if (account.status !== 'ACTIVE') {
    throw constraint(
      'CANNOT_REGISTER_SUSPENDED_ACCOUNT_AS_DELEGATED_ADMINISTRATOR',
      'You cannot register a suspended account as a delegated administrator.',
    );
  }
  if (isDelegatedAdministrator(state, account.id, principal)) {
    throw orgError(
      'AccountAlreadyRegisteredException',
      'The provided account is already a delegated administrator for your organization.',
    );
  }
  // StackSets allows five; the sandbox knows no other service's limit and allows one (estimate).
  const limit = principal === STACKSETS_SERVICE_PRINCIPAL ? STACKSETS_MAX_DELEGATED_ADMINISTRATORS : 1;
  if (registered(state).filter((d) => d.servicePrincipal === principal).length >= limit) {
    throw constraint(
      'MAX_DELEGATED_ADMINISTRATORS_FOR_SERVICE_LIMIT_EXCEEDED',
      'You attempted to register more delegated administrators than allowed for the service principal.',
    );
  }
  registered(state).push({ accountId: account.id, servicePrincipal: principal, registeredAt: ctx.now });
  return {};
}

function deregisterDelegatedAdministrator(
  input: org.DeregisterDelegatedAdministratorCommandInput,
  ctx: CallContext,
): object {
  requireManagement(ctx);
  const account = requireMemberAccount(ctx, input.AccountId);
  const principal = requirePrincipal(input.ServicePrincipal);
  if (!isDelegatedAdministrator(ctx.state, account.id, principal)) {
    throw orgError(
      'AccountNotRegisteredException',
      'The provided account is not a registered delegated administrator for your organization.',
    );
  }
  ctx.state.delegatedAdministrators = registered(ctx.state).filter(
    (d) => !(d.accountId === account.id && d.servicePrincipal === principal),
  );
  return {};
}

/** "You can only call this operation from the management account or a member account that is a delegated administrator." */
function requireManagementOrDelegatedAdministrator(ctx: CallContext): void {
  if (isDelegatedAdministrator(ctx.state, ctx.caller.accountId)) return;
  requireManagement(ctx);
}

function listDelegatedAdministrators(
  input: org.ListDelegatedAdministratorsCommandInput,
  ctx: CallContext,
): Out<org.ListDelegatedAdministratorsCommandOutput> {
  requireManagementOrDelegatedAdministrator(ctx);
  const { state } = ctx;
  const principal =
    input.ServicePrincipal === undefined ? undefined : requirePrincipal(input.ServicePrincipal);
  const byAccount = new Map<string, number>();
  for (const d of registered(state)) {
    if (principal !== undefined && d.servicePrincipal !== principal) continue;
    byAccount.set(d.accountId, Math.min(byAccount.get(d.accountId) ?? d.registeredAt, d.registeredAt));
  }
  const page = paginate([...byAccount], input.NextToken, input.MaxResults, ORG_PAGES);
  return {
    DelegatedAdministrators: page.items.map(([id, at]) => {
      const account = state.accounts[id]!;
      return {
        Id: id,
        Arn: accountArn(state, id),
        Email: account.email,
        Name: account.name,
        Status: account.status === 'ACTIVE' ? 'ACTIVE' : 'SUSPENDED',
        JoinedMethod: account.joinedMethod,
        JoinedTimestamp: new Date(account.joinedAt),
        DelegationEnabledDate: new Date(at),
      };
    }),
    NextToken: page.nextToken,
  };
}

function listDelegatedServicesForAccount(
  input: org.ListDelegatedServicesForAccountCommandInput,
  ctx: CallContext,
): Out<org.ListDelegatedServicesForAccountCommandOutput> {
  requireManagementOrDelegatedAdministrator(ctx);
  const account = requireMemberAccount(ctx, input.AccountId);
  const services = registered(ctx.state).filter((d) => d.accountId === account.id);
  if (services.length === 0) {
    throw orgError(
      'AccountNotRegisteredException',
      'The provided account is not a registered delegated administrator for your organization.',
    );
  }
  const page = paginate(services, input.NextToken, input.MaxResults, ORG_PAGES);
  return {
    DelegatedServices: page.items.map((d) => ({
      ServicePrincipal: d.servicePrincipal,
      DelegationEnabledDate: new Date(d.registeredAt),
    })),
    NextToken: page.nextToken,
  };
}

export const DELEGATED_ADMINISTRATOR_HANDLERS: HandlerTable = {
  EnableAWSServiceAccess: enableServiceAccess,
  RegisterDelegatedAdministrator: registerDelegatedAdministrator,
  DeregisterDelegatedAdministrator: deregisterDelegatedAdministrator,
  ListDelegatedAdministrators: listDelegatedAdministrators,
  ListDelegatedServicesForAccount: listDelegatedServicesForAccount,
};
