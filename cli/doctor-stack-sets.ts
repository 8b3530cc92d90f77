import {
  ListAWSServiceAccessForOrganizationCommand,
  ListDelegatedAdministratorsCommand,
} from '@aws-sdk/client-organizations';
import { awsClients } from '../shared/aws/client-factory';
import { collectByToken } from '../shared/aws/paginate';
import type { CheckResult } from './doctor-checks';

/**
 * `appvend doctor`'s checks for service-managed stack sets (`APPVEND_STACKSETS_MODE=SERVICE_MANAGED`):
 * trusted access between StackSets and Organizations, and, when appvend runs outside the management
 * account, that account's registration as the StackSets delegated administrator. Both read the
 * organization (through the management role when one is configured), with List calls only.
 */

/** StackSets' service principal in Organizations (trusted access and delegated administrators). */
export const STACKSETS_PRINCIPAL = 'member.org.stacksets.cloudformation.amazonaws.com';

/**
 * The two checks, for the account appvend runs in (`serviceAccount`, as STS names the caller) and
 * the organization's management account. Nothing when the stack sets are self-managed.
 */
export async function stackSetsChecks(
  serviceAccount: string,
  managementAccount: string,
  mode: string | undefined = process.env.APPVEND_STACKSETS_MODE,
): Promise<CheckResult[]> {
  if (mode !== 'SERVICE_MANAGED') return [];
  const organizations = awsClients().organizations();
  const trusted = await collectByToken(async (token) => {
    const page = await organizations.send(
      new ListAWSServiceAccessForOrganizationCommand({ NextToken: token }),
    );
    return { items: page.EnabledServicePrincipals ?? [], next: page.NextToken };
  });
  const results: CheckResult[] = [
    trusted.some((p) => p.ServicePrincipal === STACKSETS_PRINCIPAL)
      ? {
          name: 'StackSets trusted access',
          status: 'ok',
          detail: `trusted access is enabled for ${STACKSETS_PRINCIPAL}`,
        }
      : {
          name: 'StackSets trusted access',
          status: 'missing',
          detail: `trusted access for ${STACKSETS_PRINCIPAL} is not enabled: every service-managed stack set call is refused (APPVEND_STACKSETS_MODE=SERVICE_MANAGED)`,
          fix: 'aws cloudformation activate-organizations-access (with credentials of the management account)',
        },
  ];
  if (serviceAccount === managementAccount) {
    results.push({
      name: 'StackSets delegated administrator',
      status: 'ok',
      detail: `appvend runs in the management account ${managementAccount}: it calls StackSets as SELF, no delegated administrator is needed`,
    });
    return results;
  }
  let registered;
  try {
    registered = await collectByToken(async (token) => {
      const page = await organizations.send(
        new ListDelegatedAdministratorsCommand({ ServicePrincipal: STACKSETS_PRINCIPAL, NextToken: token }),
      );
      return { items: page.DelegatedAdministrators ?? [], next: page.NextToken };
    });
  } catch (error) {
    // AWS answers it; an emulator may refuse the principal (moto 5.2 knows only a few services').
    results.push({
      name: 'StackSets delegated administrator',
      status: 'warn',
      detail: `ListDelegatedAdministrators for ${STACKSETS_PRINCIPAL} failed (${(error as Error).name}: ${(error as Error).message}); not checked`,
      fix: `aws organizations list-delegated-administrators --service-principal ${STACKSETS_PRINCIPAL} (with credentials of the management account) should list ${serviceAccount}`,
    });
    return results;
  }
  results.push(
    registered.some((a) => a.Id === serviceAccount && a.Status === 'ACTIVE')
      ? {
          name: 'StackSets delegated administrator',
          status: 'ok',
          detail: `${serviceAccount}, where appvend runs, is a StackSets delegated administrator: it calls StackSets as DELEGATED_ADMIN`,
        }
      : {
          name: 'StackSets delegated administrator',
          status: 'missing',
          detail: `${serviceAccount}, where appvend runs, is not registered as a StackSets delegated administrator: its DELEGATED_ADMIN calls are refused`,
          fix: `aws organizations register-delegated-administrator --account-id ${serviceAccount} --service-principal ${STACKSETS_PRINCIPAL} (with credentials of the management account)`,
        },
  );
  return results;
}
