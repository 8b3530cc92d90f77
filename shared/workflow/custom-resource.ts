import type { Ledger } from '../ledger/ledger';
import { principalOf, type Actor } from '../ledger/principal';
import type { ApplicationRecord, PendingCallback } from '../ledger/record';
import type { FieldProblem } from '../request/validate';
import { submitApplication, type ExecutionStarter } from './intake';
import {
  failureReason,
  successData,
  withinLimit,
  type CustomResourceRequest,
  type CustomResourceResponse,
  type ResponseSender,
} from './custom-resource-response';

export * from './custom-resource-response';

/**
 * The Service Catalog door: the `Custom::ApplicationEnvironment` resource of the "New application
 * environment" product, a CloudFormation custom resource backed by a Lambda function. CloudFormation
 * sends a request and waits (up to the resource's ServiceTimeout, at most an hour) for a response
 * PUT to the request's pre-signed ResponseURL. A vend takes minutes, and a Lambda function never
 * waits for AWS, so a started vend's request is kept on the application's ledger item and answered
 * when the vend's outcome event arrives ({@link answerPendingCallbacks}).
 */

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
  ApproversGroup: 'approvers.group',
  ApproversPermissionSet: 'approvers.permissionSet',
  SecurityContactName: 'contacts.security.name',
  SecurityContactTitle: 'contacts.security.title',
  SecurityContactEmail: 'contacts.security.email',
  SecurityContactPhone: 'contacts.security.phone',
  OperationsContactName: 'contacts.operations.name',
  OperationsContactTitle: 'contacts.operations.title',
  OperationsContactEmail: 'contacts.operations.email',
  OperationsContactPhone: 'contacts.operations.phone',
  BillingContactName: 'contacts.billing.name',
  BillingContactTitle: 'contacts.billing.title',
  BillingContactEmail: 'contacts.billing.email',
  BillingContactPhone: 'contacts.billing.phone',
} as const;

/**
 * The request's alternate contact types, with the prefix of their product parameters. The
 * request's `access` list (grants, each with its list of stages) has no product parameters: a
 * list of records does not fit CloudFormation's parameter types (docs/service-catalog.md).
 */
const CONTACT_PARAMETERS = [
  ['security', 'SecurityContact'],
  ['operations', 'OperationsContact'],
  ['billing', 'BillingContact'],
] as const;
const CONTACT_FIELDS = [
  ['name', 'Name'],
  ['title', 'Title'],
  ['email', 'Email'],
  ['phone', 'Phone'],
] as const;

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
  // Own properties only: `toString` or `constructor` is no product parameter.
  const unknown = Object.keys(given).filter(
    (k) => !RESERVED_PROPERTIES.has(k) && !Object.hasOwn(PRODUCT_PROPERTIES, k),
  );
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
  // Approvers and each contact: asked for when any of their parameters is filled in; one left
  // blank then is missing, and the schema names it (propertyOf gives the parameter).
  const group = optional('ApproversGroup');
  const permissionSet = optional('ApproversPermissionSet');
  if (group !== undefined || permissionSet !== undefined) request.approvers = { group, permissionSet };
  const contacts: Record<string, Record<string, unknown>> = {};
  for (const [type, prefix] of CONTACT_PARAMETERS) {
    const fields = CONTACT_FIELDS.map(([field, suffix]) => [field, optional(`${prefix}${suffix}`)] as const);
    if (fields.some(([, v]) => v !== undefined)) contacts[type] = Object.fromEntries(fields);
  }
  if (Object.keys(contacts).length > 0) request.contacts = contacts;
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
  | { answered: CustomResourceResponse['Status']; reason: string }
  | { answered: 'LATER'; requestId: string }
  /** The request names no URL an answer could be PUT to: nothing is recorded, nothing started. */
  | { answered: 'UNANSWERABLE'; reason: string };

/** The request types CloudFormation sends a custom resource. */
const REQUEST_TYPES: readonly string[] = ['Create', 'Update', 'Delete'];

/** Whether a response can be PUT to `url` at all (CloudFormation's pre-signed S3 URLs are https). */
function answerable(url: unknown): url is string {
  if (typeof url !== 'string') return false;
  try {
    const { protocol } = new URL(url);
    return protocol === 'https:' || protocol === 'http:';
  } catch {
    return false;
  }
}

export const KEPT_ACCOUNTS_REASON =
  'Removed the provisioned product only: appvend keeps the application and its accounts, OU, guardrails and pipeline. Closing accounts is a separate, deliberate operation.';

