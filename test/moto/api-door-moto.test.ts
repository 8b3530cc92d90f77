import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { handler } from '../../services/portal-api/handler';
import { logger } from '../../shared/lambda/step-handler';
import { ledgerFor } from '../../shared/ledger';
import { MAX_BODY_BYTES } from '../../shared/workflow/portal-api';
import { lambdaContext, openFrontDoorWorld, type FrontDoorWorld } from '../support/front-doors';
import { describeWithMoto } from '../support/moto';

const SAMPLES = join(__dirname, '../../events/api');
const sample = (file: string) =>
  JSON.parse(readFileSync(join(SAMPLES, file), 'utf8')) as APIGatewayProxyEvent;
const context = lambdaContext('appvend-portal-api');

type Body = Record<string, unknown> & { problems?: { field: string; message: string }[] };
const call = async (event: APIGatewayProxyEvent) => {
  const result = (await handler(event, context)) as APIGatewayProxyResult;
  return { ...result, json: JSON.parse(result.body) as Body };
};
const fields = (body: Body) => (body.problems ?? []).map((p) => p.field);

/** What each refused sample is answered: the status code and the fields (or parameters) named. */
const REFUSED: Record<string, [number, string[]]> = {
  'invalid-post-malformed-json.json': [400, ['(body)']],
  'invalid-post-unknown-field.json': [400, ['costCentre']],
  'invalid-post-over-long-name.json': [400, ['name', 'allowedServices.1']],
  'invalid-list-limit.json': [400, ['limit']],
  'unsigned-post.json': [403, []],
};
const ACCEPTED = [
  'post-application.json',
  'get-application.json',
  'list-applications.json',
  'not-owner-post.json',
  'not-owner-delete.json',
];
/** The role of the samples' platform administrator (`APPVEND_PLATFORM_ADMINS`). */
const ADMIN_ROLE = 'arn:aws:iam::111111111111:role/platform/platform-admin';
/** A sample sent by another principal: `userArn` (and its account) replaced. */
const as = (event: APIGatewayProxyEvent, account: string, userArn: string): APIGatewayProxyEvent => ({
  ...event,
  requestContext: {
    ...event.requestContext,
    identity: { ...event.requestContext.identity, accountId: account, userArn },
  },
});

