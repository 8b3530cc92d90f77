import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { ownAccountClient } from '../aws/client-factory';
import type { VendSummary } from './types';

export const EVENT_SOURCE = 'appvend';
export const DETAIL_TYPE = {
  requested: 'Application Requested',
  vended: 'Application Vended',
  failed: 'Application Vending Failed',
  driftDetected: 'Application Drift Detected',
  driftFixed: 'Application Drift Fixed',
} as const;

/** The text people get on the notifications topic. */
export function notificationText(
  summary: VendSummary,
  requestId?: string,
): { subject: string; message: string } {
  const app = summary.application || '(unnamed request)';
  const accounts = Object.entries(summary.accounts).map(([stage, a]) => `  ${stage}: ${a.id} (${a.email})`);
  const lines =
    summary.status === 'SUCCEEDED'
      ? [`appvend vended ${app}.`, '', 'Accounts:', ...accounts]
      : [
          `appvend could not vend ${app}.`,
          '',
          `Failed at: ${summary.error?.step ?? 'unknown step'}`,
          `Reason: ${summary.error?.message ?? 'unknown'}`,
          ...(accounts.length > 0 ? ['', 'Accounts vended so far:', ...accounts] : []),
        ];
  if (requestId) lines.push('', `Request: ${requestId}`);
  // SNS subjects: at most 100 characters, no line breaks.
  const subject = `appvend: ${app} ${summary.status === 'SUCCEEDED' ? 'vended' : 'vending failed'}`.slice(
    0,
    100,
  );
  return { subject, message: lines.join('\n') };
}

/**
 * Tells everyone the vend ended: an `Application Vended` or `Application Vending Failed` event on
 * the service's bus (for automation), and a message on the notifications topic (for people). A
 * vend started by reconcile that succeeded is `Application Drift Fixed`.
 */
export async function announceOutcome(
  summary: VendSummary,
  settings: { eventBusName: string; topicArn: string; requestId?: string; trigger?: 'reconcile' },
): Promise<void> {
  const events = ownAccountClient(EventBridgeClient);
  const sns = ownAccountClient(SNSClient);
  const detail = { ...(settings.requestId && { requestId: settings.requestId }), ...summary };
  const { FailedEntryCount, Entries } = await events.send(
    new PutEventsCommand({
      Entries: [
        {
          EventBusName: settings.eventBusName,
          Source: EVENT_SOURCE,
          DetailType:
            summary.status !== 'SUCCEEDED'
              ? DETAIL_TYPE.failed
              : settings.trigger === 'reconcile'
                ? DETAIL_TYPE.driftFixed
                : DETAIL_TYPE.vended,
          Detail: JSON.stringify(detail),
        },
      ],
    }),
  );
  // PutEvents reports per-entry failures in its answer, not as an error.
  if (FailedEntryCount) {
    throw new Error(
      `PutEvents refused the outcome event: ${Entries?.[0]?.ErrorCode} ${Entries?.[0]?.ErrorMessage}`,
    );
  }
  const { subject, message } = notificationText(summary, settings.requestId);
  await sns.send(new PublishCommand({ TopicArn: settings.topicArn, Subject: subject, Message: message }));
}

/** Reconcile found drift: an `Application Drift Detected` event, with what drifted and what is done about it. */
export async function announceDrift(
  detail: {
    application: string;
    requestId: string;
    drift: { kind: string; action: string; subject: string }[];
    fixing: boolean;
  },
  settings: { eventBusName: string },
): Promise<void> {
  const { FailedEntryCount, Entries } = await ownAccountClient(EventBridgeClient).send(
    new PutEventsCommand({
      Entries: [
        {
          EventBusName: settings.eventBusName,
          Source: EVENT_SOURCE,
          DetailType: DETAIL_TYPE.driftDetected,
          Detail: JSON.stringify(detail),
        },
      ],
    }),
  );
  if (FailedEntryCount) {
    throw new Error(
      `PutEvents refused the drift event: ${Entries?.[0]?.ErrorCode} ${Entries?.[0]?.ErrorMessage}`,
    );
  }
}
