// zod/mini, as the request schema: the portal function bundles only what it uses.
import * as z from 'zod/mini';
import '../zod-english';
import { TEMPLATE_KEYS } from '../domain/naming';
import type { ApplicationRecord, OffboardingRecord, OffboardingRun } from '../ledger/record';
import type { FieldProblem } from '../request/validate';
import { PLAN_ACTIONS, PLAN_STEP_KINDS, type Plan } from './plan/types';
import { TOP_LEVEL_STEPS } from './top-level-steps';

/**
 * The bodies the portal API answers with, one zod schema each. The handler builds every answer
 * through {@link respond}, typed by the schema, and `docs/openapi.json`'s response schemas are
 * generated from these same schemas (`infra/service/portal-api-schema.ts`), each registered here
 * under its component name; the contract test checks every answer against the document.
 */
export const portalResponseSchemas = z.registry<{ id: string; description?: string }>();

function component<T extends z.ZodMiniType>(id: string, schema: T, description?: string): T {
  portalResponseSchemas.add(schema as z.ZodMiniType, { id, ...(description && { description }) });
  return schema;
}

const text = (description: string) => z.string().check(z.describe(description));
const timestamp = z.iso.datetime();

export const StatusSchema = component(
  'Status',
  z.enum(['REQUESTED', 'IN_PROGRESS', 'SUCCEEDED', 'FAILED', 'OFFBOARDING', 'OFFBOARDED']),
);

export const AcceptedSchema = component(
  'Accepted',
  z.object({
    name: z.string(),
    requestId: z.string(),
    status: StatusSchema,
    outcome: z
      .enum(['started', 'existing'])
      .check(
        z.describe('started: this call started the vend; existing: the same request was already recorded'),
      ),
    location: z.string(),
  }),
);

export const OffboardingStartedSchema = component(
  'OffboardingStarted',
  z.object({
    name: z.string(),
    status: StatusSchema,
    executionName: z.nullable(z.string()),
    location: z.string(),
  }),
);

const failure = z.object({ step: z.string(), message: z.string() });

const offboardingRun = z
  .object({
    attempt: z.int().check(z.minimum(1)),
    executionName: z.string(),
    executionArn: z.optional(z.string()),
    closeAccounts: z.boolean(),
    startedAt: timestamp,
    error: z.optional(failure),
  })
  .check(
    z.describe(
      'The offboarding running, or the last one (its execution, whether it closes accounts, its error)',
    ),
  );

const offboardingEntry = z.object({
  requestId: z.string(),
  executionName: z.string(),
  startedAt: timestamp,
  endedAt: timestamp,
  guardrails: z.optional(z.array(z.string())),
  stackSets: z.array(z.string()),
  serviceControlPolicy: z.optional(z.string()),
  organizationalUnit: z.optional(z.string()),
  suspendedAccounts: z.record(z.string(), z.string()),
  closeAccounts: z.boolean(),
  closedAccounts: z.array(z.object({ stage: z.string(), id: z.string(), closedAt: timestamp })),
  kept: z.array(z.object({ resource: z.string(), reason: z.string() })),
});

export const ApplicationSchema = component(
  'Application',
  z.object({
    name: z.string(),
    owner: text('A contact; not who owns the application'),
    principals: z
      .array(z.string())
      .check(
        z.describe(
          'Who owns the application: the principal that asked for it (an IAM role, user or account ARN, or the ' +
            'launching CloudFormation stack); empty for applications recorded before owners were (platform administrators only)',
        ),
      ),
    managers: z
      .array(z.string())
      .check(z.describe('IAM roles the request names that may act on the application too')),
    requestId: z.string(),
    status: StatusSchema,
    step: z
      .nullable(z.string())
      .check(z.describe('The step running or, after a failure, the step that failed')),
    attempt: z.int().check(z.minimum(1)),
    execution: z.object({ name: z.string(), arn: z.nullable(z.string()) }),
    ids: z
      .object({
        organizationalUnit: z.optional(z.string()),
        serviceControlPolicy: z.optional(z.string()),
        accounts: z.optional(z.record(z.string(), z.string())),
      })
      .check(z.describe('What was vended so far')),
    error: z.nullable(failure),
    offboarding: z.nullable(offboardingRun),
    history: z
      .array(offboardingEntry)
      .check(
        z.describe('Every finished offboarding: what was removed, suspended, closed and kept, and when'),
      ),
    createdAt: timestamp,
    updatedAt: timestamp,
  }),
);

