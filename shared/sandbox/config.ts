import type * as cfg from '@aws-sdk/client-config-service';
import { accountConfig, configError, configValidation } from './config-common';
import { checkDeliveryBucket } from './config-delivery';
import { CONFORMANCE_PACK_HANDLERS } from './config-packs';
import type { CallContext, HandlerTable, Out } from './context';
import { scpDenyingEverything } from './scp-evaluation';
import type { ConfigAccountState, ConfigRecorderState } from './state';

/**
 * AWS Config in each account, attributed to the caller's account: one configuration recorder and
 * one delivery channel per account and Region, then conformance packs (config-packs).
 */

const recorderArn = (ctx: CallContext, name: string) =>
  `arn:aws:config:${ctx.region}:${ctx.caller.accountId}:configuration-recorder/${name}`;

function putConfigurationRecorder(input: cfg.PutConfigurationRecorderCommandInput, ctx: CallContext): object {
  const recorder = input.ConfigurationRecorder;
  if (!recorder) throw configValidation('configurationRecorder', 'Member must not be null');
  const name = recorder.name ?? 'default';
  if (name.length < 1 || name.length > 256) {
    throw configError(
      'InvalidConfigurationRecorderNameException',
      'You have provided a configuration recorder name that is not valid.',
    );
  }
  if (!recorder.roleARN) {
    throw configError(
      'InvalidRoleException',
      'You have provided a null or empty Amazon Resource Name (ARN) for the IAM role assumed by AWS Config and used by the configuration recorder.',
    );
  }
  const group = recorder.recordingGroup;
  if (group?.allSupported && (group.resourceTypes?.length ?? 0) > 0) {
    throw configError(
      'InvalidRecordingGroupException',
      'The recording group cannot record all supported resource types and list resource types at the same time.',
    );
  }
  const config = accountConfig(ctx);
  if (config.recorder && config.recorder.name !== name) {
    throw configError(
      'MaxNumberOfConfigurationRecordersExceededException',
      `Failed to put configuration recorder '${name}' because the maximum number of configuration recorders: 1 is reached.`,
    );
  }
  const previous = config.recorder;
  config.recorder = {
    name,
    roleARN: recorder.roleARN,
    ...(group ? { recordingGroup: JSON.parse(JSON.stringify(group)) as Record<string, unknown> } : {}),
    ...(recorder.recordingMode
      ? { recordingMode: JSON.parse(JSON.stringify(recorder.recordingMode)) as Record<string, unknown> }
      : {}),
    recording: previous?.recording ?? false,
    ...(previous?.lastStartTime === undefined ? {} : { lastStartTime: previous.lastStartTime }),
    ...(previous?.lastStopTime === undefined ? {} : { lastStopTime: previous.lastStopTime }),
    ...(previous?.lastStatusChangeTime === undefined
      ? {}
      : { lastStatusChangeTime: previous.lastStatusChangeTime }),
  };
  return {};
}

/** The recorders named (all when none are named), or NoSuchConfigurationRecorderException. */
function selectRecorders(config: ConfigAccountState, names: string[] | undefined): ConfigRecorderState[] {
  const all = config.recorder ? [config.recorder] : [];
  if (!names?.length) return all;
  const missing = names.find((n) => !all.some((r) => r.name === n));
  if (missing !== undefined) {
    throw configError(
      'NoSuchConfigurationRecorderException',
      `Cannot find configuration recorder with the specified name '${missing}'.`,
    );
  }
  return all;
}

function describeRecorders(
  input: cfg.DescribeConfigurationRecordersCommandInput,
  ctx: CallContext,
): Out<cfg.DescribeConfigurationRecordersCommandOutput> {
  return {
    ConfigurationRecorders: selectRecorders(accountConfig(ctx), input.ConfigurationRecorderNames).map(
      (r) => ({
        arn: recorderArn(ctx, r.name),
        name: r.name,
        roleARN: r.roleARN,
        ...(r.recordingGroup ? { recordingGroup: r.recordingGroup as cfg.RecordingGroup } : {}),
        ...(r.recordingMode ? { recordingMode: r.recordingMode as unknown as cfg.RecordingMode } : {}),
      }),
    ),
  };
}

