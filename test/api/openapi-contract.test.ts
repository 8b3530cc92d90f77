import type { APIGatewayProxyEvent } from 'aws-lambda';
import Ajv2020 from 'ajv/dist/2020';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { awsClients } from '../../shared/aws/client-factory';
import { OrganizationSetupError } from '../../shared/errors';
import { Ledger } from '../../shared/ledger/ledger';
import { MemoryLedgerStore } from '../../shared/ledger/memory-store';
import {
  answerPortalRequest,
  type PortalAnswer,
  type PortalDependencies,
} from '../../shared/workflow/portal-api';
import { PlanEnv, planSettingsFrom, vendPlanner } from '../../shared/workflow/plan';
import { readEnvironment } from '../../shared/workflow/settings';
import { vendThroughLedger } from '../support/offboard';
import { sandboxWorld } from '../support/workflow';

const ROOT = join(__dirname, '../..');
const document = JSON.parse(readFileSync(join(ROOT, 'docs/openapi.json'), 'utf8')) as {
  components: { schemas: Record<string, { anyOf?: { $ref?: string }[] }> };
  paths: Record<
    string,
    Record<string, { responses: Record<string, { content?: Record<string, { schema: unknown }> }> }>
  >;
};
const event = (file: string) =>
  JSON.parse(readFileSync(join(ROOT, 'events/api', file), 'utf8')) as APIGatewayProxyEvent;
const sampleBody = JSON.parse(event('post-application.json').body!) as Record<string, unknown>;
const STRANGER = 'arn:aws:sts::444444444444:assumed-role/payments-team/alice';

/** The committed document as one schema, so its responses' `#/components/schemas/…` refs resolve. */
const ajv = new Ajv2020({ strict: false, allErrors: true });
ajv.addFormat('date-time', (value: string) => !Number.isNaN(Date.parse(value)));
ajv.addSchema({ ...document, $id: 'openapi' });

/** The components a response's schema names: its `$ref`, and the members of that one's `anyOf`. */
function documentedComponents(schema: { $ref?: string } | undefined): string[] {
  const name = schema?.$ref?.replace('#/components/schemas/', '');
  if (!name) return [];
  const members = document.components.schemas[name]?.anyOf ?? [];
  return [name, ...members.flatMap((member) => documentedComponents(member))];
}

/**
 * Checks an answer against the response the document gives for its route, method and status: the
 * zod schema the handler built it with is the one the document names there (or a member of it),
 * and its body validates against the document's schema.
 */
function checkAnswer(route: string, method: string, answer: PortalAnswer): string[] {
  const at = `${method.toUpperCase()} ${route} ${answer.statusCode}`;
  const response = document.paths[route]?.[method]?.responses[String(answer.statusCode)];
  if (!response) return [`${method.toUpperCase()} ${route}: ${answer.statusCode} is not in the document`];
  const named = documentedComponents(response.content?.['application/json']?.schema as { $ref?: string });
  const problems = named.includes(answer.schema)
    ? []
    : [`${at}: answered with ${answer.schema}, the document names ${named.join(' or ') || 'none'}`];
  const pointer = `openapi#/paths/${route.replace(/\//g, '~1')}/${method}/responses/${answer.statusCode}/content/application~1json/schema`;
  const validate = ajv.getSchema(pointer);
  if (!validate) return [...problems, `no schema at ${pointer}`];
  return validate(answer.body)
    ? problems
    : [...problems, ...(validate.errors ?? []).map((e) => `${at}: ${e.instancePath} ${e.message}`)];
}

/** A body the document's Application schema accepts. */
const applicationBody = {
  name: 'orders',
  owner: 'orders-team@example.com',
  principals: [],
  managers: [],
  requestId: 'orders-1a2b',
  status: 'SUCCEEDED',
  step: null,
  attempt: 1,
  execution: { name: 'orders-1a2b-1', arn: null },
  ids: {},
  error: null,
  offboarding: null,
  history: [],
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
};

function signedBy(sample: APIGatewayProxyEvent, userArn: string): APIGatewayProxyEvent {
  const accountId = userArn.split(':')[4]!;
  return {
    ...sample,
    requestContext: {
      ...sample.requestContext,
      identity: { ...sample.requestContext.identity, userArn, accountId },
    },
  };
}

