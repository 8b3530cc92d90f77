// zod/mini: the functional build, which a bundler trims to what is used (the classic `z` pulls in
// all of zod, ~450 KB in every Lambda that validates a request).
import * as z from 'zod/mini';
import '../zod-english';
import {
  NAME_LENGTH_LIMIT,
  STAGE_LENGTH_LIMIT,
  lengthLimitReason,
  type LengthLimit,
} from '../domain/name-limits';
import { RESERVED_STAGE, renderAccountEmail } from '../domain/naming';
import { EXTRA_SERVICES } from '../domain/extra-services';
import { ACCOUNT_ID_PATTERN } from '../domain/organization-ids';
import { CONTACT_TYPES, type ContactType } from './contact-types';
import { ROLE_ARN_PATTERN as MANAGER_ROLE_ARN_PATTERN } from '../ledger/principal';

export { RESERVED_STAGE, renderAccountEmail };

/**
 * The application request: the product's public contract, one schema for every entry point
 * (CLI, EventBridge detail, Service Catalog parameters, portal API body).
 */

/** Lowercase letters, digits and hyphens, starting with a letter, not ending with a hyphen. */
export const NAME_PATTERN = /^[a-z](?:[a-z0-9-]*[a-z0-9])?$/;
export const DEFAULT_STAGES = ['test', 'prod'] as const;
export const MAX_EMAIL_LENGTH = 64;
export const PROFILES = ['serverless', 'regulated'] as const;

/** CodeConnections (or the older CodeStar Connections) connection ARN. */
export const CONNECTION_ARN_PATTERN =
  /^arn:aws(?:-[a-z]+)*:(?:codeconnections|codestar-connections):[a-z]{2}(?:-[a-z]+)+-\d:\d{12}:connection\/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const REPOSITORY_PATTERN = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})\/[A-Za-z0-9._-]{1,100}$/;
/**
 * Branch names git accepts (`git check-ref-format --branch`): no leading `-`, `.` or `/`; no `..`,
 * `@{` or `//`; no component starting with `.` or ending in `.lock`; no trailing `/` or `.`; not
 * `@` alone; no control character, space, DEL or any of `~ ^ : ? * [ \`. Look-ahead only: API
 * Gateway's model validator takes no look-behind, and the API model carries this pattern.
 */
