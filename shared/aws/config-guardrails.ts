import {
  DescribeConfigurationRecorderStatusCommand,
  DescribeConfigurationRecordersCommand,
  DescribeConformancePacksCommand,
  DescribeDeliveryChannelsCommand,
  PutConfigurationRecorderCommand,
  PutConformancePackCommand,
  PutDeliveryChannelCommand,
  StartConfigurationRecorderCommand,
  type ConfigServiceClient,
} from '@aws-sdk/client-config-service';
import { CONFORMANCE_PACK_DIGEST_PARAMETER as DIGEST_PARAMETER } from '../domain/conformance-pack';
import { isAwsError } from './paginate';

export interface RecorderResult {
  recorder: 'existing' | 'created';
  recording: boolean;
}

/**
 * Makes sure the account records its configuration. An account that already has a recorder
 * (Control Tower, an organization-wide setup) keeps it: AWS allows one per account and region.
 */
export async function ensureConfigurationRecorder(
  client: ConfigServiceClient,
  params: { roleArn: string; deliveryBucket: string },
): Promise<RecorderResult> {
  const { ConfigurationRecorders } = await client.send(new DescribeConfigurationRecordersCommand({}));
  const existing = ConfigurationRecorders?.[0];
  const name = existing?.name ?? 'default';
  if (!existing) {
    await client.send(
      new PutConfigurationRecorderCommand({
        ConfigurationRecorder: {
          name,
          roleARN: params.roleArn,
          recordingGroup: { allSupported: true, includeGlobalResourceTypes: true },
        },
      }),
    );
  }
  const { DeliveryChannels } = await client.send(new DescribeDeliveryChannelsCommand({}));
  if (!DeliveryChannels?.length) {
    await client.send(
      new PutDeliveryChannelCommand({
        DeliveryChannel: { name: 'default', s3BucketName: params.deliveryBucket },
      }),
    );
  }
  const { ConfigurationRecordersStatus } = await client.send(
    new DescribeConfigurationRecorderStatusCommand({ ConfigurationRecorderNames: [name] }),
  );
  if (!ConfigurationRecordersStatus?.[0]?.recording) {
    await client.send(new StartConfigurationRecorderCommand({ ConfigurationRecorderName: name }));
  }
  return { recorder: existing ? 'existing' : 'created', recording: true };
}

/**
 * Deploys the conformance pack unless the same template (by digest) is already deployed, so that
 * a second vend makes no change.
 */
export async function ensureConformancePack(
  client: ConfigServiceClient,
  params: { name: string; templateBody: string; digest: string },
): Promise<{ action: 'created' | 'updated' | 'unchanged' }> {
  const before = await deployedPack(client, params.name);
  if (before.exists && before.digest === params.digest) return { action: 'unchanged' };
  const action = before.exists ? 'updated' : 'created';
  try {
    await client.send(
      new PutConformancePackCommand({
        ConformancePackName: params.name,
        TemplateBody: params.templateBody,
        ConformancePackInputParameters: [{ ParameterName: DIGEST_PARAMETER, ParameterValue: params.digest }],
      }),
    );
  } catch (error) {
    // The SDK's retry of a Put whose answer was lost finds the pack still deploying and is refused
    // as in use. When what is deploying carries our digest, it is our own earlier attempt.
    if (!isAwsError(error, 'ResourceInUseException')) throw error;
    const now = await deployedPack(client, params.name);
    if (now.digest !== params.digest) throw error;
  }
  return { action };
}

/**
 * Whether the pack exists and the template digest it was last put with (a read only: the plan
 * compares the same digest).
 */
export async function deployedPack(
  client: ConfigServiceClient,
  name: string,
): Promise<{ exists: boolean; digest?: string }> {
  try {
    const { ConformancePackDetails } = await client.send(
      new DescribeConformancePacksCommand({ ConformancePackNames: [name] }),
    );
    const pack = ConformancePackDetails?.[0];
    const digest = pack?.ConformancePackInputParameters?.find(
      (p) => p.ParameterName === DIGEST_PARAMETER,
    )?.ParameterValue;
    return { exists: pack !== undefined, ...(digest !== undefined && { digest }) };
  } catch (error) {
    if (isAwsError(error, 'NoSuchConformancePackException')) return { exists: false };
    throw error;
  }
}