/**
 * Handles one custom-resource request:
 * - Create/Update: the properties become a request for the intake. Invalid → FAILED naming the
 *   parameters; refused by the ledger → FAILED with its reason; already vended → SUCCESS with the
 *   ids at once; started or running → kept on the ledger item and answered when the vend ends.
 * - Delete: SUCCESS at once; the accounts are kept. Any request of the same resource still waiting
 *   is dropped (CloudFormation no longer waits for it).
 * Who asks is the stack that sent the request (`StackId`, set by CloudFormation): an application is
 * recorded as its provisioned product's stack, and only that stack may update it; another stack
 * naming it is answered FAILED (`not-owner`), and nothing is recorded or started.
 * A request type other than these is answered FAILED, naming it. A request without a URL to answer
 * is left alone (`UNANSWERABLE`): a vend started for it could never be reported.
 * An unexpected error (the ledger or Step Functions unavailable) is answered FAILED, without its
 * text (that goes to `onError`, the function's log): CloudFormation would otherwise wait for an
 * hour, and an AWS error's words are no business of the stack's events.
 */
export async function handleCustomResource(
  request: CustomResourceRequest,
  deps: {
    ledger: Ledger;
    starter: ExecutionStarter;
    send: ResponseSender;
    now?: () => Date;
    /** Where an unexpected error's details go (the function's log). */
    onError?: (error: unknown) => void;
  },
): Promise<DoorOutcome> {
  if (!answerable(request.ResponseURL)) {
    return { answered: 'UNANSWERABLE', reason: 'ResponseURL must be an https URL: nothing was done' };
  }
  const answer = async (response: CustomResourceResponse): Promise<DoorOutcome> => {
    const bounded = withinLimit(response);
    await deps.send(request.ResponseURL, bounded);
    return { answered: bounded.Status, reason: bounded.Reason ?? '' };
  };

  if (!REQUEST_TYPES.includes(request.RequestType)) {
    return answer({
      ...echo(request, fallbackPhysicalId(request)),
      Status: 'FAILED',
      Reason: `Refused: RequestType must be Create, Update or Delete (got ${JSON.stringify(String(request.RequestType)).slice(0, 64)}); nothing was vended`,
    });
  }

  if (request.RequestType === 'Delete') {
    const physicalResourceId = request.PhysicalResourceId ?? fallbackPhysicalId(request);
    await dropWaiting(deps.ledger, physicalResourceId, request).catch(() => undefined);
    return answer({ ...echo(request, physicalResourceId), Status: 'SUCCESS', Reason: KEPT_ACCOUNTS_REASON });
  }

  const failed = (reason: string, physicalResourceId = fallbackPhysicalId(request)) =>
    answer({ ...echo(request, physicalResourceId), Status: 'FAILED', Reason: reason });

  const mapped = requestFromProperties(request.ResourceProperties);
  if ('problems' in mapped) return failed(invalidReason(mapped.problems));
  const actor = stackActor(request.StackId);
  if (!actor) return failed('Refused: StackId must be a CloudFormation stack ARN; nothing was vended');

  try {
    const result = await submitApplication(deps.ledger, deps.starter, mapped.request, actor);
    if (result.outcome === 'invalid') return await failed(invalidReason(result.problems));
    if (result.outcome === 'conflict') {
      const rule =
        result.reason === 'not-owner'
          ? ' (not-owner: an application is updated only by the provisioned product that launched it)'
          : '';
      return await failed(`Refused${rule}: ${result.message}`);
    }

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
    deps.onError?.(error);
    return failed(
      `appvend could not take the request because of an internal error, and nothing was vended for it; try again (the appvend-service-catalog-product log has the details, request ${request.RequestId})`,
    );
  }
}

/** The stack that sent a request, as the owner it is recorded as; undefined when it is no stack ARN. */
function stackActor(stackId: unknown): Actor | undefined {
  if (typeof stackId !== 'string') return undefined;
  const principal = principalOf(stackId);
  return principal?.includes(':cloudformation:') ? { principal, admin: false } : undefined;
}

/** Drops the waiting requests of a resource that CloudFormation deleted (e.g. after a timeout). */
async function dropWaiting(ledger: Ledger, name: string, request: CustomResourceRequest): Promise<void> {
  const waiting = (await ledger.pendingCallbacks(name)).filter(
    (c) => c.stackId === request.StackId && c.logicalResourceId === request.LogicalResourceId,
  );
  await ledger.removeCallbacks(name, waiting);
}
