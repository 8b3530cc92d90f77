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
  let deployedDigest: string | undefined;
  let exists = false;
  try {
    const { ConformancePackDetails } = await client.send(
      new DescribeConformancePacksCommand({ ConformancePackNames: [params.name] }),
    );
    const pack = ConformancePackDetails?.[0];
    exists = pack !== undefined;
    deployedDigest = pack?.ConformancePackInputParameters?.find(
      (p) => p.ParameterName === DIGEST_PARAMETER,
    )?.ParameterValue;
  } catch (error) {
    if (!isAwsError(error, 'NoSuchConformancePackException')) throw error;
  }
  if (exists && deployedDigest === params.digest) return { action: 'unchanged' };
  await client.send(
    new PutConformancePackCommand({
      ConformancePackName: params.name,
      TemplateBody: params.templateBody,
      ConformancePackInputParameters: [{ ParameterName: DIGEST_PARAMETER, ParameterValue: params.digest }],
    }),
  );
  return { action: exists ? 'updated' : 'created' };
}
