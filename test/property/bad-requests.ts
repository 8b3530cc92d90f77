import fc from 'fast-check';

/** A valid request every generated one starts from. */
export const VALID = {
  name: 'orders',
  owner: 'orders-team@example.com',
  accountEmail: 'aws+{name}-{stage}@example.com',
  stages: ['test', 'prod'],
  source: {
    connectionArn:
      'arn:aws:codeconnections:us-east-1:111111111111:connection/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0',
    repository: 'example-org/orders-service',
    branch: 'main',
  },
  profile: 'serverless',
  tags: { team: 'orders' },
} as const;

const NAME = /^[a-z](?:[a-z0-9-]*[a-z0-9])?$/;
/** The name rule, written independently of the schema: what is certainly not a valid name. */
const invalidName = (s: string) => s.length < 3 || s.length > 32 || !NAME.test(s) || s.startsWith('appvend');

const injectionLike = fc.constantFrom(
  "orders'; DROP TABLE applications;--",
  '${jndi:ldap://example.com/a}',
  '<script>alert(1)</script>',
  '../../etc/passwd',
  'orders\u0000',
  '{{7*7}}',
  '$(rm -rf /)',
  'orders\nowner: evil@example.com',
  '%00%0d%0a',
  'ordérs',
  'orders\u200b',
  '\u202eorders',
  '🚀rocket',
  'ORDERS',
);

const unicodeString = fc.string({ unit: 'grapheme', maxLength: 80 });
const scalarWrong = fc.oneof(fc.integer(), fc.double(), fc.boolean(), fc.constant(null));
const anArray = fc.array(fc.string({ maxLength: 5 }), { maxLength: 3 });
const anObject = fc.dictionary(fc.string({ maxLength: 5 }), fc.string({ maxLength: 5 }), { maxKeys: 3 });
/** A value of the wrong JSON type for each field. */
const WRONG_TYPE: Record<string, fc.Arbitrary<unknown>> = {
  name: fc.oneof(scalarWrong, anArray, anObject),
  owner: fc.oneof(scalarWrong, anArray, anObject),
  accountEmail: fc.oneof(scalarWrong, anArray, anObject),
  profile: fc.oneof(scalarWrong, anArray, anObject),
  stages: fc.oneof(scalarWrong, anObject, fc.string()),
  allowedServices: fc.oneof(scalarWrong, anObject, fc.string()),
  source: fc.oneof(scalarWrong, anArray, fc.string()),
  tags: fc.oneof(scalarWrong, anArray, fc.string()),
};
const wrongType = fc.oneof(scalarWrong, anArray, fc.string());

type Mutation = { why: string; request: Record<string, unknown> };
const withField = (field: string, value: unknown, why: string): Mutation => ({
  why,
  request: { ...VALID, [field]: value },
});
const withSource = (field: string, value: unknown, why: string): Mutation => ({
  why,
  request: { ...VALID, source: { ...VALID.source, [field]: value } },
});

/**
 * Requests that are invalid by construction, each with why: wrong types, boundary and over-long
 * lengths, unicode, injection-like strings, unknown fields, missing required fields.
 */
export const badRequest: fc.Arbitrary<Mutation> = fc.oneof(
  // name: anything the name rule refuses, from several sources
  fc
    .oneof(
      unicodeString,
      injectionLike,
      fc.string({ minLength: 33, maxLength: 300 }),
      fc.string({ maxLength: 2 }),
    )
    .filter(invalidName)
    .map((v) => withField('name', v, `name ${JSON.stringify(v)}`)),
  fc.integer({ min: 33, max: 2000 }).map((n) => withField('name', 'a'.repeat(n), `name of ${n} characters`)),
  // every field: a value of the wrong type
  fc
    .constantFrom(...Object.keys(WRONG_TYPE))
    .chain((field) => WRONG_TYPE[field]!.map((v) => withField(field, v, `${field} = ${JSON.stringify(v)}`))),
  // owner: not an email
  fc
    .oneof(
      injectionLike,
      fc.string({ maxLength: 40 }).filter((s) => !s.includes('@')),
    )
    .map((v) => withField('owner', v, `owner ${JSON.stringify(v)}`)),
  // accountEmail without {stage}
  fc
    .string({ maxLength: 60 })
    .filter((s) => !s.includes('{stage}'))
    .map((v) => withField('accountEmail', v, `accountEmail ${JSON.stringify(v)}`)),
  // stages: the reserved one, duplicates, too many, bad names
  fc.constantFrom<Mutation>(
    withField('stages', ['tooling'], 'reserved stage'),
    withField('stages', ['prod', 'prod'], 'duplicate stages'),
    withField(
      'stages',
      ['s1', 's2', 's3', 's4', 's5', 's6'].map((s) => `st${s}`),
      'six stages',
    ),
    withField('stages', [], 'no stage'),
  ),
  fc
    .oneof(injectionLike, fc.string({ minLength: 18, maxLength: 100 }))
    .filter((s) => s.length > 17 || !NAME.test(s) || s.length < 2)
    .map((v) => withField('stages', [v], `stage ${JSON.stringify(v)}`)),
  // source: foreign ARNs, bad repositories
  fc
    .oneof(injectionLike, fc.constant('arn:aws:iam::111111111111:role/x'), fc.string({ maxLength: 300 }))
    .map((v) => withSource('connectionArn', v, `connectionArn ${JSON.stringify(v)}`)),
  fc
    .oneof(injectionLike, fc.constant('no-slash'), fc.constant('a/b/c'), fc.constant('-x/y'))
    .map((v) => withSource('repository', v, `repository ${JSON.stringify(v)}`)),
  // allowed services outside the vetted list
  fc
    .oneof(injectionLike, fc.constantFrom('iam', '*', 'ec2', 'organizations', 'DynamoDB'))
    .map((v) => withField('allowedServices', ['dynamodb', v], `allowed service ${JSON.stringify(v)}`)),
  // tags: aws: keys, over-long values
  fc
    .string({ minLength: 0, maxLength: 20 })
    .map((k) => withField('tags', { [`aws:${k}`]: 'x' }, `tag key aws:${k}`)),
  fc
    .integer({ min: 257, max: 5000 })
    .map((n) => withField('tags', { team: 'x'.repeat(n) }, `tag value of ${n} characters`)),
  // unknown fields and missing required ones
  fc
    .string({ minLength: 1, maxLength: 30 })
    .filter((k) => !(k in VALID) && k !== 'allowedServices' && k !== '__proto__')
    .map((k) => ({ why: `unknown field ${JSON.stringify(k)}`, request: { ...VALID, [k]: 'x' } })),
  fc.constantFrom('name', 'owner', 'accountEmail', 'source').map((field) => {
    const { [field as keyof typeof VALID]: _dropped, ...rest } = VALID;
    return { why: `missing ${field}`, request: rest as Record<string, unknown> };
  }),
  // not an object at all
  wrongType
    .filter((v) => v === null || typeof v !== 'object' || Array.isArray(v))
    .map((v) => ({ why: `request ${JSON.stringify(v)}`, request: v as unknown as Record<string, unknown> })),
);
