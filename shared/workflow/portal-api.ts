import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import type { Ledger } from '../ledger/ledger';
import { actorOf, principalOf, type Actor } from '../ledger/principal';
import { mayAct, type ApplicationRecord } from '../ledger/record';
import { NAME_PATTERN } from '../request/schema';
import { validateRequest, type FieldProblem } from '../request/validate';
import type { ExecutionProgress } from './current-step';
import { submitApplication, type ExecutionStarter } from './intake';
import { requestOffboarding, type OffboardStarter } from './offboard/intake';
import type { VendPlanner } from './plan';
import {
  AcceptedSchema,
  ApplicationListSchema,
  ApplicationSchema,
  ConflictSchema,
  ForbiddenSchema,
  InternalErrorSchema,
  MessageSchema,
  OffboardingStartedSchema,
  PlanSchema,
  ProblemsSchema,
  respond,
  type Body,
  type PortalAnswer,
} from './portal-responses';

export type { PortalAnswer } from './portal-responses';

/** The largest request body the API takes; a request is a few hundred bytes. */
export const MAX_BODY_BYTES = 32 * 1024;
/** Page sizes of `GET /applications`. */
export const DEFAULT_PAGE_SIZE = 25;
export const MAX_PAGE_SIZE = 100;
/** Ledger pages one `GET /applications` reads at most to fill a caller's page with what it owns. */
const MAX_LEDGER_PAGES = 10;
/** The longest application name (`shared/request/schema.ts`). */
const MAX_NAME_LENGTH = 32;

/** The one audit line per request: who called, what, and what they were answered. */
export interface PortalAudit {
  caller: string | null;
  /** The caller as ownership compares it (an assumed-role session is its role). */
  principal: string | null;
  callerAccount: string | null;
  sourceIp: string | null;
  apiRequestId: string | null;
  method: string;
  path: string;
  outcome: string;
  statusCode: number;
  requestId?: string;
}

export interface PortalDependencies {
  ledger: Ledger;
  starter: ExecutionStarter;
  /** Reads where a running vend is; without it, `step` is what the ledger recorded. */
  progress?: ExecutionProgress;
  /** Plans a vend for `POST /applications?dryRun=true`; without it, dry runs are answered 501. */
  planner?: VendPlanner;
  /** Starts offboardings for `DELETE /applications/{name}`; without it, they are answered 501. */
  offboarder?: OffboardStarter;
  /**
   * Checks the offboarding's configuration (the suspended OU: set, not the application's own OU,
   * existing) before the ledger marks anything, as `appvend offboard` does; throws
   * `OrganizationSetupError` naming what is missing. The deployed handler always gives it.
   */
  checkOffboarding?: (record: ApplicationRecord) => Promise<void>;
  /**
   * Platform administrators (normalized role ARNs, `APPVEND_PLATFORM_ADMINS`): they may act on,
   * list and read every application. Everyone else only on those it owns or manages.
   */
  platformAdmins?: readonly string[];
}

const JSON_HEADERS = {
  'Content-Type': 'application/json',
  'Cache-Control': 'no-store',
  'X-Content-Type-Options': 'nosniff',
};

const problems = (statusCode: number, outcome: string, list: FieldProblem[]): PortalAnswer =>
  respond(ProblemsSchema, { statusCode, outcome, body: { problems: list } });

/** A body of a message only (`Message`). */
const message = (statusCode: number, outcome: string, text: string): PortalAnswer =>
  respond(MessageSchema, { statusCode, outcome, body: { message: text } });

/**
 * The portal API (API Gateway REST, Lambda proxy integration): routes the event, checks what
 * API Gateway already checked (signature, body schema) once more, and answers with a status code
 * and a small JSON body. Only unexpected errors are thrown (the handler turns them into a 500).
 *
 * - `POST /applications`: the request as body; 202 (Location `/applications/{name}`), 400, 409, 413.
 *   With `?dryRun=true`: 200 and the plan of its vend (`shared/workflow/plan.ts`); nothing is
 *   recorded and nothing starts.
 * - `GET /applications/{name}`: where the application stands; 404 when unknown.
 * - `DELETE /applications/{name}`: body `{confirm: name, closeAccounts?}`; starts its offboarding
 *   (202), or says it is offboarded (200) or being offboarded or vended (409); 404 when unknown;
 *   503 when the deployment lacks the suspended OU (checked before anything is marked).
 * - `GET /applications?limit=&cursor=`: a page of applications.
 *
 * Who owns what: the caller is the principal API Gateway verified (`requestContext.identity`), never
 * a field of the body. A new application is recorded as the caller's; the others are acted on
 * only by their owners, their managers and platform administrators (403 `not-owner` otherwise),
 * listed only to them, and read only by them (404 to anyone else, as for an unknown name, so that
 * a GET does not disclose which names exist).
 */