/**
 * How the recorder's last recording went. AWS Config records by calling the resources' Describe and
 * List APIs as the recorder's role, so an SCP that denies that role everything (the quarantine, when
 * it does not exempt the role) makes recording fail; a service-linked role is never denied.
 */
function lastRecording(
  ctx: CallContext,
  recorder: ConfigRecorderState,
): Pick<cfg.ConfigurationRecorderStatus, 'lastStatus' | 'lastErrorCode' | 'lastErrorMessage'> {
  const denied = recorder.recording
    ? scpDenyingEverything(ctx.state, ctx.caller.accountId, recorder.roleARN)
    : undefined;
  if (!denied) return { lastStatus: 'Success' };
  return {
    lastStatus: 'Failure',
    lastErrorCode: 'AccessDenied',
    lastErrorMessage: `${recorder.roleARN} is not authorized to record: explicit deny in service control policy ${denied.name}`,
  };
}

function describeRecorderStatus(
  input: cfg.DescribeConfigurationRecorderStatusCommandInput,
  ctx: CallContext,
): Out<cfg.DescribeConfigurationRecorderStatusCommandOutput> {
  return {
    ConfigurationRecordersStatus: selectRecorders(accountConfig(ctx), input.ConfigurationRecorderNames).map(
      (r) => ({
        arn: recorderArn(ctx, r.name),
        name: r.name,
        recording: r.recording,
        ...(r.lastStartTime === undefined
          ? {}
          : { lastStartTime: new Date(r.lastStartTime), ...lastRecording(ctx, r) }),
        ...(r.lastStopTime === undefined ? {} : { lastStopTime: new Date(r.lastStopTime) }),
        ...(r.lastStatusChangeTime === undefined
          ? {}
          : { lastStatusChangeTime: new Date(r.lastStatusChangeTime) }),
      }),
    ),
  };
}

function putDeliveryChannel(input: cfg.PutDeliveryChannelCommandInput, ctx: CallContext): object {
  const channel = input.DeliveryChannel;
  if (!channel) throw configValidation('deliveryChannel', 'Member must not be null');
  const config = accountConfig(ctx);
  if (!config.recorder) {
    throw configError(
      'NoAvailableConfigurationRecorderException',
      'Configuration recorder is not available to put delivery channel.',
    );
  }
  const name = channel.name ?? 'default';
  if (name.length < 1 || name.length > 256) {
    throw configError('InvalidDeliveryChannelNameException', 'The delivery channel name is not valid.');
  }
  if (config.deliveryChannel && config.deliveryChannel.name !== name) {
    throw configError(
      'MaxNumberOfDeliveryChannelsExceededException',
      `Failed to put delivery channel '${name}' because the maximum number of delivery channels: 1 is reached.`,
    );
  }
  if (!channel.s3BucketName)
    throw configError('NoSuchBucketException', 'Cannot find a S3 bucket with an empty bucket name.');
  if (
    channel.snsTopicARN !== undefined &&
    !/^arn:[\w-]+:sns:[\w-]+:\d{12}:[\w-]+$/.test(channel.snsTopicARN)
  ) {
    throw configError('InvalidSNSTopicARNException', 'The SNS topic ARN is not valid.');
  }
  checkDeliveryBucket(ctx, channel.s3BucketName, channel.s3KeyPrefix);
  const frequency = channel.configSnapshotDeliveryProperties?.deliveryFrequency;
  config.deliveryChannel = {
    name,
    s3BucketName: channel.s3BucketName,
    ...(channel.s3KeyPrefix ? { s3KeyPrefix: channel.s3KeyPrefix } : {}),
    ...(channel.s3KmsKeyArn ? { s3KmsKeyArn: channel.s3KmsKeyArn } : {}),
    ...(channel.snsTopicARN ? { snsTopicARN: channel.snsTopicARN } : {}),
    ...(frequency ? { deliveryFrequency: frequency } : {}),
  };
  return {};
}

