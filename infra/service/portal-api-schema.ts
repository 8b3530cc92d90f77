import * as z from 'zod/mini';
import { applicationRequestJsonSchema } from '../../shared/request/schema';
import { DEFAULT_PAGE_SIZE, MAX_BODY_BYTES, MAX_PAGE_SIZE } from '../../shared/workflow/portal-api';
import { portalResponseSchemas } from '../../shared/workflow/portal-responses';

/** The portal API's name, its stage, and its routes (`services/portal-api/handler.ts`). */
export const PORTAL_API_NAME = 'appvend-portal';
export const PORTAL_API_STAGE = 'v1';

type Schema = Record<string, unknown>;

/**
 * Removes, at every level, what API Gateway's draft 4 validator cannot take: `propertyNames`
 * (unknown to draft 4) and patterns written with look-behind or Unicode property classes, which
 * ECMA 262 5.1 regular expressions lack. The handler checks every rule again with the zod schema,
 * so what API Gateway does not check is still refused (400, naming the field).
 */
function forDraft4(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(forDraft4);
  if (node === null || typeof node !== 'object') return node;
  const out: Schema = {};
  for (const [key, value] of Object.entries(node as Schema)) {
    if (key === 'propertyNames' || key === '$schema') continue;
    if (key === 'pattern' && typeof value === 'string' && /\(\?<[!=]|\\p\{/.test(value)) continue;
    // `properties` holds names, not keywords: keep every name, clean each schema.
    out[key] =
      key === 'properties'
        ? Object.fromEntries(Object.entries(value as Schema).map(([k, v]) => [k, forDraft4(v)]))
        : forDraft4(value);
  }
  return out;
}

/**
 * The request body model of `POST /applications`, as JSON Schema draft 4 (what API Gateway
 * models take), from the one zod schema (`shared/request/schema.ts`). Unknown fields are refused
 * (`additionalProperties: false`), as by the zod schema.
 */
export function portalRequestModelSchema(): Schema {
  return {
    $schema: 'http://json-schema.org/draft-04/schema#',
    title: 'ApplicationRequest',
    ...(forDraft4(applicationRequestJsonSchema()) as Schema),
  };
}

const OFFBOARD_REQUEST: Schema = {
  type: 'object',
  required: ['confirm'],
  additionalProperties: false,
  properties: {
    confirm: { type: 'string', description: 'The application name, repeated' },
    closeAccounts: {
      type: 'boolean',
      default: false,
      description: 'Also close the accounts appvend created for the application (CloseAccount)',
    },
  },
};

/** The body of `DELETE /applications/{name}` as the API Gateway model (JSON Schema draft 4). */
export function offboardRequestModelSchema(): Schema {
  return {
    $schema: 'http://json-schema.org/draft-04/schema#',
    title: 'OffboardRequest',
    ...OFFBOARD_REQUEST,
  };
}

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const json = (schema: Schema, description: string, headers?: Schema) => ({
  description,
  ...(headers && { headers }),
  content: { 'application/json': { schema } },
});
const problemsResponse = (description: string) => json(ref('Problems'), description);
const messageResponse = (description: string) => json(ref('Message'), description);

/**
 * The portal API as OpenAPI 3.1 (committed as `docs/openapi.json`): the four operations, IAM
 * authorization (Signature Version 4 for `execute-api`), the request schema exported from the one
 * zod schema, and every answer the handler gives.
 */
export function portalOpenApiDocument(): Schema {
  const { $schema: _dialect, ...request } = applicationRequestJsonSchema();
  const common = {
    '403': messageResponse('The call is not signed, or its principal may not call the API'),
    '500': json(ref('InternalError'), 'An unexpected error, logged under the Lambda request id'),
  };
  /** The answers of a change: as `common`, and a 403 that may also be a refusal of ownership. */
  const changing = {
    '403': json(
      ref('Forbidden'),
      'The call is not signed or its principal may not call the API (message); or the application belongs ' +
        'to another principal (reason not-owner): only its owners, its managers and platform administrators act on it',
    ),
    '500': json(ref('InternalError'), 'An unexpected error, logged under the Lambda request id'),
  };
  return {
    openapi: '3.1.0',
    info: {
      title: 'appvend portal API',
      version: '1.0.0',
      description:
        'Requests AWS Organizations application environments (an OU, an SCP, tooling and stage accounts, ' +
        'a delivery pipeline, guardrails) and follows their vend. Every call is signed with AWS ' +
        'credentials of the organization (Signature Version 4, service execute-api).',
    },
    servers: [
      {
        url: `https://{restApiId}.execute-api.{region}.amazonaws.com/${PORTAL_API_STAGE}`,
        variables: {
          restApiId: { default: 'abcdef1234', description: 'The PortalApiId output of the stack' },
          region: { default: 'us-east-1', description: "The stack's Region" },
        },
      },
    ],
    security: [{ sigv4: [] }],
    paths: {
      '/applications': {
        post: {
          operationId: 'SubmitApplication',
          summary: 'Request an application environment (or the same request again), or plan its vend',
          description:
            'Records the request in the ledger and starts its vend once. The same request again answers ' +
            'with the same request id and starts nothing. The caller (the signed principal; an assumed-role ' +
            'session counts as its role) owns a new application; a request for one it does not own is refused ' +
            "(403 not-owner), whatever the body's owner email, and a changed request while the vend runs (409). " +
            `Bodies over ${MAX_BODY_BYTES} bytes are refused (413). ` +
            'With dryRun=true, answers 200 with what a vend would do, compared with the organization as it ' +
            'is, and records nothing, starts nothing and changes nothing.',
          parameters: [
            {
              name: 'dryRun',
              in: 'query',
              required: false,
              description:
                'true: plan the vend instead of starting it (read calls only; guardrails in member accounts are not checked)',
              schema: { type: 'boolean', default: false },
            },
          ],
          requestBody: {
            required: true,
            content: { 'application/json': { schema: ref('ApplicationRequest') } },
          },
          responses: {
            '200': json(ref('Plan'), 'dryRun=true: what a vend of the request would do, step by step'),
            '202': json(ref('Accepted'), 'Recorded; the vend runs (or already ran) under the request id', {
              Location: { description: '/applications/{name}', schema: { type: 'string' } },
            }),
            '400': problemsResponse(
              'The body is not JSON, or breaks the request schema, or a query parameter is unknown or not true/false (each field named)',
            ),
            ...changing,
            '409': json(
              ref('Conflict'),
              'A different request is being vended, or the application offboarded',
            ),
            '413': problemsResponse(`The body is over ${MAX_BODY_BYTES} bytes`),
            '501': messageResponse('dryRun=true on a deployment whose function is not given a planner'),
          },
        },
        get: {
          operationId: 'ListApplications',
          summary: 'List applications, a page at a time',
          parameters: [
            {
              name: 'limit',
              in: 'query',
              required: false,
              schema: { type: 'integer', minimum: 1, maximum: MAX_PAGE_SIZE, default: DEFAULT_PAGE_SIZE },
            },
            {
              name: 'cursor',
              in: 'query',
              required: false,
              description: 'The cursor of the previous page',
              schema: { type: 'string' },
            },
          ],
          description:
            'Only the applications the caller owns or manages, unless it is a platform administrator. A page ' +
            'holds at most limit items and may hold fewer (even none) with a cursor: follow the cursor until ' +
            'there is none.',
          responses: {
            '200': json(ref('ApplicationList'), 'A page of applications'),
            '400': problemsResponse('A parameter is unknown or out of range (each named)'),
            ...common,
          },
        },
      },
      '/applications/{name}': {
        get: {
          operationId: 'GetApplication',
          summary: 'Where an application stands',
          parameters: [
            { name: 'name', in: 'path', required: true, schema: (request.properties as Schema).name },
          ],
          responses: {
            '200': json(
              ref('Application'),
              'Status, current step, request id, execution, ids vended so far, error',
            ),
            '400': problemsResponse('The name is not an application name'),
            ...common,
            '404': messageResponse(
              'No application has this name, or the caller neither owns nor manages it (not disclosed)',
            ),
          },
        },
        delete: {
          operationId: 'OffboardApplication',
          summary: 'Offboard an application (the body must repeat its name)',
          description:
            'Starts the offboarding: the stack instances and stack sets, the SCP and the OU the vend made are ' +
            'removed, the accounts are moved to the suspended OU and, with closeAccounts, the accounts appvend ' +
            'created for the application are closed within the closure quota. Nothing without the ' +
            "application's tag is removed; the ledger keeps the application with its history.",
          parameters: [
            { name: 'name', in: 'path', required: true, schema: (request.properties as Schema).name },
          ],
          requestBody: {
            required: true,
            content: { 'application/json': { schema: ref('OffboardRequest') } },
          },
          responses: {
            '200': json(ref('Application'), 'Already offboarded (and closed, when asked): nothing started'),
            '202': json(ref('OffboardingStarted'), 'The offboarding started', {
              Location: { description: '/applications/{name}', schema: { type: 'string' } },
            }),
            '400': problemsResponse(
              'The name, or confirm does not repeat it, or an unknown field (each named)',
            ),
            ...changing,
            '404': messageResponse('No application has this name'),
            '409': json(ref('Conflict'), 'The application is being vended, or being offboarded'),
            '413': problemsResponse(`The body is over ${MAX_BODY_BYTES} bytes`),
            '501': messageResponse('A deployment whose function is not given the offboarding state machine'),
            '503': messageResponse(
              'The deployment lacks what an offboarding needs (the suspended OU: unset, missing, or the ' +
                "application's own OU), named in the message; checked before anything is marked: nothing was changed",
            ),
          },
        },
      },
    },
    components: {
      securitySchemes: {
        sigv4: {
          type: 'apiKey',
          name: 'Authorization',
          in: 'header',
          description:
            'AWS Signature Version 4 (service execute-api); API Gateway checks it (IAM authorization)',
          'x-amazon-apigateway-authtype': 'awsSigv4',
        },
      },
      schemas: {
        ApplicationRequest: request,
        OffboardRequest: OFFBOARD_REQUEST,
        // Every answer's body, generated from the zod schemas the handler answers with.
        ...responseComponents(),
      },
    },
  };
}

/**
 * The response bodies' schemas as OpenAPI 3.1 components (JSON Schema 2020-12), generated from the
 * zod schemas the handler builds its answers with (`shared/workflow/portal-responses.ts`): each
 * registered schema is a component, and one used inside another is a `$ref` to it. What the
 * handler answers is an output, so optional fields are optional and unknown ones refused.
 */
export function responseComponents(): Record<string, Schema> {
  const { schemas } = z.toJSONSchema(portalResponseSchemas, {
    io: 'output',
    uri: (id) => `#/components/schemas/${id}`,
  });
  return Object.fromEntries(
    Object.entries(schemas).map(([id, { $schema: _dialect, $id: _id, ...schema }]) => [id, schema]),
  );
}