export async function answerPortalRequest(
  event: APIGatewayProxyEvent,
  deps: PortalDependencies,
): Promise<PortalAnswer> {
  const principal = callerOf(event);
  if (!principal) {
    const signed = typeof event.requestContext?.identity?.userArn === 'string';
    return message(
      403,
      signed ? 'unknown-principal' : 'unsigned',
      signed
        ? 'the caller is not an IAM role, user or account principal of a consistent identity: appvend cannot record it as an owner'
        : 'requests must be signed with AWS credentials (Signature Version 4)',
    );
  }
  const actor = actorOf(principal, deps.platformAdmins ?? []);
  const method = (event.httpMethod ?? '').toUpperCase();
  const path = normalizedPath(event.path);
  if (path === '/applications') {
    if (method === 'POST') return post(event, actor, deps);
    if (method === 'GET') return list(event, actor, deps);
    return methodNotAllowed(['GET', 'POST']);
  }
  const byName = /^\/applications\/([^/]+)$/.exec(path);
  if (byName) {
    if (method === 'GET') return get(event.pathParameters?.name ?? byName[1]!, actor, deps);
    if (method === 'DELETE') return offboard(event, event.pathParameters?.name ?? byName[1]!, actor, deps);
    return methodNotAllowed(['DELETE', 'GET']);
  }
  return message(404, 'no-route', `no route for ${method} ${path}`);
}

/**
 * The principal API Gateway verified (normalized: an assumed-role session is its role), or
 * undefined for an unsigned call or an identity that does not hold together: `userArn` must be an
 * IAM or STS ARN of the account `accountId` names.
 */
export function callerOf(event: APIGatewayProxyEvent): string | undefined {
  const identity = event.requestContext?.identity;
  const arn = identity?.userArn;
  if (typeof arn !== 'string' || !/^arn:aws[a-z-]*:(iam|sts)::\d{12}:/.test(arn)) return undefined;
  const principal = principalOf(arn);
  if (!principal) return undefined;
  const account = arn.split(':')[4];
  if (typeof identity?.accountId === 'string' && identity.accountId !== account) return undefined;
  return principal;
}

/** The audit line of an answered request. */
export function auditOf(event: APIGatewayProxyEvent, answer: PortalAnswer): PortalAudit {
  const identity = event.requestContext?.identity;
  return {
    caller: identity?.userArn ?? null,
    principal: callerOf(event) ?? null,
    callerAccount: identity?.accountId ?? null,
    sourceIp: identity?.sourceIp ?? null,
    apiRequestId: event.requestContext?.requestId ?? null,
    method: event.httpMethod,
    path: event.path,
    outcome: answer.outcome,
    statusCode: answer.statusCode,
    ...(answer.requestId && { requestId: answer.requestId }),
  };
}

/** The Lambda proxy result of an answer. */
export function toProxyResult(answer: PortalAnswer): APIGatewayProxyResult {
  return {
    statusCode: answer.statusCode,
    headers: { ...JSON_HEADERS, ...answer.headers },
    body: JSON.stringify(answer.body),
  };
}

/** An unexpected failure: no detail for the caller, only the id under which it was logged. */
export function internalError(lambdaRequestId: string): PortalAnswer {
  return respond(InternalErrorSchema, {
    statusCode: 500,
    outcome: 'error',
    body: { message: 'internal error', requestId: lambdaRequestId },
  });
}

/**
 * `POST /applications`: a submission, or with `dryRun=true` a plan. Any other query parameter is
 * refused, so that a misspelt `dryRun` can never start a vend.
 */
