import { ensureServiceResources } from '../../cli/service-resources';
import { configureAws, type AwsSettings } from '../../shared/aws/client-factory';
import { conformancePackStandIn } from './conformance-pack-stand-in';
import { MOTO_CREDENTIALS, MOTO_REGION, bootstrapOrganization } from './moto';
import { setWorkflowEnvironment } from './workflow';

export interface MotoOrganization {
  rootId: string;
  managementAccountId: string;
}

export interface MotoWorldOptions {
  /** Middleware to run before the conformance pack stand-in (fault injection); given the organization. */
  plugins?: (org: MotoOrganization) => AwsSettings['plugins'];
  /** The SDK's attempts per call; configureAws's default when left out. */
  maxAttempts?: number;
}

/**
 * The world a vend on moto starts from, as `appvend vend --endpoint` would have it: an organization
 * bootstrapped on the (already reset or fresh) server, the AWS clients pointed at it with the
 * conformance pack stand-in (moto has no conformance packs), the workflow's environment, and what
 * the service stack would have deployed: the ledger table, the bus and the topic the outcome is
 * announced on.
 */
export async function openMotoWorld(
  endpoint: string,
  options: MotoWorldOptions = {},
): Promise<MotoOrganization> {
  const org = await bootstrapOrganization(endpoint);
  configureAws({
    region: MOTO_REGION,
    endpoint,
    credentials: MOTO_CREDENTIALS,
    // Only when given: an undefined value would replace the default configureAws reads.
    ...(options.maxAttempts !== undefined && { maxAttempts: options.maxAttempts }),
    plugins: [...(options.plugins?.(org) ?? []), conformancePackStandIn().plugin],
  });
  setWorkflowEnvironment(org.managementAccountId, MOTO_REGION);
  const { topicArn } = await ensureServiceResources({
    ledgerTable: process.env.APPVEND_LEDGER_TABLE!,
    eventBus: process.env.APPVEND_EVENT_BUS_NAME!,
    topicName: 'appvend-notifications',
  });
  process.env.APPVEND_VEND_TOPIC_ARN = topicArn;
  return org;
}
