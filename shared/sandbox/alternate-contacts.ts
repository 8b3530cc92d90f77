import type * as account from '@aws-sdk/client-account';
import type { CallContext, HandlerTable, Out } from './context';
import { awsError } from './errors';
import type { SandboxStateJson } from './state';

/**
 * AWS Account Management's alternate contacts (PutAlternateContact, GetAlternateContact,
 * DeleteAlternateContact). With `AccountId`, the caller must be the management account, the
 * account a member of the organization, and trusted access enabled for `account.amazonaws.com`;
 * the management account may not name itself. Cited in docs/aws-behaviours.md.
 */

export const ACCOUNT_MANAGEMENT_PRINCIPAL = 'account.amazonaws.com';
const TYPES = ['BILLING', 'OPERATIONS', 'SECURITY'] as const;
type ContactType = (typeof TYPES)[number];
// API_AlternateContact's patterns and lengths.
const EMAIL = /^\s*[\w+=.#|!&-]+@[\w.-]+\.\w+\s*$/;
const PHONE = /^[\s0-9()+-]+$/;

const contacts = (state: SandboxStateJson) => (state.alternateContacts ??= {});

/** The account the call is about, with the conditions AWS sets on `AccountId`. */
function targetAccount(accountId: string | undefined, ctx: CallContext): string {
  const management = ctx.state.organization.managementAccountId;
  if (accountId === undefined) return ctx.caller.accountId;
  if (!/^\d{12}$/.test(accountId)) {
    throw awsError('account', 'ValidationException', 'AccountId must be a 12-digit account id.', {
      fields: { reason: 'fieldValidationFailed' },
    });
  }
  if (ctx.caller.accountId !== management) {
    throw awsError(
      'account',
      'AccessDeniedException',
      'Only the management account (or a delegated administrator) may specify AccountId.',
    );
  }
  if (accountId === management) {
    // "The management account can't specify its own AccountId"
    throw awsError(
      'account',
      'AccessDeniedException',
      'The management account cannot specify its own AccountId; call the operation without it.',
    );
  }
  if (!(ctx.state.trustedServices ?? []).includes(ACCOUNT_MANAGEMENT_PRINCIPAL)) {
    throw awsError(
      'account',
      'AccessDeniedException',
      'Trusted access for AWS Account Management is not enabled in the organization.',
    );
  }
  const member = ctx.state.accounts[accountId];
  if (!member || member.status !== 'ACTIVE') {
    throw awsError(
      'account',
      'AccessDeniedException',
      `Account ${accountId} is not a member account of the organization.`,
    );
  }
  return accountId;
}

function contactType(type: string | undefined): ContactType {
  if (!TYPES.includes(type as ContactType)) {
    throw awsError(
      'account',
      'ValidationException',
      `AlternateContactType must be one of ${TYPES.join(', ')}.`,
      {
        fields: { reason: 'fieldValidationFailed' },
      },
    );
  }
  return type as ContactType;
}

function field(value: string | undefined, name: string, max: number, pattern?: RegExp): string {
  if (value === undefined || value.length < 1 || value.length > max || (pattern && !pattern.test(value))) {
    throw awsError('account', 'ValidationException', `${name} is not valid.`, {
      fields: { reason: 'fieldValidationFailed' },
    });
  }
  return value;
}

function putAlternateContact(
  input: account.PutAlternateContactCommandInput,
  ctx: CallContext,
): Out<account.PutAlternateContactCommandOutput> {
  const id = targetAccount(input.AccountId, ctx);
  const type = contactType(input.AlternateContactType);
  const contact = {
    name: field(input.Name, 'Name', 64),
    title: field(input.Title, 'Title', 50),
    email: field(input.EmailAddress, 'EmailAddress', 254, EMAIL),
    phone: field(input.PhoneNumber, 'PhoneNumber', 25, PHONE),
  };
  (contacts(ctx.state)[id] ??= {})[type] = contact;
  return {};
}

function existing(id: string, type: ContactType, ctx: CallContext) {
  const contact = contacts(ctx.state)[id]?.[type];
  if (!contact) {
    throw awsError(
      'account',
      'ResourceNotFoundException',
      'No contact of the inputted alternate contact type found.',
    );
  }
  return contact;
}

function getAlternateContact(
  input: account.GetAlternateContactCommandInput,
  ctx: CallContext,
): Out<account.GetAlternateContactCommandOutput> {
  const id = targetAccount(input.AccountId, ctx);
  const type = contactType(input.AlternateContactType);
  const contact = existing(id, type, ctx);
  return {
    AlternateContact: {
      AlternateContactType: type,
      Name: contact.name,
      Title: contact.title,
      EmailAddress: contact.email,
      PhoneNumber: contact.phone,
    },
  };
}

function deleteAlternateContact(
  input: account.DeleteAlternateContactCommandInput,
  ctx: CallContext,
): Out<account.DeleteAlternateContactCommandOutput> {
  const id = targetAccount(input.AccountId, ctx);
  const type = contactType(input.AlternateContactType);
  existing(id, type, ctx);
  delete contacts(ctx.state)[id]![type];
  return {};
}

export const ACCOUNT_MANAGEMENT_HANDLERS: HandlerTable = {
  PutAlternateContact: putAlternateContact,
  GetAlternateContact: getAlternateContact,
  DeleteAlternateContact: deleteAlternateContact,
};