async function post(
  event: APIGatewayProxyEvent,
  actor: Actor,
  deps: PortalDependencies,
): Promise<PortalAnswer> {
  const query = event.queryStringParameters ?? {};
  const found: FieldProblem[] = Object.keys(query)
    .filter((key) => key !== 'dryRun')
    .map((field) => ({ field, message: 'unknown parameter' }));
  if (query.dryRun !== undefined && query.dryRun !== 'true' && query.dryRun !== 'false') {
    found.push({ field: 'dryRun', message: 'must be true or false' });
  }
  if (found.length > 0) return problems(400, 'invalid', found);
  const body = requestBody(event);
  if ('answer' in body) return body.answer;
  return query.dryRun === 'true' ? plan(body.input, deps) : submit(body.input, actor, deps);
}

/** The body as JSON, or the answer that refuses it (missing, too large, not JSON). */
function requestBody(event: APIGatewayProxyEvent): { input: unknown } | { answer: PortalAnswer } {
  if (event.body === null || event.body === undefined || event.body === '') {
    return {
      answer: problems(400, 'invalid', [
        { field: '(body)', message: 'is required: the application request as a JSON object' },
      ]),
    };
  }
  const raw = event.isBase64Encoded ? Buffer.from(event.body, 'base64') : Buffer.from(event.body, 'utf8');
  if (raw.byteLength > MAX_BODY_BYTES) {
    return {
      answer: problems(413, 'too-large', [
        { field: '(body)', message: `must be at most ${MAX_BODY_BYTES} bytes (got ${raw.byteLength})` },
      ]),
    };
  }
  try {
    return { input: JSON.parse(raw.toString('utf8')) };
  } catch (error) {
    return {
      answer: problems(400, 'malformed', [
        { field: '(body)', message: `is not valid JSON: ${(error as Error).message}` },
      ]),
    };
  }
}

/**
 * A dry run: the request validated as a submission is, then planned against the organization
 * with read calls only. The ledger is not read or written and no execution starts.
 */
async function plan(input: unknown, deps: PortalDependencies): Promise<PortalAnswer> {
  const validation = validateRequest(input);
  if (!validation.valid) return problems(400, 'invalid', validation.problems);
  if (!deps.planner) return message(501, 'plan-unavailable', 'dry runs are not enabled on this deployment');
  return respond(PlanSchema, { statusCode: 200, outcome: 'planned', body: await deps.planner.plan(input) });
}

/** The refusal of a caller that does not own the application: 403, and nothing changed. */
const notOwner = (text: string): PortalAnswer =>
  respond(ForbiddenSchema, {
    statusCode: 403,
    outcome: 'not-owner',
    body: { reason: 'not-owner', message: text },
  });

async function submit(input: unknown, actor: Actor, deps: PortalDependencies): Promise<PortalAnswer> {
  const result = await submitApplication(deps.ledger, deps.starter, input, actor);
  switch (result.outcome) {
    case 'invalid':
      return problems(400, 'invalid', result.problems);
    case 'conflict':
      if (result.reason === 'not-owner') return notOwner(result.message);
      return respond(ConflictSchema, {
        statusCode: 409,
        outcome: `conflict-${result.reason}`,
        requestId: result.requestId,
        body: { reason: result.reason, message: result.message, requestId: result.requestId },
      });
    default: {
      const { name } = result.record;
      const location = `/applications/${encodeURIComponent(name)}`;
      return respond(AcceptedSchema, {
        statusCode: 202,
        outcome: result.outcome,
        requestId: result.requestId,
        headers: { Location: location },
        body: { name, requestId: result.requestId, status: result.status, outcome: result.outcome, location },
      });
    }
  }
}

/** The `{name}` of the path, or the answer that refuses it. */
function applicationName(rawName: string): { name: string } | { answer: PortalAnswer } {
  const name = decoded(rawName);
  if (name === undefined || !isApplicationName(name)) {
    return {
      answer: problems(400, 'invalid', [
        {
          field: 'name',
          message: `must be an application name (3–${MAX_NAME_LENGTH} lowercase letters, digits, hyphens)`,
        },
      ]),
    };
  }
  return { name };
}

/**
 * `DELETE /applications/{name}`: offboards the application. The body must repeat the name in
 * `confirm` (a DELETE sent by mistake changes nothing); `closeAccounts: true` also closes the
 * accounts appvend created for it, within the closure quota.
 */
