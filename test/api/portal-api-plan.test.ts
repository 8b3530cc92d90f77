import type { APIGatewayProxyEvent } from 'aws-lambda';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, CfnParameter, Stack } from 'aws-cdk-lib';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { findProjectRoot } from '../../infra/service';
import { PortalApi } from '../../infra/service/portal-api';
import { portalOpenApiDocument } from '../../infra/service/portal-api-schema';
import type { PermissionScope } from '../../infra/service/step-permissions';
import { awsClients } from '../../shared/aws/client-factory';
import { Ledger } from '../../shared/ledger/ledger';
import { MemoryLedgerStore } from '../../shared/ledger/memory-store';
import {
  PLAN_ACTIONS,
  PLAN_STEP_KINDS,
  PlanEnv,
  planSettingsFrom,
  vendPlanner,
  type Plan,
} from '../../shared/workflow/plan';
import { answerPortalRequest, type PortalDependencies } from '../../shared/workflow/portal-api';
import { readEnvironment } from '../../shared/workflow/settings';
import { sandboxWorld, type SandboxWorld } from '../support/workflow';
import type { Loose } from '../templates/helpers';

const post = JSON.parse(
  readFileSync(join(__dirname, '../../events/api/post-application.json'), 'utf8'),
) as APIGatewayProxyEvent;
const request = JSON.parse(post.body!) as Record<string, unknown>;
const withQuery = (query: Record<string, string> | null, body: unknown = request): APIGatewayProxyEvent => ({
  ...post,
  queryStringParameters: query,
  body: JSON.stringify(body),
});

describe('Portal API: POST /applications?dryRun=true', () => {
  let world: SandboxWorld;
  let ledger: Ledger;
  let started: string[];
  let deps: PortalDependencies;

  beforeEach(() => {
    world = sandboxWorld();
    ledger = new Ledger(new MemoryLedgerStore());
    started = [];
    deps = {
      ledger,
      starter: {
        start: async (name) => {
          started.push(name);
          return { executionArn: `arn:aws:states:us-east-1:111111111111:execution:appvend-vend:${name}` };
        },
      },
      // As the portal function would plan: no reads in member accounts.
      planner: vendPlanner(awsClients(), planSettingsFrom(readEnvironment(PlanEnv), { memberReads: false })),
    };
  });

  /** Answers the event; also says what was recorded, started and changed meanwhile. */
  async function answer(event: APIGatewayProxyEvent) {
    const before = world.sandbox.calls.length;
    const result = await answerPortalRequest(event, deps);
    return {
      ...result,
      recorded: (await ledger.list({ limit: 100 })).items.map((r) => r.name),
      calls: world.sandbox.calls.slice(before),
      mutating: world.sandbox.calls.slice(before).filter((c) => c.mutating),
    };
  }

  it('answers 200 with the plan, recording nothing, starting nothing and changing nothing', async () => {
    // Act
    const result = await answer(withQuery({ dryRun: 'true' }));

    // Assess
    expect(result.statusCode).toBe(200);
    expect(result.outcome).toBe('planned');
    const plan = result.body as unknown as Plan;
    expect(plan.application).toBe('orders');
    expect(plan.steps.map((s) => s.action)).toEqual(plan.steps.map(() => 'create'));
    expect(plan.counts.create).toBe(23);
    expect(result.recorded).toEqual([]);
    expect(started).toEqual([]);
    expect(result.mutating).toEqual([]);
  });

  it('after a vend, keeps everything it can read and leaves member-account guardrails unchecked, saying why', async () => {
    // Prepare
    await world.vend(request);

    // Act
    const result = await answer(withQuery({ dryRun: 'true' }));

    // Assess
    expect(result.statusCode).toBe(200);
    const plan = result.body as unknown as Plan;
    expect(plan.counts).toEqual({
      create: 0,
      update: 0,
      attach: 0,
      adopt: 0,
      remove: 0,
      keep: 17,
      unchecked: 6,
    });
    expect(
      plan.steps
        .filter((s) => s.action === 'unchecked')
        .every((s) => /config-recorder|conformance-pack/.test(s.kind)),
    ).toBe(true);
    // The management account's connection: its share is a step (keep), not a note.
    expect(plan.notes).toEqual([
      expect.stringMatching(/not checked.*does not enter.*`appvend plan` checks them/),
    ]);
    expect(plan.steps.filter((s) => s.kind === 'connection-share').map((s) => s.action)).toEqual(['keep']);
    // No role was assumed in a member account: only the management account's own reads.
    expect(new Set(result.calls.map((c) => c.service))).toEqual(
      new Set(['organizations', 'cloudformation', 'ram']),
    );
    expect(new Set(result.calls.map((c) => c.accountId))).toEqual(
      new Set([world.sandbox.organization().MasterAccountId]),
    );
    expect(result.mutating).toEqual([]);
  });

  it('refuses an invalid request with the same problems as a submission, recording nothing', async () => {
    // Prepare
    const bad = { ...request, nmae: 'typo', name: 'X' };

    // Act
    const planned = await answer(withQuery({ dryRun: 'true' }, bad));
    const submitted = await answer(withQuery(null, bad));

    // Assess
    expect(planned.statusCode).toBe(400);
    expect(planned.body).toEqual(submitted.body);
    expect((planned.body.problems as { field: string }[]).map((p) => p.field)).toEqual(
      expect.arrayContaining(['name', 'nmae']),
    );
    expect(planned.recorded).toEqual([]);
  });

  it('refuses a misspelt or unknown parameter, and a dryRun that is not true or false, starting nothing', async () => {
    // Act
    const misspelt = await answer(withQuery({ dryrun: 'true' }));
    const notBoolean = await answer(withQuery({ dryRun: 'yes' }));

    // Assess
    expect(misspelt).toMatchObject({
      statusCode: 400,
      body: { problems: [{ field: 'dryrun', message: 'unknown parameter' }] },
    });
    expect(notBoolean).toMatchObject({
      statusCode: 400,
      body: { problems: [{ field: 'dryRun', message: 'must be true or false' }] },
    });
    expect(notBoolean.recorded).toEqual([]);
    expect(started).toEqual([]);
  });

  it('submits as usual with dryRun=false', async () => {
    // Act
    const result = await answer(withQuery({ dryRun: 'false' }));

    // Assess
    expect(result.statusCode).toBe(202);
    expect(result.recorded).toEqual(['orders']);
    expect(started).toHaveLength(1);
  });

  it('answers 501 when the function was given no planner, and still records nothing', async () => {
    // Act
    const { planner: _none, ...withoutPlanner } = deps;
    const result = await answerPortalRequest(withQuery({ dryRun: 'true' }), withoutPlanner);

    // Assess
    expect(result).toMatchObject({
      statusCode: 501,
      body: { message: 'dry runs are not enabled on this deployment' },
    });
    expect((await ledger.list({ limit: 100 })).items).toEqual([]);
    expect(started).toEqual([]);
  });
});