export const ApplicationListSchema = component(
  'ApplicationList',
  z.object({
    items: z.array(ApplicationSchema),
    cursor: z.optional(text('Present when there may be more: pass it to get the next page')),
  }),
);

export const ProblemsSchema = component(
  'Problems',
  z.object({ problems: z.array(z.object({ field: z.string(), message: z.string() })) }),
);

export const ConflictSchema = component(
  'Conflict',
  z.object({
    reason: z.enum(['in-progress', 'offboarding', 'removes-stage']),
    message: z.string(),
    requestId: text('The request the ledger holds for the name'),
  }),
);

export const NotOwnerSchema = component(
  'NotOwner',
  z.object({ reason: z.literal('not-owner'), message: z.string() }),
);

export const MessageSchema = component('Message', z.object({ message: z.string() }));

export const InternalErrorSchema = component(
  'InternalError',
  z.object({ message: z.literal('internal error'), requestId: z.string() }),
);

// The plan a dry run answers (`shared/workflow/plan/types.ts`), one schema per kind of step.
const planAction = component('PlanAction', z.enum(PLAN_ACTIONS));
const digests = z.object({
  current: z.optional(text('Absent when there is nothing deployed')),
  wanted: z.string(),
});
const stepOf = <
  K extends (typeof PLAN_STEP_KINDS)[number],
  A extends readonly string[],
  S extends z.core.$ZodLooseShape,
>(
  kind: K,
  actions: A,
  shape: S,
) =>
  z.object({
    kind: z.literal(kind),
    step: z.enum(TOP_LEVEL_STEPS).check(z.describe('The top-level step of the vend that does it')),
    action: z.enum(actions as unknown as [A[number], ...A[number][]]),
    ...shape,
  });
const accountId = z.optional(text('Absent for an account the vend has yet to create'));

const PlanStepSchema = component(
  'PlanStep',
  z
    .discriminatedUnion('kind', [
      stepOf('organizational-unit', ['create', 'keep'], {
        name: z.string(),
        parentId: z.string(),
        id: z.optional(z.string()),
      }),
      stepOf('service-control-policy', ['create', 'update', 'attach', 'keep'], {
        name: z.string(),
        id: z.optional(z.string()),
        attached: z.boolean().check(z.describe('Whether the SCP is attached to the OU now')),
        size: z.int().check(z.describe("The SCP's characters, counted against the quota")),
        diff: z.optional(text('SCP update: unified diff of the policy document')),
      }),
      stepOf('account', ['create', 'adopt', 'keep', 'unchecked'], {
        stage: z.string(),
        name: z.string(),
        email: z.string(),
        id: z.optional(z.string()),
        parentId: z.optional(text('Adopted account: where it is now')),
      }),
      stepOf('stack-set', ['create', 'update', 'keep'], {
        template: z.enum(TEMPLATE_KEYS),
        name: z.string(),
        templateDigest: digests,
        parameters: z
          .array(
            z.object({ key: z.string(), current: z.optional(z.string()), wanted: z.optional(z.string()) }),
          )
          .check(z.describe('Stack set parameters that differ')),
      }),
      stepOf('stack-instance', ['create', 'update', 'keep'], {
        stackSet: z.string(),
        stage: z.string(),
        accountId,
        status: z.optional(text("A stack instance's status now")),
      }),
      stepOf('connection-share', ['create', 'update', 'keep'], {
        name: z.string(),
        connectionArn: z.string(),
        accountId,
        resourceShareArn: z.optional(z.string()),
      }),
      stepOf('config-recorder', ['create', 'update', 'keep', 'unchecked'], {
        stage: z.string(),
        accountId,
      }),
      stepOf('conformance-pack', ['create', 'update', 'keep', 'unchecked'], {
        name: z.string(),
        stage: z.string(),
        accountId,
        digest: digests,
      }),
      stepOf('account-assignment', ['create', 'keep', 'remove'], {
        group: z.string(),
        permissionSet: z.string(),
        stage: z.string(),
        accountId,
      }),
      stepOf('alternate-contact', ['create', 'update', 'keep', 'remove'], {
        type: z.string(),
        stage: z.string(),
        accountId,
      }),
      stepOf('quarantine', ['update'], {
        stage: z.string(),
        accountId: z.string(),
        policyId: text('The quarantine SCP that comes off the account'),
      }),
    ])
    .check(
      z.describe(
        'One thing the vend would create, update, attach, adopt (move into the OU), remove (access appvend made that the request drops) or keep',
      ),
    ),
);

