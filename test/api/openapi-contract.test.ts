import type { APIGatewayProxyEvent } from 'aws-lambda';
import Ajv2020 from 'ajv/dist/2020';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { OrganizationSetupError } from '../../shared/errors';
import { Ledger } from '../../shared/ledger/ledger';
import { MemoryLedgerStore } from '../../shared/ledger/memory-store';
import {
  answerPortalRequest,
  type PortalAnswer,
  type PortalDependencies,
} from '../../shared/workflow/portal-api';

const ROOT = join(__dirname, '../..');
const document = JSON.parse(readFileSync(join(ROOT, 'docs/openapi.json'), 'utf8')) as {
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

/** Checks an answer against the response the document gives for its route, method and status. */
function checkAnswer(route: string, method: string, answer: PortalAnswer): string[] {
  const response = document.paths[route]?.[method]?.responses[String(answer.statusCode)];
  if (!response) return [`${method.toUpperCase()} ${route}: ${answer.statusCode} is not in the document`];
  const pointer = `openapi#/paths/${route.replace(/\//g, '~1')}/${method}/responses/${answer.statusCode}/content/application~1json/schema`;
  const validate = ajv.getSchema(pointer);
  if (!validate) return [`no schema at ${pointer}`];
  return validate(answer.body)
    ? []
    : (validate.errors ?? []).map(
        (e) => `${method.toUpperCase()} ${route} ${answer.statusCode}: ${e.instancePath} ${e.message}`,
      );
}

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

  it('finds an answer the document does not describe (the check can fail)', () => {
    // Act
    const problems = [
      ...checkAnswer('/applications', 'post', { statusCode: 202, outcome: 'started', body: { name: 'x' } }),
      ...checkAnswer('/applications', 'post', { statusCode: 418, outcome: 'teapot', body: {} }),
    ];

    // Assess
    expect(problems).toEqual([
      expect.stringContaining("must have required property 'requestId'"),
      expect.stringContaining("must have required property 'status'"),
      expect.stringContaining("must have required property 'outcome'"),
      expect.stringContaining("must have required property 'location'"),
      'POST /applications: 418 is not in the document',
    ]);
  });
});