describeWithMoto('Portal API door: the real handler over DynamoDB and Step Functions (moto)', () => {
  let world: FrontDoorWorld;

  beforeAll(async () => {
    world = await openFrontDoorWorld();
  }, 60_000);

  afterAll(async () => {
    await world?.moto.stop();
  });

  const executions = () => world.executions();
  const ledgerSize = async () => (await ledgerFor('appvend-ledger').list({ limit: 100 })).items.length;

  it('has an expectation for every sample in events/api', () => {
    expect(readdirSync(SAMPLES).sort()).toEqual([...ACCEPTED, ...Object.keys(REFUSED)].sort());
  });

  it('accepts the sample POST sent three times at once with one vend, and the same request id each time', async () => {
    // Act
    const answers = await Promise.all([1, 2, 3].map(() => call(sample('post-application.json'))));

    // Assess
    expect(answers.map((a) => a.statusCode)).toEqual([202, 202, 202]);
    expect(answers.map((a) => a.json.outcome).sort()).toEqual(['existing', 'existing', 'started']);
    expect(new Set(answers.map((a) => a.json.requestId)).size).toBe(1);
    expect(answers[0]!.headers).toMatchObject({
      Location: '/applications/orders',
      'Content-Type': 'application/json',
    });
    expect(await executions()).toHaveLength(1);
  });

  it('shows the request id, the execution and the status on GET after the POST', async () => {
    // Prepare
    const posted = await call(sample('post-application.json'));

    // Act
    const answer = await call(sample('get-application.json'));

    // Assess
    const [execution] = await executions();
    expect(answer.statusCode).toBe(200);
    expect(answer.json).toMatchObject({
      name: 'orders',
      owner: 'orders-team@example.com',
      requestId: posted.json.requestId,
      status: 'IN_PROGRESS',
      step: null,
      execution: { name: execution!.name, arn: execution!.executionArn },
      ids: {},
      error: null,
    });
    expect(answer.json.createdAt).toEqual(expect.any(String));
  });

  it('answers 403 not-owner when another principal re-POSTs the name with another repository, changing nothing', async () => {
    // Prepare
    const current = (await ledgerFor('appvend-ledger').get('orders'))!;

    // Act
    const answer = await call(sample('not-owner-post.json'));

    // Assess
    expect(answer.statusCode).toBe(403);
    expect(answer.json).toEqual({
      reason: 'not-owner',
      message:
        'arn:aws:iam::444444444444:role/payments-team does not own application "orders": only its owners, its managers and platform administrators may act on it',
    });
    expect(await ledgerFor('appvend-ledger').get('orders')).toEqual(current);
    expect(current.principals).toEqual(['arn:aws:iam::222222222222:role/portal-backend']);
    expect(await executions()).toHaveLength(1);
  });

  it("answers 403 not-owner to another principal's DELETE with closeAccounts, starting no offboarding", async () => {
    // Prepare: offboarding enabled; the vend ended, so the owner could offboard it
    process.env.APPVEND_OFFBOARD_STATE_MACHINE_ARN = world.stateMachineArn;
    const ledger = ledgerFor('appvend-ledger');
    const record = (await ledger.get('orders'))!;
    await ledger.recordOutcome('orders', record.requestId, {
      application: 'orders',
      status: 'SUCCEEDED',
      accounts: {},
      stackSets: [],
    });
    const before = await ledger.get('orders');

    try {
      // Act
      const answer = await call(sample('not-owner-delete.json'));

      // Assess
      expect(answer.statusCode).toBe(403);
      expect(answer.json.reason).toBe('not-owner');
      expect(await ledger.get('orders')).toEqual(before);
      expect(await executions()).toHaveLength(1);
    } finally {
      delete process.env.APPVEND_OFFBOARD_STATE_MACHINE_ARN;
    }
  });

  it('shows another principal neither the application (404) nor it in the list', async () => {
    // Prepare
    const stranger = (file: string) =>
      as(sample(file), '444444444444', 'arn:aws:sts::444444444444:assumed-role/payments-team/alice');

    // Act
    const read = await call(stranger('get-application.json'));
    const listed = await call(stranger('list-applications.json'));
    const ownList = await call(sample('list-applications.json'));

    // Assess
    expect(read.statusCode).toBe(404);
    expect(read.json).toEqual({ message: 'no application named "orders"' });
    expect(listed.json.items).toEqual([]);
    expect((ownList.json.items as { name: string }[]).map((i) => i.name)).toEqual(['orders']);
  });

  it("lets a platform administrator read, list and change another principal's application", async () => {
    // Prepare
    process.env.APPVEND_PLATFORM_ADMINS = ADMIN_ROLE;
    const admin = (file: string) =>
      as(sample(file), '111111111111', 'arn:aws:sts::111111111111:assumed-role/platform-admin/bob');
    const change = admin('post-application.json');
    change.body = JSON.stringify({ ...JSON.parse(change.body!), stages: ['test'] });

    try {
      // Act
      const read = await call(admin('get-application.json'));
      const listed = await call(admin('list-applications.json'));
      const changed = await call(change);

      // Assess
      expect(read.statusCode).toBe(200);
      expect(read.json.principals).toEqual(['arn:aws:iam::222222222222:role/portal-backend']);
      expect((listed.json.items as unknown[]).length).toBe(1);
      expect(changed.statusCode).toBe(202);
      expect(changed.json.outcome).toBe('started');
      expect(await executions()).toHaveLength(2);
    } finally {
      delete process.env.APPVEND_PLATFORM_ADMINS;
    }
  });

  it('answers 409 in-progress for a changed request while the vend runs', async () => {
    // Prepare
    const event = sample('post-application.json');
    event.body = JSON.stringify({ ...JSON.parse(event.body!), stages: ['prod'] });

    // Act
    const answer = await call(event);

    // Assess
    expect(answer.statusCode).toBe(409);
    expect(answer.json.reason).toBe('in-progress');
  });

  it.each(Object.entries(REFUSED))(
    'answers %s with its status and the problems, starting and recording nothing',
    async (file, [status, named]) => {
      // Prepare
      const before = (await executions()).length;
      const items = await ledgerSize();

      // Act
      const answer = await call(sample(file));

      // Assess
      expect(answer.statusCode).toBe(status);
      expect(fields(answer.json)).toEqual(expect.arrayContaining(named));
      expect(answer.body).not.toMatch(/\n\s+at /);
      expect(await executions()).toHaveLength(before);
      expect(await ledgerSize()).toBe(items);
    },
  );

  it('refuses a body over the size limit with 413, before reading it', async () => {
    // Prepare
    const event = sample('post-application.json');
    event.body = JSON.stringify({
      ...JSON.parse(event.body!),
      name: 'big',
      padding: 'x'.repeat(MAX_BODY_BYTES),
    });

    // Act
    const answer = await call(event);

    // Assess
    expect(answer.statusCode).toBe(413);
    expect(fields(answer.json)).toEqual(['(body)']);
    expect(await ledgerFor('appvend-ledger').get('big')).toBeUndefined();
  });

  it('answers 404 for an unknown application or route and 405 for a wrong method', async () => {
    // Prepare
    const unknown = sample('get-application.json');
    unknown.path = '/applications/payroll';
    unknown.pathParameters = { name: 'payroll' };
    const route = sample('list-applications.json');
    route.path = '/accounts';
    const method = sample('get-application.json');
    method.httpMethod = 'PUT';

    // Act
    const answers = await Promise.all([unknown, route, method].map(call));

    // Assess
    expect(answers.map((a) => a.statusCode)).toEqual([404, 404, 405]);
    expect(answers[2]!.headers).toMatchObject({ Allow: 'DELETE, GET' });
  });

  it('pages through the applications with limit and cursor', async () => {
    // Prepare
    const second = sample('post-application.json');
    second.body = JSON.stringify({ ...JSON.parse(second.body!), name: 'billing' });
    expect((await call(second)).statusCode).toBe(202);
    const page = (query: Record<string, string>) => {
      const event = sample('list-applications.json');
      event.queryStringParameters = query;
      return call(event);
    };

    // Act
    const all = await call(sample('list-applications.json'));
    const first = await page({ limit: '1' });
    const next = await page({ limit: '1', cursor: String(first.json.cursor) });
    const bad = await page({ limit: 'ten', cursor: '%%%', sort: 'name' });

    // Assess
    const names = (answer: { json: Body }) => (answer.json.items as { name: string }[]).map((i) => i.name);
    expect(all.statusCode).toBe(200);
    expect(names(all).sort()).toEqual(['billing', 'orders']);
    expect(first.json.cursor).toEqual(expect.any(String));
    expect([...names(first), ...names(next)].sort()).toEqual(['billing', 'orders']);
    expect(bad.statusCode).toBe(400);
    expect(fields(bad.json).sort()).toEqual(['cursor', 'limit', 'sort']);
  });

  it('answers an unexpected failure with 500 and the Lambda request id only, and logs one audit line per request', async () => {
    // Prepare
    const info = jest.spyOn(logger, 'info');
    const error = jest.spyOn(logger, 'error').mockImplementation(() => undefined);
    process.env.APPVEND_LEDGER_TABLE = 'no-such-table';

    // Act
    let answer;
    try {
      answer = await call(sample('get-application.json'));
    } finally {
      process.env.APPVEND_LEDGER_TABLE = 'appvend-ledger';
    }

    // Assess
    expect(answer.statusCode).toBe(500);
    expect(answer.json).toEqual({ message: 'internal error', requestId: context.awsRequestId });
    expect(error).toHaveBeenCalledTimes(1);
    const audits = info.mock.calls.filter(([message]) => message === 'portal request answered');
    expect(audits).toHaveLength(1);
    expect(audits[0]![1]).toEqual({
      audit: expect.objectContaining({
        caller: 'arn:aws:sts::222222222222:assumed-role/portal-backend/portal',
        method: 'GET',
        path: '/applications/orders',
        outcome: 'error',
        statusCode: 500,
      }),
    });
    info.mockRestore();
    error.mockRestore();
  });
});