describe('Portal API: every answer of the handler matches docs/openapi.json', () => {
  it('answers each route with a documented status and a body its schema accepts', async () => {
    // Prepare
    const ledger = new Ledger(new MemoryLedgerStore());
    const deps: PortalDependencies = {
      ledger,
      starter: {
        start: async (name) => ({
          executionArn: `arn:aws:states:us-east-1:111111111111:execution:appvend-vend:${name}`,
        }),
      },
      offboarder: {
        start: async (name) => ({
          executionArn: `arn:aws:states:us-east-1:111111111111:execution:appvend-offboard:${name}`,
        }),
      },
    };
    const post = (body: unknown, extra: Partial<APIGatewayProxyEvent> = {}) =>
      answerPortalRequest(
        {
          ...event('post-application.json'),
          body: typeof body === 'string' ? body : JSON.stringify(body),
          ...extra,
        },
        deps,
      );
    const get = (name: string) =>
      answerPortalRequest(
        { ...event('get-application.json'), path: `/applications/${name}`, pathParameters: { name } },
        deps,
      );
    const removeEvent = (name: string, confirm: string): APIGatewayProxyEvent => ({
      ...event('get-application.json'),
      httpMethod: 'DELETE',
      path: `/applications/${name}`,
      pathParameters: { name },
      body: JSON.stringify({ confirm }),
    });
    const remove = (name: string, confirm: string) => answerPortalRequest(removeEvent(name, confirm), deps);
    const succeed = async () => {
      const record = (await ledger.get('orders'))!;
      await ledger.recordOutcome('orders', record.requestId, {
        application: 'orders',
        status: 'SUCCEEDED',
        accounts: {
          tooling: { id: '200000000001', email: 'aws+orders-tooling@example.com' },
          test: { id: '200000000002', email: 'aws+orders-test@example.com' },
          prod: { id: '200000000003', email: 'aws+orders-prod@example.com' },
        },
        stackSets: [],
      });
    };

    // Act: every answer the handler gives for the documented routes
    const answers: [string, string, PortalAnswer, number][] = [];
    const record = async (route: string, method: string, answer: Promise<PortalAnswer>, expected: number) =>
      answers.push([route, method, await answer, expected]);
    await record('/applications', 'post', post(sampleBody), 202);
    await record('/applications', 'post', post(sampleBody), 202);
    await record('/applications', 'post', post({ ...sampleBody, tags: { team: 'other' } }), 409);
    await record('/applications', 'post', post('{not json'), 400);
    await record('/applications', 'post', post({ ...sampleBody, nmae: 'x' }), 400);
    await record('/applications', 'post', post('x'.repeat(300_000)), 413);
    await record(
      '/applications',
      'post',
      post(sampleBody, { queryStringParameters: { dryRun: 'true' } }),
      501,
    );
    await record(
      '/applications',
      'post',
      answerPortalRequest(signedBy(event('post-application.json'), STRANGER), deps),
      403,
    );
    await record('/applications', 'post', answerPortalRequest(event('unsigned-post.json'), deps), 403);
    await record('/applications', 'get', answerPortalRequest(event('list-applications.json'), deps), 200);
    await record('/applications', 'get', answerPortalRequest(event('invalid-list-limit.json'), deps), 400);
    await record('/applications/{name}', 'get', get('orders'), 200);
    await record('/applications/{name}', 'get', get('nosuchapp'), 404);
    await record('/applications/{name}', 'get', get('Not_A_Name'), 400);
    await record('/applications/{name}', 'delete', remove('orders', 'orders'), 409);
    await succeed();
    await record('/applications', 'post', post({ ...sampleBody, stages: ['test'] }), 409);
    await record('/applications/{name}', 'delete', remove('orders', 'order'), 400);
    await record('/applications/{name}', 'delete', remove('nosuchapp', 'nosuchapp'), 404);
    await record(
      '/applications/{name}',
      'delete',
      answerPortalRequest(removeEvent('orders', 'orders'), {
        ...deps,
        checkOffboarding: async () => {
          throw new OrganizationSetupError('APPVEND_SUSPENDED_OU_ID is not set');
        },
      }),
      503,
    );
    await record('/applications/{name}', 'delete', remove('orders', 'orders'), 202);
    await record('/applications/{name}', 'get', get('orders'), 200);

    // Assess
    expect(answers.map(([route, method, answer]) => `${method} ${route} ${answer.statusCode}`)).toEqual(
      answers.map(([route, method, , expected]) => `${method} ${route} ${expected}`),
    );
    expect(answers.flatMap(([route, method, answer]) => checkAnswer(route, method, answer))).toEqual([]);
  });

  it('answers a dry run with a plan the document accepts, for every kind of step, before and after a vend', async () => {
    // Prepare: a request with access and contacts, so that every kind of step is planned.
    const world = sandboxWorld();
    const request = JSON.parse(
      readFileSync(join(ROOT, 'events/application-request-access.json'), 'utf8'),
    ) as Record<string, unknown>;
    const dryRun = (memberReads: boolean) =>
      answerPortalRequest(
        {
          ...event('post-application.json'),
          queryStringParameters: { dryRun: 'true' },
          body: JSON.stringify(request),
        },
        {
          ledger: new Ledger(new MemoryLedgerStore()),
          starter: { start: async () => ({ executionArn: 'unused' }) },
          planner: vendPlanner(awsClients(), planSettingsFrom(readEnvironment(PlanEnv), { memberReads })),
        },
      );

    // Act: the portal's plan (no member reads) of a new application, then of the vended one, with
    // and without member reads (the CLI's plan reads member accounts).
    const before = await dryRun(false);
    await vendThroughLedger(world, request);
    const after = [await dryRun(false), await dryRun(true)];

    // Assess: every kind but quarantine (a stopped vend's leftover) is planned.
    const kinds = [before, ...after].flatMap((a) =>
      (a.body.steps as { kind: string; action: string }[]).map((s) => `${s.kind} ${s.action}`),
    );
    expect(new Set(kinds.map((k) => k.split(' ')[0]))).toEqual(
      new Set([
        'organizational-unit',
        'service-control-policy',
        'account',
        'stack-set',
        'stack-instance',
        'connection-share',
        'config-recorder',
        'conformance-pack',
        'account-assignment',
        'alternate-contact',
      ]),
    );
    expect([before, ...after].map((a) => a.statusCode)).toEqual([200, 200, 200]);
    expect([before, ...after].flatMap((a) => checkAnswer('/applications', 'post', a))).toEqual([]);
  });

  it('finds an answer the document does not describe (the check can fail)', () => {
    // Act
    const problems = [
      ...checkAnswer('/applications', 'post', {
        statusCode: 202,
        outcome: 'started',
        body: { name: 'x' },
        schema: 'Accepted',
      }),
      ...checkAnswer('/applications', 'post', {
        statusCode: 202,
        outcome: 'started',
        body: { message: 'x' },
        schema: 'Message',
      }),
      ...checkAnswer('/applications/{name}', 'get', {
        statusCode: 200,
        outcome: 'found',
        body: { ...applicationBody, surprise: true },
        schema: 'Application',
      }),
      ...checkAnswer('/applications', 'post', {
        statusCode: 418,
        outcome: 'teapot',
        body: {},
        schema: 'Message',
      }),
    ];

    // Assess
    expect(problems).toEqual([
      expect.stringContaining("must have required property 'requestId'"),
      expect.stringContaining("must have required property 'status'"),
      expect.stringContaining("must have required property 'outcome'"),
      expect.stringContaining("must have required property 'location'"),
      'POST /applications 202: answered with Message, the document names Accepted',
      expect.stringContaining("must have required property 'name'"),
      expect.stringContaining("must have required property 'requestId'"),
      expect.stringContaining("must have required property 'status'"),
      expect.stringContaining("must have required property 'outcome'"),
      expect.stringContaining("must have required property 'location'"),
      'POST /applications 202:  must NOT have additional properties',
      'GET /applications/{name} 200:  must NOT have additional properties',
      'POST /applications: 418 is not in the document',
    ]);
  });
});
