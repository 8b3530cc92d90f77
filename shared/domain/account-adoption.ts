import { APPLICATION_TAG } from '../aws/application-tag';

/**
 * When a vend may take over an account that already exists with the address it wants (adoption):
 * the address comes from the request's `accountEmail` template, which anyone may write, so the
 * address alone proves nothing. Without these rules a request could name another application's
 * addresses (or the management account's) and the vend would move those accounts into its own OU.
 */

/** What is known of the account found by email, read from Organizations. */
export interface ExistingAccount {
  id: string;
  /** AWS's `Account.State` (ACTIVE, PENDING_ACTIVATION, PENDING_CLOSURE, SUSPENDED, CLOSED). */
  state?: string;
  /** Whether it is the organization's management account. */
  management: boolean;
  /** The application its `appvend:application` tag names, if it has one. */
  taggedFor?: string;
  /** Where it sits: its parent's id, and the application that parent OU is tagged for, if any. */
  parentId?: string;
  parentTaggedFor?: string;
}

/** Who asks: the application, the stage, and the account the request names for that stage. */
export interface AdoptionRequest {
  application: string;
  stage: string;
  email: string;
  /** `adopt.<stage>` of the request: the account the request's author says is theirs. */
  namedAccountId?: string;
}

/**
 * Why the account may not be adopted, or undefined when it may. It may when it is ACTIVE, not the
 * management account, not another application's (by tag or by OU), and either carries this
 * application's tag, already sits in this application's OU, or is named in the request's `adopt`.
 */
export function adoptionRefusal(account: ExistingAccount, request: AdoptionRequest): string | undefined {
  const { application, stage } = request;
  if (account.management) {
    return `account ${account.id} is the organization's management account, which is never adopted`;
  }
  if (account.state !== 'ACTIVE') {
    return `account ${account.id} is ${account.state ?? 'in no known state'}; only an ACTIVE account can be adopted`;
  }
  if (request.namedAccountId !== undefined && request.namedAccountId !== account.id) {
    return `adopt.${stage} names account ${request.namedAccountId}, but the address belongs to account ${account.id}`;
  }
  if (account.taggedFor !== undefined && account.taggedFor !== application) {
    return `account ${account.id} is tagged ${APPLICATION_TAG}=${account.taggedFor}: it belongs to another application`;
  }
  if (account.parentTaggedFor !== undefined && account.parentTaggedFor !== application) {
    return `account ${account.id} sits in ${account.parentId ?? 'an OU'}, the OU of application ${account.parentTaggedFor}`;
  }
  if (account.taggedFor === application || account.parentTaggedFor === application) return undefined;
  if (request.namedAccountId === account.id) return undefined;
  return (
    `account ${account.id} is not tagged ${APPLICATION_TAG}=${application} and the request does not name it; ` +
    `to adopt it, add "adopt": { "${stage}": "${account.id}" } to the request`
  );
}

/** The refusal of a request that names an account for a stage whose address no account has. */
export const namedAccountMissing = (request: AdoptionRequest & { namedAccountId: string }): string =>
  `adopt.${request.stage} names account ${request.namedAccountId}, but no account has the address ${request.email}`;

/** The whole sentence: which stage, which address, which rule. */
export const adoptionRefusalMessage = (request: AdoptionRequest, reason: string): string =>
  `stage ${request.stage}: the account with email ${request.email} cannot be adopted: ${reason}`;