const BRANCH_PATTERN =
  /^(?!-)(?!\.)(?!\/)(?!@$)(?!.*\.\.)(?!.*@\{)(?!.*\/\/)(?!.*\/\.)(?!.*\.lock(?:\/|$))(?!.*[/.]$)[^\x00-\x20\x7f~^:?*[\\]{1,255}$/;
/** AWS tag keys and values: Unicode letters, digits, spaces and `_ . : / = + - @`; no `aws:` prefix. */
const TAG_CHARS = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;
// Simple, strict enough for an account root email: local@domain.tld, no spaces, ASCII.
const EMAIL_PATTERN =
  /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$/;

const nameRule = (what: string, limit: LengthLimit) =>
  z.string({ error: `${what} must be a string` }).check(
    z.minLength(3, { error: `${what} must be at least 3 characters` }),
    z.maxLength(limit.max, {
      error: `${what} must be at most ${limit.max} characters: ${lengthLimitReason(limit)}`,
    }),
    z.regex(NAME_PATTERN, {
      error: `${what} must be lowercase letters, digits and hyphens, start with a letter and not end with a hyphen`,
    }),
    // The application's own roles are `<name>-*`; appvend's are `appvend-<name>-*`. A name starting
    // with "appvend" would let the application's deployer touch appvend's roles.
    z.refine((n) => !n.startsWith('appvend'), { error: `${what} must not start with "appvend" (reserved)` }),
  );

const email = z
  .string({ error: 'must be a string' })
  .check(
    z.maxLength(MAX_EMAIL_LENGTH, { error: `must be at most ${MAX_EMAIL_LENGTH} characters` }),
    z.regex(EMAIL_PATTERN, { error: 'must be a valid email address' }),
  );

const stageName = z.string({ error: 'stage must be a string' }).check(
  z.minLength(2, { error: 'stage must be at least 2 characters' }),
  z.maxLength(STAGE_LENGTH_LIMIT.max, {
    error: `stage must be at most ${STAGE_LENGTH_LIMIT.max} characters: ${lengthLimitReason(STAGE_LENGTH_LIMIT)}`,
  }),
  z.regex(NAME_PATTERN, {
    error:
      'stage must be lowercase letters, digits and hyphens, start with a letter and not end with a hyphen',
  }),
  z.refine((s) => s !== RESERVED_STAGE, { error: `"${RESERVED_STAGE}" is reserved and always added` }),
);

const tagKey = z.string().check(
  z.minLength(1, { error: 'tag key must not be empty' }),
  z.maxLength(128, { error: 'tag key must be at most 128 characters' }),
  z.regex(TAG_CHARS, { error: 'tag key may contain only letters, digits, spaces and _ . : / = + - @' }),
  z.refine((k) => !k.toLowerCase().startsWith('aws:'), { error: 'tag key must not start with "aws:"' }),
);

const tagValue = z
  .string({ error: 'tag value must be a string' })
  .check(
    z.maxLength(256, { error: 'tag value must be at most 256 characters' }),
    z.regex(TAG_CHARS, { error: 'tag value may contain only letters, digits, spaces and _ . : / = + - @' }),
  );

export const SourceSchema = z.strictObject({
  connectionArn: z.string({ error: 'must be a string' }).check(
    z.maxLength(256, { error: 'must be at most 256 characters' }),
    z.regex(CONNECTION_ARN_PATTERN, {
      error:
        'must be a connection ARN: arn:aws:codeconnections:REGION:ACCOUNT:connection/UUID (or the older ' +
        'arn:aws:codestar-connections:REGION:ACCOUNT:connection/UUID)',
    }),
  ),
  repository: z
    .string({ error: 'must be a string' })
    .check(z.regex(REPOSITORY_PATTERN, { error: 'must be "owner/repo" (GitHub names)' })),
  branch: z._default(
    z.string({ error: 'must be a string' }).check(
      z.regex(BRANCH_PATTERN, {
        error:
          'must be a branch name git accepts (1-255 characters; no space, control character or ~ ^ : ? * [ \\; no "..", "@{" or "//"; no part starting with "." or ending in ".lock"; not ending in "/" or ".")',
      }),
    ),
    'main',
  ),
});

/** IAM Identity Center permission set names: 1–32 of letters, digits and `_+=,.@-`. */
const PERMISSION_SET_PATTERN = /^[\w+=,.@-]{1,32}$/;
/** Identity Store group display names: 1–1024 characters, no control characters. */
const GROUP_PATTERN = /^[^\p{Cc}]{1,1024}$/u;

/** The account that holds the pipeline; `access` may name it besides the request's stages. */
export const TOOLING_STAGE = RESERVED_STAGE;
/** At most this many `access` entries: each is one CreateAccountAssignment per stage. */
export const MAX_ACCESS_GRANTS = 20;
export { CONTACT_TYPES, type ContactType };

const required = (what: string) => (issue: { input: unknown }) =>
  issue.input === undefined ? 'is required' : `must be ${what}`;

const groupName = z
  .string({ error: required('a string') })
  .check(z.regex(GROUP_PATTERN, { error: 'must be an Identity Center group name (1-1024 characters)' }));
const permissionSetName = z.string({ error: required('a string') }).check(
  z.regex(PERMISSION_SET_PATTERN, {
    error: 'must be an Identity Center permission set name (1-32 letters, digits and _+=,.@-)',
  }),
);

/**
 * One grant: the Identity Center group gets the permission set in the accounts of the named stages
 * (`tooling` or stages of the request). Each (group, permission set, stage) is one account assignment.
 */
export const AccessGrantSchema = z.strictObject({
  group: groupName,
  permissionSet: permissionSetName,
  stages: z
    .array(z.string({ error: 'must be a stage name' }), { error: required('an array of stage names') })
    .check(
      z.minLength(1, { error: 'must list at least 1 stage' }),
      z.refine((s) => new Set(s).size === s.length, { error: 'stage names must be unique' }),
    ),
});

/**
 * An alternate contact as AWS Account Management takes it (PutAlternateContact): every field is
 * required, with AWS's lengths and patterns (API_AlternateContact, see docs/aws-behaviours.md).
 */
const CONTACT_EMAIL_PATTERN = /^\s*[\w+=.#|!&-]+@[\w.-]+\.\w+\s*$/;
const CONTACT_PHONE_PATTERN = /^[\s0-9()+-]+$/;
export const AlternateContactSchema = z.strictObject({
  name: z
    .string({ error: required('a string') })
    .check(
      z.minLength(1, { error: 'must not be empty' }),
      z.maxLength(64, { error: 'must be at most 64 characters' }),
    ),
  title: z
    .string({ error: required('a string') })
    .check(
      z.minLength(1, { error: 'must not be empty' }),
      z.maxLength(50, { error: 'must be at most 50 characters' }),
    ),
  email: z
    .string({ error: required('a string') })
    .check(
      z.maxLength(254, { error: 'must be at most 254 characters' }),
      z.regex(CONTACT_EMAIL_PATTERN, { error: 'must be a valid email address' }),
    ),
  phone: z
    .string({ error: required('a string') })
    .check(
      z.minLength(1, { error: 'must not be empty' }),
      z.maxLength(25, { error: 'must be at most 25 characters' }),
      z.regex(CONTACT_PHONE_PATTERN, { error: 'may contain only digits, spaces and ( ) + -' }),
    ),
});

export const ContactsSchema = z.strictObject(
  {
    security: z.optional(AlternateContactSchema),
    operations: z.optional(AlternateContactSchema),
    billing: z.optional(AlternateContactSchema),
  },
  { error: `must be an object with any of: ${CONTACT_TYPES.join(', ')}` },
);

/**
 * Who may approve the application's production deployments: the Identity Center group and the
 * permission set it holds in the tooling account. The vend assigns the group that permission set in
 * tooling (as `access` does), and the SCP lets only the roles Identity Center creates for that
 * permission set (`AWSReservedSSO_<permissionSet>_*`) approve; without `approvers`, only the
 * platform's access role may. The shape is unchanged from before the vend granted it, so every
 * earlier request stays valid and keeps its digest.
 */
export const ApproversSchema = z.strictObject({ group: groupName, permissionSet: permissionSetName });

export const ApplicationRequestSchema = z
  .strictObject({
    name: nameRule('name', NAME_LENGTH_LIMIT),
    owner: email,
    accountEmail: z.string({ error: 'must be a string' }).check(
      z.maxLength(256, { error: 'must be at most 256 characters' }),
      z.refine((t) => t.includes('{stage}'), {
        error: 'must contain {stage} so that every account gets its own address',
      }),
    ),
    stages: z._default(
      z.array(stageName, { error: 'must be an array of stage names' }).check(
        z.minLength(1, { error: 'must list at least 1 stage' }),
        z.maxLength(5, { error: 'must list at most 5 stages' }),
        z.refine((s) => new Set(s).size === s.length, { error: 'stage names must be unique' }),
      ),
      () => [...DEFAULT_STAGES],
    ),
    source: SourceSchema,
    profile: z._default(z.enum(PROFILES, { error: `must be one of: ${PROFILES.join(', ')}` }), 'serverless'),
    allowedServices: z._default(
      z
        .array(z.enum(EXTRA_SERVICES, { error: `must be one of: ${EXTRA_SERVICES.join(', ')}` }), {
          error: 'must be an array of service names',
        })
        .check(z.refine((s) => new Set(s).size === s.length, { error: 'services must be unique' })),
      () => [],
    ),
    tags: z._default(
      z
        .record(tagKey, tagValue, { error: 'must be an object of string tag values' })
        .check(z.refine((t) => Object.keys(t).length <= 40, { error: 'must have at most 40 tags' })),
      () => ({}),
    ),
    approvers: z.optional(ApproversSchema),
    // Who gets into which account (IAM Identity Center account assignments); optional without a
    // default, so that a request without it keeps its digest.
    access: z.optional(
      z
        .array(AccessGrantSchema, { error: 'must be an array of { group, permissionSet, stages }' })
        .check(z.maxLength(MAX_ACCESS_GRANTS, { error: `must list at most ${MAX_ACCESS_GRANTS} grants` })),
    ),
    // Alternate contacts put on every account of the application.
    contacts: z.optional(ContactsSchema),
    // Existing accounts the vend may take over, by stage. Without it, an account found by the
    // stage's address is adopted only when it carries this application's tag.
    adopt: z.optional(
      z.record(
        z.string(),
        z.string({ error: 'must be a 12-digit account id' }).check(
          z.regex(ACCOUNT_ID_PATTERN, {
            error: 'must be a 12-digit account id',
          }),
        ),
        { error: 'must be an object of stage: account id' },
      ),
    ),
    // Who else may act on the application besides the principal that asked (shared/ledger/principal.ts).
    // Optional without a default: a request without it keeps the digest it always had.
    managers: z.optional(
      z
        .array(
          z.string({ error: 'must be a string' }).check(
            z.maxLength(2048, { error: 'must be at most 2048 characters' }),
            z.regex(MANAGER_ROLE_ARN_PATTERN, {
              error: 'must be an IAM role ARN (arn:aws:iam::ACCOUNT:role/NAME) of the organization',
            }),
          ),
          { error: 'must be an array of IAM role ARNs' },
        )
        .check(
          z.maxLength(10, { error: 'must list at most 10 roles' }),
          z.refine((m) => new Set(m).size === m.length, { error: 'roles must be unique' }),
        ),
    ),
  })
  .check(
    z.superRefine((req, ctx) => {
      const stages = new Set<string>([RESERVED_STAGE, ...req.stages]);
      for (const stage of Object.keys(req.adopt ?? {})) {
        if (!stages.has(stage)) {
          ctx.addIssue({
            code: 'custom',
            path: ['adopt', stage],
            message: `names stage "${stage}", which is not one of: ${[...stages].join(', ')}`,
          });
        }
      }
      checkAccess(req, [...stages], ctx);
      const ids = Object.entries(req.adopt ?? {});
      for (const [stage, id] of ids) {
        const first = ids.find(([, other]) => other === id)?.[0];
        if (first !== stage) {
          ctx.addIssue({
            code: 'custom',
            path: ['adopt', stage],
            message: `names account ${id}, which stage "${first}" names too; each stage needs its own account`,
          });
        }
      }
      // Every templated address must be a valid, distinct email: checked after templating,
      // because `{name}` and `{stage}` change length and may collide.
      const seen = new Map<string, string>();
      for (const stage of [RESERVED_STAGE, ...req.stages]) {
        const address = renderAccountEmail(req.accountEmail, req.name, stage);
        const result = email.safeParse(address);
        if (!result.success) {
          ctx.addIssue({
            code: 'custom',
            path: ['accountEmail'],
            message: `for stage "${stage}" gives "${address}", which ${result.error.issues[0]?.message ?? 'is invalid'}`,
          });
          continue;
        }
        const lower = address.toLowerCase();
        const other = seen.get(lower);
        if (other !== undefined) {
          ctx.addIssue({
            code: 'custom',
            path: ['accountEmail'],
            message: `gives the same address "${address}" for stages "${other}" and "${stage}"; use {stage}`,
          });
        }
        seen.set(lower, stage);
      }
    }),
  );

/**
 * `access` names known stages, and no (group, permission set, stage) twice, counting the approvers'
 * grant (their group gets their permission set in tooling).
 */
function checkAccess(
  req: {
    access?: { group: string; permissionSet: string; stages: string[] }[];
    approvers?: { group: string; permissionSet: string };
  },
  stages: string[],
  ctx: Parameters<Parameters<typeof z.superRefine>[0]>[1],
): void {
  const granted = new Map<string, string>();
  if (req.approvers) {
    granted.set(grantKey(req.approvers.group, req.approvers.permissionSet, TOOLING_STAGE), 'approvers');
  }
  (req.access ?? []).forEach((grant, index) => {
    grant.stages.forEach((stage, at) => {
      if (!stages.includes(stage)) {
        ctx.addIssue({
          code: 'custom',
          path: ['access', index, 'stages', at],
          message: `names stage "${stage}", which is not one of: ${stages.join(', ')}`,
        });
        return;
      }
      const key = grantKey(grant.group, grant.permissionSet, stage);
      const first = granted.get(key);
      if (first !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['access', index],
          message: `grants "${grant.permissionSet}" to "${grant.group}" in "${stage}" again (already granted by ${first})`,
        });
        return;
      }
      granted.set(key, `access.${index}`);
    });
  });
}

const grantKey = (group: string, permissionSet: string, stage: string) =>
  JSON.stringify([group, permissionSet, stage]);

/** A request as written by its author (defaults not yet applied). */
export type ApplicationRequestInput = z.input<typeof ApplicationRequestSchema>;
/** A validated request with defaults applied. */
export type ApplicationRequest = z.output<typeof ApplicationRequestSchema>;

/** The request's JSON Schema (draft 2020-12), for the API model and the EventBridge schema. */
export function applicationRequestJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(ApplicationRequestSchema, { io: 'input', unrepresentable: 'any' }) as Record<
    string,
    unknown
  >;
}
