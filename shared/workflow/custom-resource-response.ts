import type { Ledger } from '../ledger/ledger';
import type { PendingCallback } from '../ledger/record';
import type { VendSummary } from './types';

/*
 * The answering half of the Service Catalog door (shared/workflow/custom-resource.ts): the shapes
 * CloudFormation exchanges with a custom resource, and the answers sent when a vend's outcome event
 * arrives. Kept apart from the half that takes requests, so that the outcome function does not
 * bundle the request schema and its validation.
 */

/** A CloudFormation custom-resource request, as CloudFormation sends it to the function. */
export interface CustomResourceRequest {
  RequestType: 'Create' | 'Update' | 'Delete';
  ResponseURL: string;
  StackId: string;
  RequestId: string;
  ResourceType: string;
  LogicalResourceId: string;
  /** Absent on Create. */
  PhysicalResourceId?: string;
  ResourceProperties: Record<string, unknown>;
  /** Update only. */
  OldResourceProperties?: Record<string, unknown>;
  ServiceToken?: string;
}

/** What CloudFormation expects at the ResponseURL (at most 4,096 bytes). */
export interface CustomResourceResponse {
  Status: 'SUCCESS' | 'FAILED';
  Reason?: string;
  PhysicalResourceId: string;
  StackId: string;
  RequestId: string;
  LogicalResourceId: string;
  Data?: Record<string, string>;
}

/** Delivers a response to a ResponseURL. */
export type ResponseSender = (url: string, response: CustomResourceResponse) => Promise<void>;

/** The response URL answered with an HTTP error: permanent for 4xx (expired or already answered). */
export class ResponseRefusedError extends Error {
  public override readonly name = 'ResponseRefusedError';
  public constructor(
    public readonly status: number,
    detail: string,
  ) {
    super(`the response URL answered HTTP ${status}${detail ? `: ${detail.slice(0, 300)}` : ''}`);
  }
}

/** CloudFormation refuses a response body over 4,096 bytes. */
export const RESPONSE_LIMIT_BYTES = 4096;

/**
 * PUTs the response with node's fetch. The URL is pre-signed for an empty content type, so none
 * is sent.
 */
export const putResponse: ResponseSender = async (url, response) => {
  const body = JSON.stringify(response);
  const answer = await fetch(url, {
    method: 'PUT',
    headers: { 'content-type': '', 'content-length': String(Buffer.byteLength(body)) },
    body,
  });
  if (!answer.ok) throw new ResponseRefusedError(answer.status, await answer.text().catch(() => ''));
};

/** The outputs a vended application gives the product (Fn::GetAtt of the custom resource). */
export function successData(
  requestId: string,
  accounts: Record<string, string>,
  organizationalUnit?: string,
): Record<string, string> {
  return {
    RequestId: requestId,
    ToolingAccountId: accounts.tooling ?? '',
    AccountIds: Object.entries(accounts)
      .map(([stage, id]) => `${stage}=${id}`)
      .join(','),
    OrganizationalUnitId: organizationalUnit ?? '',
  };
}

export const failureReason = (
  application: string,
  requestId: string,
  error?: { step: string; message: string },
) =>
  `appvend could not vend ${application} (request ${requestId}): ${
    error ? `${error.step}: ${error.message}` : 'the vend failed'
  }`;

/** Cuts the Reason so that the whole body stays within CloudFormation's 4,096 bytes. */
export function withinLimit(response: CustomResourceResponse): CustomResourceResponse {
  if (Buffer.byteLength(JSON.stringify(response)) <= RESPONSE_LIMIT_BYTES || !response.Reason)
    return response;
  const room = RESPONSE_LIMIT_BYTES - Buffer.byteLength(JSON.stringify({ ...response, Reason: '' })) - 16;
  let reason = response.Reason;
  // JSON escaping can grow a character; cut until the encoded reason fits.
  while (reason.length > 0 && Buffer.byteLength(JSON.stringify(reason)) > room) {
    reason = reason.slice(0, Math.max(0, Math.min(reason.length - 1, Math.floor(reason.length * 0.9))));
  }
  return { ...response, Reason: `${reason} …` };
}

/** The detail of `Application Vended` / `Application Vending Failed` (shared/workflow/announce.ts). */
export type OutcomeDetail = Partial<VendSummary> & { requestId?: string };

/** What answering the waiting requests did, for the log line. */
export interface CallbackReport {
  application?: string;
  requestId?: string;
  answered: number;
  /** Refused by the URL (expired, or CloudFormation stopped waiting): dropped. */
  refused: number;
  /** Not delivered (network, 5xx): kept for the next try. */
  undelivered: number;
}

/**
 * At the end of a vend: answers every custom-resource request waiting for it (SUCCESS with the
 * account ids and the request id, or FAILED with the step and the reason) and removes them from
 * the ledger item. A refused URL (expired, or already answered) is dropped too; an undelivered
 * answer stays on the item and the error is thrown, so the event is retried.
 */
export async function answerPendingCallbacks(
  detail: OutcomeDetail,
  deps: { ledger: Ledger; send: ResponseSender },
): Promise<CallbackReport> {
  const application = detail.application;
  const requestId = detail.requestId;
  // Vends started outside the ledger (the CLI) carry no request id: nothing waits for them.
  if (!application || !requestId) return { answered: 0, refused: 0, undelivered: 0 };
  const waiting = await deps.ledger.pendingCallbacks(application, requestId);
  const accounts = Object.fromEntries(
    Object.entries(detail.accounts ?? {}).map(([stage, a]) => [stage, a.id]),
  );
  const done: PendingCallback[] = [];
  const report: CallbackReport = { application, requestId, answered: 0, refused: 0, undelivered: 0 };
  let lastError: Error | undefined;
  for (const callback of waiting) {
    const base = {
      PhysicalResourceId: callback.physicalResourceId,
      StackId: callback.stackId,
      RequestId: callback.cfnRequestId,
      LogicalResourceId: callback.logicalResourceId,
    };
    const response: CustomResourceResponse =
      detail.status === 'SUCCEEDED'
        ? {
            ...base,
            Status: 'SUCCESS',
            Reason: `${application} is vended (request ${requestId})`,
            Data: successData(requestId, accounts, detail.organizationalUnit?.id),
          }
        : { ...base, Status: 'FAILED', Reason: failureReason(application, requestId, detail.error) };
    try {
      await deps.send(callback.responseUrl, withinLimit(response));
      report.answered += 1;
      done.push(callback);
    } catch (error) {
      if (error instanceof ResponseRefusedError && error.status >= 400 && error.status < 500) {
        report.refused += 1;
        done.push(callback);
      } else {
        report.undelivered += 1;
        lastError = error as Error;
      }
    }
  }
  await deps.ledger.removeCallbacks(application, done);
  if (lastError) throw lastError;
  return report;
}
