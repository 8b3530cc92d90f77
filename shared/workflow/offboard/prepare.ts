import type { ClientFactory } from '../../aws/client-factory';
import { organizationalUnitExists } from '../../aws/organizations/offboarding';
import { TEMPLATE_KEYS, stackSetName, type TemplateKey } from '../../domain/naming';
import { ConflictError, OrganizationSetupError } from '../../errors';
import { accessMadeOf, type ApplicationRecord } from '../../ledger/record';
import type { OffboardTarget } from './types';

/**
 * The order the stack sets are removed in: the pipeline first, since it imports the artifact
 * store's key export and CloudFormation does not delete a stack whose export another stack still
 * imports; then the artifact store and the cross-account roles at once; the guardrails last, since
 * they hold the member access role (shared/domain/member-access.ts) through which the other
 * removals empty the buckets and read their stacks.
 */
export const REMOVAL_WAVES: readonly (readonly TemplateKey[])[] = [
  ['pipeline'],
  ['artifact-store', 'cross-account-roles'],
  ['guardrails'],
];

/**
 * The offboarding's configuration, checked with read calls only: the suspended OU is set, is not
 * the application's own OU (which offboarding deletes), and exists. The front door checks it
 * before it marks the application OFFBOARDING, and the workflow's first step again (the setting
 * or the OU may change in between). Returns the suspended OU's id.
 */
export async function checkSuspendedOu(
  clients: ClientFactory,
  suspendedOuId: string | undefined,
  applicationOuId: string | undefined,
): Promise<string> {
  if (!suspendedOuId) {
    throw new OrganizationSetupError(
      "APPVEND_SUSPENDED_OU_ID is not set: offboarding moves the application's accounts to a suspended OU; " +
        'create one (for example "Suspended", with an SCP that denies everything) and set its id',
    );
  }
  if (suspendedOuId === applicationOuId) {
    throw new OrganizationSetupError(
      `APPVEND_SUSPENDED_OU_ID is ${suspendedOuId}, the application's own OU, which offboarding deletes`,
    );
  }
  if (!(await organizationalUnitExists(clients.organizations(), suspendedOuId))) {
    throw new OrganizationSetupError(
      `APPVEND_SUSPENDED_OU_ID is ${suspendedOuId}, but there is no such OU in this organization`,
      { suspendedOuId },
    );
  }
  return suspendedOuId;
}

/**
 * First step of an offboarding: what to remove, from the ledger's record of what the vend made,
 * and the checks that would otherwise stop it halfway, made before anything is removed: this is
 * the offboarding the ledger expects, and the suspended OU is configured and exists.
 */
export async function prepareOffboarding(
  clients: ClientFactory,
  params: {
    record: ApplicationRecord | undefined;
    application: string;
    executionName: string;
    suspendedOuId?: string;
  },
): Promise<OffboardTarget> {
  const { record, application } = params;
  if (!record)
    throw new ConflictError(`no application named "${application}" in the ledger`, { application });
  const running = record.offboarding;
  if (record.status !== 'OFFBOARDING' || running?.executionName !== params.executionName) {
    throw new ConflictError(
      `the ledger does not expect offboarding ${params.executionName} of "${application}" ` +
        `(status ${record.status}${running ? `, offboarding ${running.executionName}` : ''}); ` +
        'start offboardings through appvend offboard or DELETE /applications/{name}',
      { application, status: record.status },
    );
  }
  const ouId = record.ids?.organizationalUnit;
  const suspendedOuId = await checkSuspendedOu(clients, params.suspendedOuId, ouId);
  return {
    application,
    requestId: record.requestId,
    executionName: params.executionName,
    ...(ouId && { organizationalUnitId: ouId }),
    ...(record.ids?.serviceControlPolicy && { serviceControlPolicyId: record.ids.serviceControlPolicy }),
    accounts: Object.entries(record.ids?.accounts ?? {}).map(([stage, id]) => ({ stage, id })),
    stackSets: TEMPLATE_KEYS.map((template) => stackSetName(application, template)),
    stackSetWaves: REMOVAL_WAVES.map((wave) => wave.map((template) => stackSetName(application, template))),
    suspendedOuId,
    closeAccounts: running.closeAccounts,
    // Every assignment appvend made and has not removed, whichever request of the application made it.
    accessGrants: accessMadeOf(record).grants.map(({ group, permissionSet, stage, accountId }) => ({
      group,
      permissionSet,
      stage,
      accountId,
    })),
  };
}
