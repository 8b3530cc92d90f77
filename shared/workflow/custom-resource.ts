import type { Ledger } from '../ledger/ledger';
import type { ApplicationRecord, PendingCallback } from '../ledger/record';
import type { FieldProblem } from '../request/validate';
import { submitApplication, type ExecutionStarter } from './intake';
import type { VendSummary } from './types';

/**
 * The Service Catalog door: the `Custom::ApplicationEnvironment` resource of the "New application
 * environment" product, a CloudFormation custom resource backed by a Lambda function. CloudFormation
 * sends a request and waits (up to the resource's ServiceTimeout, at most an hour) for a response
 * PUT to the request's pre-signed ResponseURL. A vend takes minutes, and a Lambda function never
 * waits for AWS, so a started vend's request is kept on the application's ledger item and answered
 * when the vend's outcome event arrives ({@link answerPendingCallbacks}).
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

/** The product's parameters, as the custom resource passes them, and the request field each sets. */
export const PRODUCT_PROPERTIES = {
  AppName: 'name',
  Owner: 'owner',
  AccountEmail: 'accountEmail',
  Stages: 'stages',
  ConnectionArn: 'source.connectionArn',
  Repository: 'source.repository',
  Branch: 'source.branch',
  Profile: 'profile',
  AllowedServices: 'allowedServices',
} as const;

type ProductProperty = keyof typeof PRODUCT_PROPERTIES;
const LIST_PROPERTIES: readonly ProductProperty[] = ['Stages', 'AllowedServices'];
/** Properties CloudFormation itself reads. */
const RESERVED_PROPERTIES = new Set(['ServiceToken', 'ServiceTimeout']);

/**
 * A list parameter arrives as an array (a CommaDelimitedList passed by `Ref`) or as a string
 * ("test, prod"). Blanks are dropped; an empty list means "the default".
 */
function listOf(value: unknown): unknown {
  if (Array.isArray(value)) {
    const items = value.map((v) => (typeof v === 'string' ? v.trim() : v)).filter((v) => v !== '');
    return items.length > 0 ? items : undefined;
  }
  if (typeof value === 'string') {
    const items = value
      .split(',')
      .map((v) => v.trim())
      .filter(Boolean);
    return items.length > 0 ? items : undefined;
  }
  return value;
}

/**
 * The request the product's properties describe, or the problems of the properties themselves
 * (unknown or not an object). Optional parameters left blank take the request's defaults. The
 * request itself is checked by the one schema, in the intake.
 */
export function requestFromProperties(
  properties: unknown,
): { request: Record<string, unknown> } | { problems: FieldProblem[] } {
  if (properties === null || typeof properties !== 'object' || Array.isArray(properties)) {
    return { problems: [{ field: 'ResourceProperties', message: 'must be an object' }] };
  }
  const given = properties as Record<string, unknown>;
  const unknown = Object.keys(given).filter((k) => !RESERVED_PROPERTIES.has(k) && !(k in PRODUCT_PROPERTIES));
  if (unknown.length > 0) {
    return { problems: unknown.map((field) => ({ field, message: 'unknown property' })) };
  }
  const value = (property: ProductProperty): unknown => {
    const raw = given[property];
    if (LIST_PROPERTIES.includes(property)) return listOf(raw);
    return typeof raw === 'string' ? raw.trim() : raw;
  };
  const optional = (property: ProductProperty) => {
    const v = value(property);
    return v === undefined || v === '' ? undefined : v;
  };
  const request: Record<string, unknown> = {
    name: value('AppName'),
    owner: value('Owner'),
    accountEmail: value('AccountEmail'),
    source: {
      connectionArn: value('ConnectionArn'),
      repository: value('Repository'),
      ...(optional('Branch') !== undefined && { branch: optional('Branch') }),
    },
    ...(optional('Stages') !== undefined && { stages: optional('Stages') }),
    ...(optional('Profile') !== undefined && { profile: optional('Profile') }),
    ...(optional('AllowedServices') !== undefined && { allowedServices: optional('AllowedServices') }),
  };
  return { request };
}

/** `name` → `AppName`, `stages.1` → `Stages[1]`: the parameter the product's user filled in. */
export function propertyOf(field: string): string {
  for (const [property, path] of Object.entries(PRODUCT_PROPERTIES)) {
    if (field === path) return property;
    if (field.startsWith(`${path}.`)) return `${property}[${field.slice(path.length + 1)}]`;
  }
  if (field === 'source') return 'ConnectionArn, Repository';
  return field;
}

/** "Invalid parameters: AppName: must …; Stages[1]: …" */
export function invalidReason(problems: readonly FieldProblem[]): string {
  return `Invalid parameters: ${problems.map((p) => `${propertyOf(p.field)}: ${p.message}`).join('; ')}`;
}

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

const failureReason = (application: string, requestId: string, error?: { step: string; message: string }) =>
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

/** The response to a request, answered from an application whose vend has ended. */
function fromRecord(
  request: CustomResourceRequest,
  physicalResourceId: string,
  record: ApplicationRecord,
): CustomResourceResponse {
  const base = echo(request, physicalResourceId);
  if (record.status === 'SUCCEEDED') {
    return {
      ...base,
      Status: 'SUCCESS',
      Reason: `${record.name} is vended (request ${record.requestId})`,
      Data: successData(record.requestId, record.ids?.accounts ?? {}, record.ids?.organizationalUnit),
    };
  }
  return { ...base, Status: 'FAILED', Reason: failureReason(record.name, record.requestId, record.error) };
}