async function offboard(
  event: APIGatewayProxyEvent,
  rawName: string,
  actor: Actor,
  deps: PortalDependencies,
): Promise<PortalAnswer> {
  const named = applicationName(rawName);
  if ('answer' in named) return named.answer;
  const { name } = named;
  const body = requestBody(event);
  if ('answer' in body) return body.answer;
  const input = body.input as Record<string, unknown> | null;
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    return problems(400, 'invalid', [
      { field: '(body)', message: 'must be a JSON object: {"confirm": "<name>"}' },
    ]);
  }
  const found: FieldProblem[] = Object.keys(input)
    .filter((key) => key !== 'confirm' && key !== 'closeAccounts')
    .map((field) => ({ field, message: 'unknown field' }));
  if (input.confirm !== name)
    found.push({ field: 'confirm', message: `must repeat the application name ("${name}")` });
  if (input.closeAccounts !== undefined && typeof input.closeAccounts !== 'boolean') {
    found.push({ field: 'closeAccounts', message: 'must be true or false' });
  }
  if (found.length > 0) return problems(400, 'invalid', found);
  if (!deps.offboarder) {
    return message(501, 'offboard-unavailable', 'offboarding is not enabled on this deployment');
  }
  const result = await requestOffboarding(deps.ledger, deps.offboarder, name, {
    closeAccounts: input.closeAccounts === true,
    actor,
    ...(deps.checkOffboarding && { checkConfiguration: deps.checkOffboarding }),
  });
  switch (result.outcome) {
    case 'unknown':
      return message(404, 'not-found', `no application named "${name}"`);
    case 'not-configured':
      // The deployment lacks what an offboarding needs: the caller cannot fix it, the operator can.
      return message(
        503,
        'offboard-not-configured',
        `offboarding cannot start: ${result.message}; nothing was changed`,
      );
    case 'conflict':
      if (result.reason === 'not-owner') return notOwner(result.message);
      return respond(ConflictSchema, {
        statusCode: 409,
        outcome: 'conflict-in-progress',
        requestId: result.requestId,
        body: { reason: 'in-progress', message: result.message, requestId: result.requestId },
      });
    case 'running':
      return respond(ConflictSchema, {
        statusCode: 409,
        outcome: 'conflict-offboarding',
        requestId: result.record.requestId,
        body: {
          reason: 'offboarding',
          message: `application "${name}" is being offboarded (${result.record.offboarding?.executionName ?? 'execution unknown'})`,
          requestId: result.record.requestId,
        },
      });
    case 'offboarded':
      return respond(ApplicationSchema, {
        statusCode: 200,
        outcome: 'offboarded',
        requestId: result.record.requestId,
        body: applicationView(result.record),
      });
    case 'started': {
      const location = `/applications/${encodeURIComponent(name)}`;
      return respond(OffboardingStartedSchema, {
        statusCode: 202,
        outcome: 'offboarding',
        requestId: result.record.requestId,
        headers: { Location: location },
        body: {
          name,
          status: result.record.status,
          executionName: result.record.offboarding?.executionName ?? null,
          location,
        },
      });
    }
  }
}

async function get(rawName: string, actor: Actor, deps: PortalDependencies): Promise<PortalAnswer> {
  const named = applicationName(rawName);
  if ('answer' in named) return named.answer;
  const { name } = named;
  const record = await deps.ledger.get(name);
  // Another's application is answered as an unknown one: a GET does not disclose names.
  if (!record || !mayAct(record, actor)) return message(404, 'not-found', `no application named "${name}"`);
  const step = await runningStep(record, deps.progress);
  return respond(ApplicationSchema, {
    statusCode: 200,
    outcome: 'found',
    requestId: record.requestId,
    body: applicationView(step ? { ...record, step } : record),
  });
}