function describeDeliveryChannels(
  input: cfg.DescribeDeliveryChannelsCommandInput,
  ctx: CallContext,
): Out<cfg.DescribeDeliveryChannelsCommandOutput> {
  const channel = accountConfig(ctx).deliveryChannel;
  const all = channel ? [channel] : [];
  const missing = input.DeliveryChannelNames?.find((n) => !all.some((c) => c.name === n));
  if (missing !== undefined) {
    throw configError(
      'NoSuchDeliveryChannelException',
      `Cannot find delivery channel with specified name '${missing}'.`,
    );
  }
  return {
    DeliveryChannels: all.map((c) => ({
      name: c.name,
      s3BucketName: c.s3BucketName,
      ...(c.s3KeyPrefix ? { s3KeyPrefix: c.s3KeyPrefix } : {}),
      ...(c.s3KmsKeyArn ? { s3KmsKeyArn: c.s3KmsKeyArn } : {}),
      ...(c.snsTopicARN ? { snsTopicARN: c.snsTopicARN } : {}),
      ...(c.deliveryFrequency
        ? {
            configSnapshotDeliveryProperties: {
              deliveryFrequency: c.deliveryFrequency as cfg.MaximumExecutionFrequency,
            },
          }
        : {}),
    })),
  };
}

function namedRecorder(
  ctx: CallContext,
  name: string | undefined,
): { config: ConfigAccountState; recorder: ConfigRecorderState } {
  if (!name) throw configValidation('configurationRecorderName', 'Member must not be null');
  const config = accountConfig(ctx);
  const [recorder] = selectRecorders(config, [name]);
  return { config, recorder: recorder! };
}

function startRecorder(input: cfg.StartConfigurationRecorderCommandInput, ctx: CallContext): object {
  const { config, recorder } = namedRecorder(ctx, input.ConfigurationRecorderName);
  if (!config.deliveryChannel) {
    throw configError(
      'NoAvailableDeliveryChannelException',
      'Delivery channel is not available to start configuration recorder.',
    );
  }
  if (!recorder.recording)
    Object.assign(recorder, { recording: true, lastStartTime: ctx.now, lastStatusChangeTime: ctx.now });
  return {};
}

function stopRecorder(input: cfg.StopConfigurationRecorderCommandInput, ctx: CallContext): object {
  const { recorder } = namedRecorder(ctx, input.ConfigurationRecorderName);
  if (recorder.recording)
    Object.assign(recorder, { recording: false, lastStopTime: ctx.now, lastStatusChangeTime: ctx.now });
  return {};
}

/** Deletes the recorder; what it recorded stays (AWS keeps configuration items). */
function deleteRecorder(input: cfg.DeleteConfigurationRecorderCommandInput, ctx: CallContext): object {
  const { config } = namedRecorder(ctx, input.ConfigurationRecorderName);
  delete config.recorder;
  return {};
}

/** "You cannot delete the delivery channel unless you stop the configuration recorder." */
function deleteDeliveryChannel(input: cfg.DeleteDeliveryChannelCommandInput, ctx: CallContext): object {
  const name = input.DeliveryChannelName;
  if (!name) throw configValidation('deliveryChannelName', 'Member must not be null');
  const config = accountConfig(ctx);
  if (config.deliveryChannel?.name !== name) {
    throw configError(
      'NoSuchDeliveryChannelException',
      `Cannot find delivery channel with specified name '${name}'.`,
    );
  }
  if (config.recorder?.recording) {
    throw configError(
      'LastDeliveryChannelDeleteFailedException',
      `Failed to delete last specified delivery channel with name '${name}', because there is a running configuration recorder.`,
    );
  }
  delete config.deliveryChannel;
  return {};
}

export const CONFIG_HANDLERS: HandlerTable = {
  PutConfigurationRecorder: putConfigurationRecorder,
  DescribeConfigurationRecorders: describeRecorders,
  DescribeConfigurationRecorderStatus: describeRecorderStatus,
  PutDeliveryChannel: putDeliveryChannel,
  DescribeDeliveryChannels: describeDeliveryChannels,
  StartConfigurationRecorder: startRecorder,
  StopConfigurationRecorder: stopRecorder,
  DeleteConfigurationRecorder: deleteRecorder,
  DeleteDeliveryChannel: deleteDeliveryChannel,
  ...CONFORMANCE_PACK_HANDLERS,
};

export { conformancePackEvents } from './config-packs';