const echo = (request: CustomResourceRequest, physicalResourceId: string) => ({
  PhysicalResourceId: physicalResourceId,
  StackId: request.StackId,
  RequestId: request.RequestId,
  LogicalResourceId: request.LogicalResourceId,
});

/**
 * The physical id of a request that failed before it named an application: the earlier id on
 * Update, else the application name when it is one, else a fixed id (CloudFormation then sends a
 * Delete for it, which is answered SUCCESS).
 */
function fallbackPhysicalId(request: CustomResourceRequest): string {
  if (request.PhysicalResourceId) return request.PhysicalResourceId;
  const name = request.ResourceProperties?.AppName;
  return typeof name === 'string' && /^[a-z][a-z0-9-]{0,62}$/.test(name.trim())
    ? name.trim()
    : `appvend-not-vended-${request.LogicalResourceId}`.slice(0, 128);
}

/** What the function did with a request, for its log line. */
export type DoorOutcome =
  { answered: CustomResourceResponse['Status']; reason: string } | { answered: 'LATER'; requestId: string };

export const KEPT_ACCOUNTS_REASON =
  'Removed the provisioned product only: appvend keeps the application and its accounts, OU, guardrails and pipeline. Closing accounts is a separate, deliberate operation.';

/**
 * Handles one custom-resource request:
 * - Create/Update: the properties become a request for the intake. Invalid → FAILED naming the
 *   parameters; refused by the ledger → FAILED with its reason; already vended → SUCCESS with the
 *   ids at once; started or running → kept on the ledger item and answered when the vend ends.
 * - Delete: SUCCESS at once; the accounts are kept. Any request of the same resource still waiting
 *   is dropped (CloudFormation no longer waits for it).
 * An unexpected error (the ledger or Step Functions unavailable) is answered FAILED: CloudFormation
 * would otherwise wait for an hour.
 */
export async function handleCustomResource(
  request: CustomResourceRequest,
  deps: { ledger: Ledger; starter: ExecutionStarter; send: ResponseSender; now?: () => Date },
): Promise<DoorOutcome> {
  const answer = async (response: CustomResourceResponse): Promise<DoorOutcome> => {
    const bounded = withinLimit(response);
    await deps.send(request.ResponseURL, bounded);
    return { answered: bounded.Status, reason: bounded.Reason ?? '' };
  };

  if (request.RequestType === 'Delete') {
    const physicalResourceId = request.PhysicalResourceId ?? fallbackPhysicalId(request);
    await dropWaiting(deps.ledger, physicalResourceId, request).catch(() => undefined);
    return answer({ ...echo(request, physicalResourceId), Status: 'SUCCESS', Reason: KEPT_ACCOUNTS_REASON });
  }

  const failed = (reason: string, physicalResourceId = fallbackPhysicalId(request)) =>
    answer({ ...echo(request, physicalResourceId), Status: 'FAILED', Reason: reason });

  const mapped = requestFromProperties(request.ResourceProperties);
  if ('problems' in mapped) return failed(invalidReason(mapped.problems));

  try {
    const result = await submitApplication(deps.ledger, deps.starter, mapped.request);
    if (result.outcome === 'invalid') return await failed(invalidReason(result.problems));
    if (result.outcome === 'conflict') return await failed(`Refused: ${result.message}`);

    // The application name identifies the resource: a new name on Update replaces it.
    const physicalResourceId = result.record.name;
    if (result.status === 'SUCCEEDED' || result.status === 'FAILED') {
      return await answer(fromRecord(request, physicalResourceId, result.record));
    }
    const callback: PendingCallback = {
      requestId: result.requestId,
      requestType: request.RequestType,
      responseUrl: request.ResponseURL,
      stackId: request.StackId,
      cfnRequestId: request.RequestId,
      logicalResourceId: request.LogicalResourceId,
      physicalResourceId,
      receivedAt: (deps.now ?? (() => new Date()))().toISOString(),
    };
    const { kept, record } = await deps.ledger.keepCallback(result.record.name, callback);
    if (kept) return { answered: 'LATER', requestId: result.requestId };
    // The vend ended in the meantime, or a newer request replaced this one.
    if (record && record.requestId === result.requestId) {
      return await answer(fromRecord(request, physicalResourceId, record));
    }
    return await failed(
      `Refused: application "${result.record.name}" was changed by another request while this one was recorded; try again`,
      physicalResourceId,
    );
  } catch (error) {
    return failed(
      `appvend could not take the request, nothing was vended for it: ${(error as Error).message}`,
    );
  }
}

/** Drops the waiting requests of a resource that CloudFormation deleted (e.g. after a timeout). */
async function dropWaiting(ledger: Ledger, name: string, request: CustomResourceRequest): Promise<void> {
  const waiting = (await ledger.pendingCallbacks(name)).filter(
    (c) => c.stackId === request.StackId && c.logicalResourceId === request.LogicalResourceId,
  );
  await ledger.removeCallbacks(name, waiting);
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
