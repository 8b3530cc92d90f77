import type { ClientFactory } from '../../aws/client-factory';
import {
  ensurePolicyAttached,
  ensureServiceControlPolicy,
} from '../../aws/organizations/service-control-policy';
import { scpName } from '../../domain/naming';
import { renderServiceControlPolicy, type ExemptRoles } from '../../domain/scp';
import type { ApplicationRequest } from '../../request/schema';
import { APPLICATION_TAG } from '../../aws/application-tag';

export interface ScpResult {
  id: string;
  name: string;
  action: 'created' | 'updated' | 'unchanged';
  attached: boolean;
}

/** Step 3: render the profile's SCP, create or update it, attach it to the OU. */
export async function ensureApplicationScp(
  clients: ClientFactory,
  params: {
    request: ApplicationRequest;
    ouId: string;
    sizeQuota: number;
    attachmentQuota: number;
    /** The configured member and StackSets execution roles, which the SCP exempts and protects. */
    exemptRoles: ExemptRoles;
  },
): Promise<ScpResult> {
  const client = clients.organizations();
  const { request } = params;
  const policy = await ensureServiceControlPolicy(client, {
    name: scpName(request.name),
    description: `appvend ${request.profile} guardrails for ${request.name}`,
    content: renderServiceControlPolicy(request, params.exemptRoles),
    sizeQuota: params.sizeQuota,
    tags: { ...request.tags, [APPLICATION_TAG]: request.name },
    // Where an earlier vend left it: on the application's OU.
    where: { attachedTo: params.ouId },
  });
  const { attached } = await ensurePolicyAttached(client, {
    policyId: policy.id,
    targetId: params.ouId,
    attachmentQuota: params.attachmentQuota,
  });
  return { ...policy, attached };
}
