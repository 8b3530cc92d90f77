import type { Ledger } from '../ledger/ledger';
import type { ApplicationRecord, PendingCallback } from '../ledger/record';
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

/**
 * The detail of `Application Vended` / `Application Vending Failed` (shared/workflow/announce.ts).
 * Only the application and the request are read from it: anything else an event says is a claim.
 */
export type OutcomeDetail = Partial<Record<keyof VendSummary | 'requestId', unknown>>;

/** What answering the waiting requests did, for the log line. */
export interface CallbackReport {
  application?: string;
  requestId?: string;
  answered: number;
  /** Refused by the URL (expired, or CloudFormation stopped waiting): dropped. */
  refused: number;
  /** Not delivered (network, 5xx): kept for the next try. */
  undelivered: number;
  /** Why nothing was answered although the event named a request: what the ledger holds instead. */
  ignored?: string;
}

/** The ledger's word on a vend that has ended: the only thing an answer is made of. */
type EndedVend = Pick<ApplicationRecord, 'name' | 'requestId' | 'ids' | 'error'> & {
  status: 'SUCCEEDED' | 'FAILED';
};

const hasEnded = (record: ApplicationRecord): record is ApplicationRecord & EndedVend =>
  record.status === 'SUCCEEDED' || record.status === 'FAILED';

/** The response to one waiting request, from the ledger's record of the ended vend. */
function responseTo(callback: PendingCallback, vend: EndedVend): CustomResourceResponse {
  const base = {
    PhysicalResourceId: callback.physicalResourceId,
    StackId: callback.stackId,
    RequestId: callback.cfnRequestId,
    LogicalResourceId: callback.logicalResourceId,
  };
  return vend.status === 'SUCCEEDED'
    ? {
        ...base,
        Status: 'SUCCESS',
        Reason: `${vend.name} is vended (request ${vend.requestId})`,
        Data: successData(vend.requestId, vend.ids?.accounts ?? {}, vend.ids?.organizationalUnit),
      }
    : { ...base, Status: 'FAILED', Reason: failureReason(vend.name, vend.requestId, vend.error) };
}

/**
 * At the end of a vend: answers every custom-resource request waiting for it (SUCCESS with the
 * account ids and the request id, or FAILED with the step and the reason) and removes them from
 * the ledger item. A refused URL (expired, or already answered) is dropped too; an undelivered
 * answer stays on the item and the error is thrown, so the event is retried.
 *
 * The event only says which application and request to look at. Whoever may put events on the bus
 * can write an `Application Vended` event with any status and account ids, so the answer is made
 * from the ledger alone, which only the vend's own steps write: nothing is answered unless the
 * ledger holds that request as ended, and the ids and the reason are the ledger's.
 */
export async function answerPendingCallbacks(
  detail: OutcomeDetail,
  deps: { ledger: Ledger; send: ResponseSender },
): Promise<CallbackReport> {
  const { application, requestId } = detail;
  // Vends started outside the ledger (the CLI) carry no request id: nothing waits for them.
  if (typeof application !== 'string' || typeof requestId !== 'string' || !application || !requestId)
    return { answered: 0, refused: 0, undelivered: 0 };
  const report: CallbackReport = { application, requestId, answered: 0, refused: 0, undelivered: 0 };
  const record = await deps.ledger.get(application);
  if (!record || record.requestId !== requestId || !hasEnded(record)) {
    const holds = record ? `request ${record.requestId} ${record.status}` : 'no such application';
    return { ...report, ignored: `the ledger holds ${holds}, not an ended vend of ${requestId}` };
  }
  const waiting = (record.callbacks ?? []).filter((c) => c.requestId === requestId);
  const done: PendingCallback[] = [];
  let lastError: Error | undefined;
  for (const callback of waiting) {
    try {
      await deps.send(callback.responseUrl, withinLimit(responseTo(callback, record)));
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
