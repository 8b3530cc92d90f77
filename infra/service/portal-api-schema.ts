import { applicationRequestJsonSchema } from '../../shared/request/schema';
import { PLAN_ACTIONS, PLAN_STEP_KINDS } from '../../shared/workflow/plan';
import { DEFAULT_PAGE_SIZE, MAX_BODY_BYTES, MAX_PAGE_SIZE } from '../../shared/workflow/portal-api';

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
const nullable = (schema: Schema) => ({ anyOf: [schema, { type: 'null' }] });

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
      // anyOf: a NotOwner body is also a Message (both have a message), so oneOf matched neither.
      { anyOf: [ref('NotOwner'), ref('Message')] },
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
        Accepted: {
          type: 'object',
          required: ['name', 'requestId', 'status', 'outcome', 'location'],
          properties: {
            name: { type: 'string' },
            requestId: { type: 'string' },
            status: ref('Status'),
            outcome: {
              type: 'string',
              enum: ['started', 'existing'],
              description:
                'started: this call started the vend; existing: the same request was already recorded',
            },
            location: { type: 'string' },
          },
        },
        Status: {
          type: 'string',
          enum: ['REQUESTED', 'IN_PROGRESS', 'SUCCEEDED', 'FAILED', 'OFFBOARDING', 'OFFBOARDED'],
        },
        OffboardRequest: OFFBOARD_REQUEST,
        OffboardingStarted: {
          type: 'object',
          required: ['name', 'status', 'executionName', 'location'],
          properties: {
            name: { type: 'string' },
            status: ref('Status'),
            executionName: { type: 'string' },
            location: { type: 'string' },
          },
        },
        Application: {
          type: 'object',
          required: [
            'name',
            'owner',
            'requestId',
            'status',
            'attempt',
            'execution',
            'ids',
            'createdAt',
            'updatedAt',
          ],
          properties: {
            name: { type: 'string' },
            owner: { type: 'string', description: 'A contact; not who owns the application' },
            principals: {
              type: 'array',
              items: { type: 'string' },
              description:
                'Who owns the application: the principal that asked for it (an IAM role, user or account ARN, or the launching CloudFormation stack); empty for applications recorded before owners were (platform administrators only)',
            },
            managers: {
              type: 'array',
              items: { type: 'string' },
              description: 'IAM roles the request names that may act on the application too',
            },
            requestId: { type: 'string' },
            status: ref('Status'),
            step: nullable({
              type: 'string',
              description: 'The step running or, after a failure, the step that failed',
            }),
            attempt: { type: 'integer', minimum: 1 },
            execution: {
              type: 'object',
              properties: { name: { type: 'string' }, arn: nullable({ type: 'string' }) },
            },
            ids: {
              type: 'object',
              description: 'What was vended so far',
              properties: {
                organizationalUnit: { type: 'string' },
                serviceControlPolicy: { type: 'string' },
                accounts: { type: 'object', additionalProperties: { type: 'string' } },
              },
            },
            error: nullable({
              type: 'object',
              properties: { step: { type: 'string' }, message: { type: 'string' } },
            }),
            offboarding: nullable({
              type: 'object',
              description:
                'The offboarding running, or the last one (its execution, whether it closes accounts, its error)',
            }),
            history: {
              type: 'array',
              description:
                'Every finished offboarding: what was removed, suspended, closed and kept, and when',
              items: { type: 'object' },
            },
            createdAt: { type: 'string', format: 'date-time' },
            updatedAt: { type: 'string', format: 'date-time' },
          },
        },
        ApplicationList: {
          type: 'object',
          required: ['items'],
          properties: {
            items: { type: 'array', items: ref('Application') },
            cursor: {
              type: 'string',
              description: 'Present when there may be more: pass it to get the next page',
            },
          },
        },
        Problems: {
          type: 'object',
          required: ['problems'],
          properties: {
            problems: {
              type: 'array',
              items: {
                type: 'object',
                required: ['field', 'message'],
                properties: { field: { type: 'string' }, message: { type: 'string' } },
              },
            },
          },
        },
        Conflict: {
          type: 'object',
          required: ['reason', 'message', 'requestId'],
          properties: {
            reason: { type: 'string', enum: ['in-progress', 'offboarding', 'removes-stage'] },
            message: { type: 'string' },
            requestId: { type: 'string', description: 'The request the ledger holds for the name' },
          },
        },
        NotOwner: {
          type: 'object',
          required: ['reason', 'message'],
          properties: { reason: { type: 'string', enum: ['not-owner'] }, message: { type: 'string' } },
        },
        Message: { type: 'object', required: ['message'], properties: { message: { type: 'string' } } },
        ...planSchemas(),
        InternalError: {
          type: 'object',
          required: ['message', 'requestId'],
          properties: { message: { const: 'internal error' }, requestId: { type: 'string' } },
        },
      },
    },
  };
}

/** The plan a dry run answers (`shared/workflow/plan/types.ts`). */
function planSchemas(): Record<string, Schema> {
  const text = { type: 'string' };
  const digests = {
    type: 'object',
    required: ['wanted'],
    properties: {
      current: { type: 'string', description: 'Absent when there is nothing deployed' },
      wanted: text,
    },
  };
  return {
    PlanAction: { type: 'string', enum: [...PLAN_ACTIONS] },
    PlanStep: {
      type: 'object',
      required: ['kind', 'step', 'action'],
      description: 'One thing the vend would create, update, attach, adopt (move into the OU) or keep',
      properties: {
        kind: { type: 'string', enum: [...PLAN_STEP_KINDS] },
        step: { type: 'string', description: 'The top-level step of the vend that does it' },
        action: ref('PlanAction'),
        name: text,
        id: text,
        parentId: { type: 'string', description: 'OU: its parent; adopted account: where it is now' },
        stage: text,
        email: text,
        accountId: { type: 'string', description: 'Absent for an account the vend has yet to create' },
        template: text,
        stackSet: text,
        status: { type: 'string', description: "A stack instance's status now" },
        size: { type: 'integer', description: "The SCP's characters, counted against the quota" },
        attached: { type: 'boolean', description: 'Whether the SCP is attached to the OU now' },
        policyId: {
          type: 'string',
          description: 'Quarantine: the quarantine SCP that comes off the account',
        },
        diff: { type: 'string', description: 'SCP update: unified diff of the policy document' },
        templateDigest: digests,
        digest: digests,
        parameters: {
          type: 'array',
          description: 'Stack set parameters that differ',
          items: {
            type: 'object',
            required: ['key'],
            properties: { key: text, current: text, wanted: text },
          },
        },
      },
    },
    Plan: {
      type: 'object',
      required: ['application', 'steps', 'counts', 'blockers', 'notes'],
      properties: {
        application: text,
        steps: { type: 'array', description: 'In the order of the vend', items: ref('PlanStep') },
        counts: {
          type: 'object',
          required: [...PLAN_ACTIONS],
          properties: Object.fromEntries(PLAN_ACTIONS.map((a) => [a, { type: 'integer', minimum: 0 }])),
        },
        blockers: {
          type: 'array',
          description: 'What would stop the vend, and at which step',
          items: {
            type: 'object',
            required: ['step', 'message'],
            properties: { step: text, message: text },
          },
        },
        notes: { type: 'array', description: 'What was not checked, and why', items: text },
      },
    },
  };
}
