import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { applicationRequestJsonSchema } from '../../shared/request/schema';
import { InvalidRequestError, parseRequest, validateRequest } from '../../shared/request/validate';

const sample = JSON.parse(
  readFileSync(join(__dirname, '../../events/application-request.json'), 'utf8'),
) as Record<string, unknown>;
const minimal = {
  name: 'orders',
  owner: 'team@example.com',
  accountEmail: 'aws+{name}-{stage}@example.com',
  source: {
    connectionArn:
      'arn:aws:codeconnections:us-east-1:111111111111:connection/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0',
    repository: 'acme/orders',
  },
};

function problemsOf(input: unknown): { field: string; message: string }[] {
  const result = validateRequest(input);
  if (result.valid) throw new Error('expected the request to be invalid');
  return result.problems;
}

describe('Function: validateRequest', () => {
  it('accepts the shipped sample', () => {
    // Act
    const result = validateRequest(sample);

    // Assess
    expect(result.valid).toBe(true);
  });

  it('applies the defaults: stages test and prod, branch main, profile serverless, no tags', () => {
    // Act
    const request = parseRequest(minimal);

    // Assess
    expect(request.stages).toEqual(['test', 'prod']);
    expect(request.source.branch).toBe('main');
    expect(request.profile).toBe('serverless');
    expect(request.tags).toEqual({});
  });

  it('names an unknown field such as a typo', () => {
    // Act
    const problems = problemsOf({ ...minimal, nmae: 'orders' });

    // Assess
    expect(problems).toEqual([{ field: 'nmae', message: 'unknown field' }]);
  });

  it('names unknown fields inside nested objects', () => {
    // Act
    const problems = problemsOf({ ...minimal, source: { ...minimal.source, token: 'ghp_x' } });

    // Assess
    expect(problems).toEqual([{ field: 'source.token', message: 'unknown field' }]);
  });

  it.each([
    ['ab', 'at least 3 characters'],
    ['a'.repeat(33), 'at most 32 characters: the S3 artifact bucket name'],
    ['Orders', 'lowercase letters'],
    ['1orders', 'start with a letter'],
    ['orders-', 'not end with a hyphen'],
    ['ord_ers', 'lowercase letters, digits and hyphens'],
  ])('rejects the name %j with a rule that says %s', (name, rule) => {
    // Act
    const problems = problemsOf({ ...minimal, name });

    // Assess
    expect(problems).toHaveLength(1);
    expect(problems[0]!.field).toBe('name');
    expect(problems[0]!.message).toContain(rule);
  });

  it('refuses the reserved stage tooling and duplicated stages', () => {
    // Act
    const problems = problemsOf({ ...minimal, stages: ['test', 'test', 'tooling'] });

    // Assess
    expect(problems).toEqual(
      expect.arrayContaining([
        { field: 'stages.2', message: '"tooling" is reserved and always added' },
        { field: 'stages', message: 'stage names must be unique' },
      ]),
    );
  });

  it('accepts adopt naming an account per stage, tooling included', () => {
    // Act
    const result = validateRequest({ ...minimal, adopt: { tooling: '123456789012', prod: '210987654321' } });

    // Assess
    expect(result.valid).toBe(true);
  });

  it('refuses adopt naming an unknown stage, a malformed id, or one account for two stages', () => {
    // Act
    const problems = problemsOf({
      ...minimal,
      adopt: { staging: '123456789012', test: '12345', prod: '210987654321', tooling: '210987654321' },
    });

    // Assess
    expect(problems).toEqual(
      expect.arrayContaining([
        { field: 'adopt.test', message: 'must be a 12-digit account id' },
        {
          field: 'adopt.staging',
          message: 'names stage "staging", which is not one of: tooling, test, prod',
        },
        {
          field: 'adopt.tooling',
          message:
            'names account 210987654321, which stage "prod" names too; each stage needs its own account',
        },
      ]),
    );
  });

  it('refuses more than five stages and an empty list', () => {
    // Act
    const tooMany = problemsOf({
      ...minimal,
      stages: ['s1', 's2', 's3', 's4', 's5', 's6'].map((s) => `st${s}`),
    });
    const none = problemsOf({ ...minimal, stages: [] });

    // Assess
    expect(tooMany).toEqual([{ field: 'stages', message: 'must list at most 5 stages' }]);
    expect(none).toEqual([{ field: 'stages', message: 'must list at least 1 stage' }]);
  });

  it('refuses an account email template whose addresses collide', () => {
    // Act
    const problems = problemsOf({ ...minimal, accountEmail: 'aws+{name}@example.com' });

    // Assess
    expect(problems[0]).toEqual({
      field: 'accountEmail',
      message: 'must contain {stage} so that every account gets its own address',
    });
  });

  it('refuses an address over 64 characters after templating, naming the stage', () => {
    // Act
    const problems = problemsOf({
      ...minimal,
      name: 'a-very-long-application-name-xyz',
      accountEmail: 'platform-aws-accounts+{name}-{stage}@subsidiary.example.com',
    });

    // Assess
    expect(problems[0]!.field).toBe('accountEmail');
    expect(problems[0]!.message).toMatch(
      /for stage "tooling" gives ".*", which must be at most 64 characters/,
    );
  });

  it('refuses a connection ARN of another service', () => {
    // Act
    const problems = problemsOf({
      ...minimal,
      source: { ...minimal.source, connectionArn: 'arn:aws:iam::111111111111:role/x' },
    });

    // Assess
    expect(problems).toHaveLength(1);
    expect(problems[0]!.field).toBe('source.connectionArn');
    expect(problems[0]!.message).toContain('arn:aws:codeconnections:REGION:ACCOUNT:connection/UUID');
  });

  it.each([
    'arn:aws:codeconnections:eu-west-1:222222222222:connection/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0',
    'arn:aws:codestar-connections:eu-west-1:222222222222:connection/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0',
  ])('accepts the connection ARN %s (both service prefixes)', (connectionArn) => {
    // Act
    const result = validateRequest({ ...minimal, source: { ...minimal.source, connectionArn } });

    // Assess
    expect(result.valid).toBe(true);
  });

  it('explains the name limit by the resource that sets it', () => {
    // Act
    const problems = problemsOf({ ...minimal, name: 'a'.repeat(33) });

    // Assess
    expect(problems).toEqual([
      {
        field: 'name',
        message:
          'name must be at most 32 characters: the S3 artifact bucket name appvend-{name}-artifacts-{account id} is limited to 63',
      },
    ]);
  });

  it('explains the stage limit by the account name it would produce', () => {
    // Act
    const problems = problemsOf({ ...minimal, stages: ['a'.repeat(18)] });

    // Assess
    expect(problems).toEqual([
      {
        field: 'stages.0',
        message:
          'stage must be at most 17 characters: the AWS Organizations account name {name}-{stage} is limited to 50',
      },
    ]);
  });

  it('accepts allowed services from the vetted list and refuses others, naming the list', () => {
    // Act
    const request = parseRequest({ ...minimal, allowedServices: ['dynamodb', 'sqs'] });
    const unknown = problemsOf({ ...minimal, allowedServices: ['dynamodb', 'iam'] });
    const twice = problemsOf({ ...minimal, allowedServices: ['sqs', 'sqs'] });
    const notList = problemsOf({ ...minimal, allowedServices: 'dynamodb' });

    // Assess
    expect(request.allowedServices).toEqual(['dynamodb', 'sqs']);
    expect(parseRequest(minimal).allowedServices).toEqual([]);
    expect(unknown).toEqual([
      {
        field: 'allowedServices.1',
        message: 'must be one of: dynamodb, sqs, sns, stepfunctions, eventbridge, s3',
      },
    ]);
    expect(twice).toEqual([{ field: 'allowedServices', message: 'services must be unique' }]);
    expect(notList).toEqual([{ field: 'allowedServices', message: 'must be an array of service names' }]);
  });

  it('refuses a tag key in the aws: namespace, naming the key', () => {
    // Act
    const problems = problemsOf({ ...minimal, tags: { 'aws:owner': 'x' } });

    // Assess
    expect(problems).toEqual([{ field: 'tags.aws:owner', message: 'tag key must not start with "aws:"' }]);
  });

  it('refuses something that is not an object', () => {
    // Act & Assess
    expect(problemsOf([])).toEqual([{ field: '(request)', message: 'must be a JSON object' }]);
    expect(problemsOf('orders')).toEqual([{ field: '(request)', message: 'must be a JSON object' }]);
  });

  it('throws InvalidRequestError listing every problem from parseRequest', () => {
    // Act
    const act = () => parseRequest({ ...minimal, name: 'X', owner: 'nobody' });

    // Assess
    expect(act).toThrow(InvalidRequestError);
    expect(act).toThrow(/name: .*; owner: must be a valid email address/);
  });

  it.each(readdirSync(join(__dirname, '../../events/invalid')))('rejects events/invalid/%s', (file) => {
    // Prepare
    const input = JSON.parse(readFileSync(join(__dirname, '../../events/invalid', file), 'utf8')) as unknown;

    // Act
    const problems = problemsOf(input);

    // Assess
    expect(problems.length).toBeGreaterThan(0);
    for (const problem of problems) expect(problem.field).not.toBe('');
  });
});

describe('Function: applicationRequestJsonSchema', () => {
  it('exports the same rules as JSON Schema, refusing unknown fields', () => {
    // Act
    const schema = applicationRequestJsonSchema() as {
      additionalProperties: boolean;
      required: string[];
      properties: Record<string, { pattern?: string; maxLength?: number }>;
    };

    // Assess
    expect(schema.additionalProperties).toBe(false);
    expect(schema.required).toEqual(expect.arrayContaining(['name', 'owner', 'accountEmail', 'source']));
    expect(schema.properties.name!.maxLength).toBe(32);
    expect(new RegExp(schema.properties.name!.pattern!).test('orders')).toBe(true);
    expect(new RegExp(schema.properties.name!.pattern!).test('Orders')).toBe(false);
  });
});

describe('Rule: reserved names', () => {
  it('refuses an application name starting with appvend, whose roles would overlap appvend’s own', () => {
    // Act
    const result = validateRequest({ ...minimal, name: 'appvend-shop' });

    // Assess
    expect(result).toEqual({
      valid: false,
      problems: [{ field: 'name', message: 'name must not start with "appvend" (reserved)' }],
    });
  });
});