export const PlanSchema = component(
  'Plan',
  z.object({
    application: z.string(),
    steps: z.array(PlanStepSchema).check(z.describe('In the order of the vend')),
    counts: z
      .record(planAction, z.int().check(z.minimum(0)))
      .check(z.describe('How many things each action touches')),
    blockers: z
      .array(z.object({ step: z.enum(TOP_LEVEL_STEPS), message: z.string() }))
      .check(z.describe('What would stop the vend, and at which step')),
    notes: z.array(z.string()).check(z.describe('What was not checked, and why')),
  }),
);

/** The 403 of a change: a refusal of ownership, or of the call itself (both have a message). */
export const ForbiddenSchema = component('Forbidden', z.union([NotOwnerSchema, MessageSchema]));

/** A body the handler answers with, typed by its schema. */
export type Body<S extends z.ZodMiniType> = z.output<S>;

/** What the API answers, before it is serialized, with what the audit line says of it. */
export interface PortalAnswer {
  statusCode: number;
  body: Record<string, unknown>;
  headers?: Record<string, string>;
  /** One word for the audit line: `started`, `existing`, `invalid`, `conflict`, `found`, ... */
  outcome: string;
  /** The application request the answer is about, when there is one. */
  requestId?: string;
  /** The component name of the body's schema (what the contract test and the document share). */
  schema: string;
}

/**
 * An answer whose body is built as `schema` says: the compiler holds the body to the schema's
 * type, and the answer names the schema's component, which the contract test checks it against.
 *
 * @example
 * respond(MessageSchema, { statusCode: 501, outcome: 'plan-unavailable', body: { message: 'no planner' } });
 */
export function respond<S extends z.ZodMiniType>(
  schema: S,
  answer: Omit<PortalAnswer, 'body' | 'schema'> & { body: Body<S> },
): PortalAnswer {
  const meta = portalResponseSchemas.get(schema);
  if (!meta) throw new Error('a portal answer must use a schema registered in portalResponseSchemas');
  return { ...answer, body: answer.body as Record<string, unknown>, schema: meta.id };
}

// The types the handler holds answer with are the schemas' own: a field added to one without the
// other fails to compile here.
type Assignable<T extends U, U> = T;
export type PlanAnswerMatches = Assignable<Plan, Body<typeof PlanSchema>>;
export type ProblemsMatch = Assignable<FieldProblem[], Body<typeof ProblemsSchema>['problems']>;
export type OffboardingMatches = [
  Assignable<OffboardingRun, Body<typeof offboardingRun>>,
  Assignable<OffboardingRecord, Body<typeof offboardingEntry>>,
  Assignable<NonNullable<ApplicationRecord['ids']>, Body<typeof ApplicationSchema>['ids']>,
];