async function list(
  event: APIGatewayProxyEvent,
  actor: Actor,
  deps: PortalDependencies,
): Promise<PortalAnswer> {
  const query = event.queryStringParameters ?? {};
  const found: FieldProblem[] = [];
  for (const key of Object.keys(query)) {
    if (key !== 'limit' && key !== 'cursor') found.push({ field: key, message: 'unknown parameter' });
  }
  let limit = DEFAULT_PAGE_SIZE;
  if (query.limit !== undefined) {
    const value = /^\d{1,3}$/.test(query.limit) ? Number(query.limit) : NaN;
    if (value >= 1 && value <= MAX_PAGE_SIZE) limit = value;
    else found.push({ field: 'limit', message: `must be an integer from 1 to ${MAX_PAGE_SIZE}` });
  }
  let after: string | undefined;
  if (query.cursor !== undefined) {
    after = cursorName(query.cursor);
    if (!after) found.push({ field: 'cursor', message: 'must be a cursor returned by a previous page' });
  }
  if (found.length > 0) return problems(400, 'invalid', found);
  const page = await ownedPage(deps.ledger, actor, limit, after);
  return respond(ApplicationListSchema, {
    statusCode: 200,
    outcome: 'listed',
    body: {
      items: page.items.map(applicationView),
      ...(page.cursor && { cursor: Buffer.from(page.cursor, 'utf8').toString('base64url') }),
    },
  });
}

/**
 * A page of the applications `actor` may see (all of them for a platform administrator). Ledger
 * pages are read whole (a cursor is where a ledger page ended), each no larger than what is still
 * wanted, so the page never exceeds `limit`; after {@link MAX_LEDGER_PAGES} reads it may be
 * shorter, with a cursor to go on from.
 */
async function ownedPage(
  ledger: Ledger,
  actor: Actor,
  limit: number,
  after: string | undefined,
): Promise<{ items: ApplicationRecord[]; cursor?: string }> {
  const items: ApplicationRecord[] = [];
  let cursor = after;
  for (let read = 0; read < MAX_LEDGER_PAGES && items.length < limit; read += 1) {
    const page = await ledger.list({ limit: limit - items.length, ...(cursor && { cursor }) });
    items.push(...page.items.filter((record) => mayAct(record, actor)));
    cursor = page.cursor;
    if (!cursor) break;
  }
  return { items, ...(cursor && { cursor }) };
}

/** The step a running vend is at, from its execution; nothing when it has ended or cannot be read. */
async function runningStep(
  record: ApplicationRecord,
  progress?: ExecutionProgress,
): Promise<string | undefined> {
  if (!progress || record.status !== 'IN_PROGRESS' || !record.executionArn) return undefined;
  try {
    return await progress.currentStep(record.executionArn);
  } catch {
    // Progress is a nicety: the status answer stands without it.
    return undefined;
  }
}

/** What `GET /applications/{name}` shows of a ledger item (not the request's internals). */
export function applicationView(record: ApplicationRecord): Body<typeof ApplicationSchema> {
  return {
    name: record.name,
    owner: record.owner,
    principals: record.principals ?? [],
    managers: record.request.managers ?? [],
    requestId: record.requestId,
    status: record.status,
    step: record.step ?? null,
    attempt: record.attempt,
    execution: { name: record.executionName, arn: record.executionArn ?? null },
    ids: record.ids ?? {},
    error: record.error ?? null,
    offboarding: record.offboarding ?? null,
    history: record.history ?? [],
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
  };
}

function methodNotAllowed(allowed: string[]): PortalAnswer {
  return respond(MessageSchema, {
    statusCode: 405,
    outcome: 'method-not-allowed',
    headers: { Allow: allowed.join(', ') },
    body: { message: `method not allowed; use ${allowed.join(' or ')}` },
  });
}

function normalizedPath(path: string | undefined): string {
  const trimmed = (path ?? '/').replace(/\/+$/, '');
  return trimmed === '' ? '/' : trimmed;
}

function decoded(value: string): string | undefined {
  try {
    return decodeURIComponent(value);
  } catch {
    return undefined;
  }
}

function isApplicationName(value: string): boolean {
  return value.length >= 3 && value.length <= MAX_NAME_LENGTH && NAME_PATTERN.test(value);
}

/** Cursors are opaque to callers: the last name of the previous page, base64url-encoded. */
function cursorName(cursor: string): string | undefined {
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(cursor)) return undefined;
  const name = Buffer.from(cursor, 'base64url').toString('utf8');
  return isApplicationName(name) ? name : undefined;
}
