import {
  DescribeStackSetCommand,
  paginateListStackInstances,
  type CloudFormationClient,
  type StackInstanceSummary,
  type StackSet,
} from '@aws-sdk/client-cloudformation';
import {
  DescribeConfigurationRecorderStatusCommand,
  DescribeConfigurationRecordersCommand,
  DescribeConformancePacksCommand,
  DescribeDeliveryChannelsCommand,
  type ConfigServiceClient,
} from '@aws-sdk/client-config-service';
import {
  DescribePolicyCommand,
  ListParentsCommand,
  paginateListOrganizationalUnitsForParent,
  paginateListPoliciesForTarget,
  type OrganizationalUnit,
  type OrganizationsClient,
  type PolicySummary,
} from '@aws-sdk/client-organizations';
import { CONFORMANCE_PACK_DIGEST_PARAMETER } from '../../domain/conformance-pack';
import { collect, findInPages, isAwsError } from '../../aws/paginate';

/*
 * The "check" halves of the workflow's check-then-act adapters, as reads only (Describe*, List*).
 * Each makes the same call, with the same arguments, as the adapter it names, so the plan sees
 * what the vend would see; none of them changes anything.
 */

/** The OU with this name under the parent (as `ensureOrganizationalUnit` looks it up). */
export async function findOrganizationalUnit(
  client: OrganizationsClient,
  parentId: string,
  name: string,
): Promise<OrganizationalUnit | undefined> {
  return findInPages(
    paginateListOrganizationalUnitsForParent({ client }, { ParentId: parentId }),
    (page) => page.OrganizationalUnits,
    (ou) => ou.Name === name,
  );
}

/** The SCP's document (as `ensureServiceControlPolicy` reads it before deciding to update). */
export async function policyContent(client: OrganizationsClient, policyId: string): Promise<string> {
  const { Policy } = await client.send(new DescribePolicyCommand({ PolicyId: policyId }));
  return Policy?.Content ?? '';
}

/** The SCPs attached to a target (as `ensurePolicyAttached` lists them before attaching). */
export async function scpsAttachedTo(
  client: OrganizationsClient,
  targetId: string,
): Promise<PolicySummary[]> {
  return collect(
    paginateListPoliciesForTarget({ client }, { TargetId: targetId, Filter: 'SERVICE_CONTROL_POLICY' }),
    (page) => page.Policies,
  );
}

/** The root or OU an account is in (as `ensureAccountInOrganizationalUnit` reads it before moving). */
export async function parentOf(client: OrganizationsClient, accountId: string): Promise<string> {
  const { Parents } = await client.send(new ListParentsCommand({ ChildId: accountId }));
  const parentId = Parents?.[0]?.Id;
  if (!parentId) throw new Error(`Account ${accountId} has no parent`);
  return parentId;
}

/** The stack set, or undefined when there is none (as `reconcileStackSet` describes it). */
export async function describeStackSet(
  client: CloudFormationClient,
  name: string,
): Promise<StackSet | undefined> {
  try {
    const { StackSet: stackSet } = await client.send(new DescribeStackSetCommand({ StackSetName: name }));
    return stackSet;
  } catch (error) {
    if (isAwsError(error, 'StackSetNotFoundException')) return undefined;
    throw error;
  }
}

/** The stack set's instances in the Region (as `reconcileStackSet` lists them). */
export async function stackInstances(
  client: CloudFormationClient,
  name: string,
  region: string,
): Promise<StackInstanceSummary[]> {
  return collect(
    paginateListStackInstances({ client }, { StackSetName: name, StackInstanceRegion: region }),
    (page) => page.Summaries,
  );
}

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

/** Whether the conformance pack exists and the template digest it was deployed with. */
export async function conformancePackDigest(
  client: ConfigServiceClient,
  name: string,
): Promise<{ exists: boolean; digest?: string }> {
  try {
    const { ConformancePackDetails } = await client.send(
      new DescribeConformancePacksCommand({ ConformancePackNames: [name] }),
    );
    const pack = ConformancePackDetails?.[0];
    if (!pack) return { exists: false };
    const digest = pack.ConformancePackInputParameters?.find(
      (p) => p.ParameterName === CONFORMANCE_PACK_DIGEST_PARAMETER,
    )?.ParameterValue;
    return { exists: true, ...(digest !== undefined && { digest }) };
  } catch (error) {
    if (isAwsError(error, 'NoSuchConformancePackException')) return { exists: false };
    throw error;
  }
}
