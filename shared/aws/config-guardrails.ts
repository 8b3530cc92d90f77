import {
  DeleteConfigurationRecorderCommand,
  DeleteConformancePackCommand,
  DeleteDeliveryChannelCommand,
  DescribeConfigurationRecorderStatusCommand,
  DescribeConfigurationRecordersCommand,
  DescribeConformancePackStatusCommand,
  DescribeConformancePacksCommand,
  DescribeDeliveryChannelsCommand,
  PutConfigurationRecorderCommand,
  PutConformancePackCommand,
  PutDeliveryChannelCommand,
  StartConfigurationRecorderCommand,
  StopConfigurationRecorderCommand,
  type ConfigServiceClient,
} from '@aws-sdk/client-config-service';
import { CONFORMANCE_PACK_DIGEST_PARAMETER as DIGEST_PARAMETER } from '../domain/conformance-pack';
import { ConformancePackBusyError } from '../errors';
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
  // A pack whose last deployment failed carries the digest of what was asked, not of what works:
  // it is put again.
  if (
    before.exists &&
    before.digest === params.digest &&
    (await conformancePackStatus(client, params.name)).state !== 'CREATE_FAILED'
  ) {
    return { action: 'unchanged' };
  }
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

/** Where a conformance pack's deployment stands, and AWS's reason when it failed. */
export interface ConformancePackStatus {
  /** Absent when there is no such pack. */
  state?: 'CREATE_IN_PROGRESS' | 'CREATE_COMPLETE' | 'CREATE_FAILED' | 'DELETE_IN_PROGRESS' | 'DELETE_FAILED';
  reason?: string;
}

/** DescribeConformancePackStatus of one pack (a read only; an unknown name lists nothing). */
export async function conformancePackStatus(
  client: ConfigServiceClient,
  name: string,
): Promise<ConformancePackStatus> {
  const { ConformancePackStatusDetails } = await client.send(
    new DescribeConformancePackStatusCommand({ ConformancePackNames: [name] }),
  );
  const detail = ConformancePackStatusDetails?.find((d) => d.ConformancePackName === name);
  if (!detail?.ConformancePackState) return {};
  return {
    state: detail.ConformancePackState,
    ...(detail.ConformancePackStatusReason !== undefined && { reason: detail.ConformancePackStatusReason }),
  };
}

/** The last recording attempt of the account's recorder as AWS reports it, when it failed. */
export async function recorderFailure(
  client: ConfigServiceClient,
): Promise<{ name: string; errorCode?: string; errorMessage?: string } | undefined> {
  const { ConfigurationRecordersStatus } = await client.send(
    new DescribeConfigurationRecorderStatusCommand({}),
  );
  const status = ConfigurationRecordersStatus?.find((s) => s.lastStatus === 'Failure');
  if (!status) return undefined;
  return {
    name: status.name ?? 'default',
    ...(status.lastErrorCode !== undefined && { errorCode: status.lastErrorCode }),
    ...(status.lastErrorMessage !== undefined && { errorMessage: status.lastErrorMessage }),
  };
}

/** What removing one guardrail did: removed now, not there, or left alone (with why). */
export type GuardrailRemoval = { outcome: 'deleted' | 'absent' } | { outcome: 'kept'; reason: string };

/**
 * Deletes the application's conformance pack, when it is appvend's: it carries the digest
 * parameter appvend puts it with. A pack of that name without it was put there by someone else.
 */
export async function removeConformancePack(
  client: ConfigServiceClient,
  name: string,
): Promise<GuardrailRemoval> {
  const pack = await deployedPack(client, name);
  if (!pack.exists) return { outcome: 'absent' };
  if (pack.digest === undefined) {
    return {
      outcome: 'kept',
      reason: `conformance pack ${name} was not put by appvend (no ${DIGEST_PARAMETER})`,
    };
  }
  try {
    await client.send(new DeleteConformancePackCommand({ ConformancePackName: name }));
  } catch (error) {
    // Deleted by a call whose answer was lost.
    if (isAwsError(error, 'NoSuchConformancePackException')) return { outcome: 'deleted' };
    if (isAwsError(error, 'ResourceInUseException')) {
      throw new ConformancePackBusyError(
        `conformance pack ${name} is still being deployed; it is deleted once that ends`,
        { name },
        { cause: error },
      );
    }
    throw error;
  }
  return { outcome: 'deleted' };
}

/**
 * Stops and deletes the Config recorder and its delivery channel, when the vend created them: the
 * recorder records through the application's recorder role (`roleArn`), which the guardrails stack
 * set made and the offboarding deletes. A recorder with another role was there before the vend
 * (Control Tower, an organization-wide setup) and is left alone, with its channel. AWS refuses to
 * create a channel before a recorder, so the channel of appvend's recorder is appvend's too.
 */
export async function removeConfigurationRecorder(
  client: ConfigServiceClient,
  roleArn: string,
): Promise<GuardrailRemoval> {
  const { ConfigurationRecorders } = await client.send(new DescribeConfigurationRecordersCommand({}));
  const recorder = ConfigurationRecorders?.[0];
  if (!recorder?.name) return { outcome: 'absent' };
  if (recorder.roleARN !== roleArn) {
    return {
      outcome: 'kept',
      reason: `Config recorder ${recorder.name} records through ${recorder.roleARN ?? 'another role'}, not the application's: it was there before the vend`,
    };
  }
  // A channel cannot be deleted while the recorder runs.
  await client.send(new StopConfigurationRecorderCommand({ ConfigurationRecorderName: recorder.name }));
  const { DeliveryChannels } = await client.send(new DescribeDeliveryChannelsCommand({}));
  for (const channel of DeliveryChannels ?? []) {
    if (!channel.name) continue;
    try {
      await client.send(new DeleteDeliveryChannelCommand({ DeliveryChannelName: channel.name }));
    } catch (error) {
      if (!isAwsError(error, 'NoSuchDeliveryChannelException')) throw error;
    }
  }
  try {
    await client.send(new DeleteConfigurationRecorderCommand({ ConfigurationRecorderName: recorder.name }));
  } catch (error) {
    if (!isAwsError(error, 'NoSuchConfigurationRecorderException')) throw error;
  }
  return { outcome: 'deleted' };
}
