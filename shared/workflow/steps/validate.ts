import type { IdentitystoreClient } from '@aws-sdk/client-identitystore';
import type { SSOAdminClient } from '@aws-sdk/client-sso-admin';
import { resolveIdentities } from '../../aws/identity-center';
import { asksForAccess, namedIdentities } from '../../domain/access';
import { accountSpecs, type AccountSpec } from '../../domain/naming';
import { checkDeploymentRegion } from '../../domain/regions';
import { parseRequest } from '../../request/validate';
import type { ValidatedApplication } from '../types';

/**
 * Step 1: the request, validated and with defaults applied, and the accounts it needs. The Region
 * the stack instances and guardrails will go to (the service's own) is checked here too, so that
 * a Region appvend cannot deploy to stops the vend before the first AWS call.
 */
export function validateApplication(
  raw: unknown,
  region: string = process.env.AWS_REGION ?? 'us-east-1',
): ValidatedApplication {
  checkDeploymentRegion(region);
  const request = parseRequest(raw);
  return { request, accounts: accountSpecs(request) };
}

/**
 * Step 1 with the request's Identity Center names checked: a group or permission set that does not
 * exist stops the vend here, before the OU or any account is made (AccessNotFoundError names each).
 * A request without `access` or `approvers` makes no Identity Center call.
 */
export async function validateApplicationAndAccess(
  raw: unknown,
  identityCenter: () => { sso: SSOAdminClient; store: IdentitystoreClient },
  instanceArn?: string,
): Promise<ValidatedApplication> {
  const application = validateApplication(raw);
  if (asksForAccess(application.request)) {
    await resolveIdentities(identityCenter(), namedIdentities(application.request), instanceArn);
  }
  return application;
}

/**
 * The accounts with the id an earlier vend recorded for each stage. Only well-formed account ids
 * are kept: the record is a hint for where to look, and a malformed one would only fail the look.
 */
export function withRecordedIds(
  accounts: AccountSpec[],
  recorded: Readonly<Record<string, unknown>> | undefined,
): AccountSpec[] {
  if (!recorded) return accounts;
  return accounts.map((account) => {
    const id = recorded[account.stage];
    return typeof id === 'string' && /^\d{12}$/.test(id) ? { ...account, recordedId: id } : account;
  });
}
