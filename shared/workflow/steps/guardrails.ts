import { ConfigServiceClient } from '@aws-sdk/client-config-service';
import type { ClientFactory } from '../../aws/client-factory';
import { ensureConfigurationRecorder, ensureConformancePack } from '../../aws/config-guardrails';
import { conformancePackTemplate } from '../../domain/conformance-pack';
import { configRecorderRoleName, conformancePackName, roleArn } from '../../domain/naming';
import type { ApplicationRequest } from '../../request/schema';
import { digest } from '../../templates/template-store';
import type { GuardrailsResult, VendedAccount } from '../types';

/**
 * Step 7: in every application account, a Config recorder when the account has none, then the
 * profile's conformance pack. The recorder's role comes from the guardrails stack set.
 */
export async function registerGuardrails(
  clients: ClientFactory,
  params: { request: ApplicationRequest; accounts: VendedAccount[]; deliveryBucket: string },
): Promise<GuardrailsResult> {
  const { request } = params;
  const name = conformancePackName(request.name);
  const templateBody = conformancePackTemplate(request.profile);
  const templateDigest = digest(templateBody);
  const results = await Promise.all(
    params.accounts.map(async (account) => {
      const client = await clients.memberClient(ConfigServiceClient, account.id);
      const { recorder } = await ensureConfigurationRecorder(client, {
        roleArn: roleArn(account.id, configRecorderRoleName(request.name)),
        deliveryBucket: params.deliveryBucket,
      });
      const { action } = await ensureConformancePack(client, { name, templateBody, digest: templateDigest });
      return [account.id, { recorder, conformancePack: action }] as const;
    }),
  );
  return { conformancePack: name, accounts: Object.fromEntries(results) };
}
