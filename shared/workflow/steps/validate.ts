import type { IdentitystoreClient } from '@aws-sdk/client-identitystore';
import type { SSOAdminClient } from '@aws-sdk/client-sso-admin';
import { resolveIdentities } from '../../aws/identity-center';
import { asksForAccess, namedIdentities } from '../../domain/access';
import { accountSpecs } from '../../domain/naming';
import { ACCOUNT_ID_PATTERN, OU_ID_PATTERN } from '../../domain/organization-ids';
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
 * The application with what an earlier vend recorded: each account's id (`recordedId`) and the
 * OU's (`recordedOuId`). Only well-formed ids are kept: the record is a hint for where to look,
 * and a malformed id would only fail the look.
 */
export function withRecorded(
  application: ValidatedApplication,
  recorded: Readonly<Record<string, unknown>> | undefined,
): ValidatedApplication {
  if (!recorded) return application;
  const accounts = (recorded.accounts ?? {}) as Readonly<Record<string, unknown>>;
  const ou = recorded.organizationalUnit;
  return {
    ...application,
    accounts: application.accounts.map((account) => {
      const id = accounts[account.stage];
      return typeof id === 'string' && ACCOUNT_ID_PATTERN.test(id) ? { ...account, recordedId: id } : account;
    }),
    ...(typeof ou === 'string' && OU_ID_PATTERN.test(ou) && { recordedOuId: ou }),
  };
}