describe('Portal API: the dryRun parameter in the API and its description', () => {
  it('declares dryRun as an optional query parameter of POST /applications', () => {
    // Prepare
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    const stack = new Stack(app, 'Portal', { env: { account: '111111111111', region: 'us-east-1' } });
    const scope = Object.fromEntries(
      [
        'organizationId',
        'managementAccountId',
        'memberRoleName',
        'stackSetAdministrationRoleName',
        'ledgerTableArn',
        'eventBusArn',
        'notificationsTopicArn',
        'topicsKeyArn',
        'snsEndpoint',
        'stateMachineArn',
        'deadLetterQueueArn',
      ].map((key) => [key, `arn:aws:iam::111111111111:role/${key}`]),
    ) as unknown as PermissionScope;
    new PortalApi(stack, 'Portal', {
      projectRoot: findProjectRoot(),
      logRetention: RetentionDays.THREE_MONTHS,
      permissions: { ...scope, organizationId: 'o-a1b2c3d4e5', managementAccountId: '111111111111' },
      ledgerTableName: 'appvend-ledger',
      stateMachineArn: 'arn:aws:states:us-east-1:111111111111:stateMachine:appvend-vend',
      organizationId: new CfnParameter(stack, 'OrganizationId', { type: 'String' }).valueAsString,
      principals: [],
      plan: {
        templatesDir: join(findProjectRoot(), 'dist/stacksets'),
        securityTopicArn: 'arn:aws:sns:us-east-1:111111111111:appvend-security-notifications',
        memberRoleName: 'OrganizationAccountAccessRole',
        stackSetExecutionRoleName: 'OrganizationAccountAccessRole',
        managementAccountId: '111111111111',
      },
    });

    // Act
    const template = app.synth().getStackByName('Portal').template as Loose;
    const methods = Object.values(template.Resources as Record<string, Loose>).filter(
      (r) => r.Type === 'AWS::ApiGateway::Method',
    );

    // Assess
    const postMethod = methods.find((m) => m.Properties.HttpMethod === 'POST')!;
    expect(postMethod.Properties.RequestParameters).toEqual({ 'method.request.querystring.dryRun': false });
  });

  it('describes dryRun, the 200 plan and the 501 in the OpenAPI document', () => {
    // Act
    const doc = portalOpenApiDocument() as Loose;
    const postOperation = doc.paths['/applications'].post;

    // Assess
    expect(postOperation.parameters).toEqual([
      expect.objectContaining({
        name: 'dryRun',
        in: 'query',
        required: false,
        schema: { type: 'boolean', default: false },
      }),
    ]);
    expect(postOperation.responses['200'].content['application/json'].schema).toEqual({
      $ref: '#/components/schemas/Plan',
    });
    expect(postOperation.responses['501']).toBeDefined();
    expect(doc.components.schemas.PlanAction.enum).toEqual([...PLAN_ACTIONS]);
    // One schema per kind of step (generated from the zod union the handler answers with).
    expect(
      (doc.components.schemas.PlanStep.oneOf as { properties: { kind: { const: string } } }[]).map(
        (step) => step.properties.kind.const,
      ),
    ).toEqual([...PLAN_STEP_KINDS]);
    expect(doc.components.schemas.Plan.properties.counts.propertyNames).toEqual({
      $ref: '#/components/schemas/PlanAction',
    });
    expect(doc.components.schemas.Plan.required).toEqual([
      'application',
      'steps',
      'counts',
      'blockers',
      'notes',
    ]);
  });
});
