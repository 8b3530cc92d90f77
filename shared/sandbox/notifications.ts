import type * as events from '@aws-sdk/client-eventbridge';
import type * as sns from '@aws-sdk/client-sns';
import type { CallContext, HandlerTable, Out } from './context';
import { awsError } from './errors';
import type { NotificationState } from './state';

/**
 * EventBridge PutEvents and SNS Publish: nothing subscribes in the sandbox, so each accepted event
 * or message is kept in order, for tests and `appvend` reports to read back.
 */

const MAX_EVENT_BYTES = 256 * 1024;
const BUS = /^(?:arn:aws[\w-]*:events:[a-z0-9-]+:\d{12}:event-bus\/)?[\w.\-/]{1,256}$/;
const TOPIC_ARN = /^arn:aws[\w-]*:sns:[a-z0-9-]+:\d{12}:[\w-]{1,256}(?:\.fifo)?$/;

function record(ctx: CallContext, entry: Omit<NotificationState, 'seq' | 'at' | 'accountId'>): string {
  ctx.state.notifications ??= [];
  const seq = ctx.state.notifications.length + 1;
  ctx.state.notifications.push({ seq, at: ctx.now, accountId: ctx.caller.accountId, ...entry });
  return `00000000-0000-4000-8000-${seq.toString(16).padStart(12, '0')}`;
}

function putEvents(
  input: events.PutEventsCommandInput,
  ctx: CallContext,
): Out<events.PutEventsCommandOutput> {
  const entries = input.Entries ?? [];
  if (entries.length < 1 || entries.length > 10) {
    throw awsError('events', 'ValidationException', 'Entries must contain between 1 and 10 items.');
  }
  const results = entries.map((entry) => {
    const bus = entry.EventBusName ?? 'default';
    if (!BUS.test(bus)) throw awsError('events', 'ValidationException', `Invalid EventBusName ${bus}.`);
    if (!entry.Source || !entry.DetailType || entry.Detail === undefined) {
      return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Source, DetailType and Detail are required.' };
    }
    let detail: unknown;
    try {
      detail = JSON.parse(entry.Detail);
    } catch {
      return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' };
    }
    if (detail === null || typeof detail !== 'object' || Array.isArray(detail)) {
      return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail must be a JSON object.' };
    }
    if (Buffer.byteLength(entry.Detail) > MAX_EVENT_BYTES) {
      throw awsError(
        'events',
        'ValidationException',
        'Total size of the entries in the request is over the limit.',
      );
    }
    return {
      EventId: record(ctx, {
        service: 'events',
        target: bus,
        kind: entry.DetailType,
        source: entry.Source,
        body: entry.Detail,
      }),
    };
  });
  return { FailedEntryCount: results.filter((r) => 'ErrorCode' in r).length, Entries: results };
}

function publish(input: sns.PublishCommandInput, ctx: CallContext): Out<sns.PublishCommandOutput> {
  if (!input.TopicArn || !TOPIC_ARN.test(input.TopicArn)) {
    throw awsError('sns', 'InvalidParameterException', 'Invalid parameter: TopicArn');
  }
  if (!input.Message) throw awsError('sns', 'InvalidParameterException', 'Invalid parameter: Empty message');
  if (Buffer.byteLength(input.Message) > MAX_EVENT_BYTES) {
    throw awsError('sns', 'InvalidParameterException', 'Invalid parameter: Message too long');
  }
  if (input.Subject !== undefined && (input.Subject.length > 100 || /[\r\n]/.test(input.Subject))) {
    throw awsError('sns', 'InvalidParameterException', 'Invalid parameter: Subject');
  }
  const messageId = record(ctx, {
    service: 'sns',
    target: input.TopicArn,
    kind: input.Subject ?? '',
    body: input.Message,
  });
  return { MessageId: messageId };
}

export const EVENTS_HANDLERS: HandlerTable = { PutEvents: putEvents };
export const SNS_HANDLERS: HandlerTable = { Publish: publish };
