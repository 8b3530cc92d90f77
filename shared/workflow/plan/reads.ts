import {
  DescribeConfigurationRecorderStatusCommand,
  DescribeConfigurationRecordersCommand,
  DescribeDeliveryChannelsCommand,
  type ConfigServiceClient,
} from '@aws-sdk/client-config-service';
import type { OrganizationsClient } from '@aws-sdk/client-organizations';
import { parentOf as accountParent } from '../../aws/organizations/accounts';

/*
 * The "check" halves of the workflow's check-then-act adapters, as reads only (Describe*, List*).
 * Each makes the same call, with the same arguments, as the adapter it names, so the plan sees
 * what the vend would see; none of them changes anything.
 */

/** The OU with this name under the parent: `ensureOrganizationalUnit`'s own lookup. */
export { findOrganizationalUnit } from '../../aws/organizations/organizational-unit';

/** The SCP's document and the SCPs attached to a target: the SCP adapter's own reads. */
export { policyContent, scpsAttachedTo } from '../../aws/organizations/service-control-policy';

/** The root or OU an account is in (as `ensureAccountInOrganizationalUnit` reads it before moving). */
export async function parentOf(client: OrganizationsClient, accountId: string): Promise<string> {
  const parentId = await accountParent(client, accountId);
  if (!parentId) throw new Error(`Account ${accountId} has no parent`);
  return parentId;
}

/** The stack set, or undefined when there is none: `reconcileStackSet`'s own read. */
export { describeStackSet } from '../../aws/stack-sets';

/** The stack set's instances in the Region: `reconcileStackSet`'s own read. */
export { listStackInstances as stackInstances } from '../../aws/stack-sets';

/** An account's Config recorder as `ensureConfigurationRecorder` looks at it. */
export interface RecorderState {
  exists: boolean;
  recording: boolean;
  deliveryChannel: boolean;
}

/** The account's Config recorder, its delivery channel and whether it records. */
export async function recorderState(client: ConfigServiceClient): Promise<RecorderState> {
  const { ConfigurationRecorders } = await client.send(new DescribeConfigurationRecordersCommand({}));
  const recorder = ConfigurationRecorders?.[0];
  const { DeliveryChannels } = await client.send(new DescribeDeliveryChannelsCommand({}));
  const deliveryChannel = (DeliveryChannels?.length ?? 0) > 0;
  if (!recorder?.name) return { exists: false, recording: false, deliveryChannel };
  const { ConfigurationRecordersStatus } = await client.send(
    new DescribeConfigurationRecorderStatusCommand({ ConfigurationRecorderNames: [recorder.name] }),
  );
  return { exists: true, recording: ConfigurationRecordersStatus?.[0]?.recording === true, deliveryChannel };
}

/** Whether the conformance pack exists and its template digest: `ensureConformancePack`'s own read. */
export { deployedPack as conformancePackDigest } from '../../aws/config-guardrails';

/** Where the pack's last deployment stands (CREATE_FAILED is drift even with the wanted digest). */
export { conformancePackStatus } from '../../aws/config-guardrails';
