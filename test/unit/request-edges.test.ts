import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { portalRequestModelSchema } from '../../infra/service/portal-api-schema';
import { ApplicationRequestSchema } from '../../shared/request/schema';
import { validateRequest } from '../../shared/request/validate';

const sample = JSON.parse(
  readFileSync(join(__dirname, '../../events/application-request.json'), 'utf8'),
) as Record<string, unknown> & { source: Record<string, unknown> };
const withBranch = (branch: string) => ({ ...sample, source: { ...sample.source, branch } });

/** Checked against `git check-ref-format --branch` when these rows were written. */
const GIT_ACCEPTS = ['main', 'feature/x', 'release-1.2', 'a.lockx', 'x.lock.y', 'ü/ñ', '@a', 'a@b'];
const GIT_REFUSES = [
  'a.lock',
  'a.lock/b',
  'x/a.lock',
  '.hidden',
  'f/.x',
  'a..b',
  'a@{b',
  '@',
  'a b',
  'a~b',
  'a^b',
  'a:b',
  'a?b',
  'a*b',
  'a[b',
  'a\\b',
  'a/',
  'a.',
  'a//b',
  '/a',
  '-a',
  'a\tb',
  'a\u007fb',
  'a\u0000b',
  'a\nb',
  '',
];

describe('Request: branch names git refuses are refused at every door (one schema)', () => {
  it.each(GIT_ACCEPTS)('accepts %j', (branch) => {
    expect(validateRequest(withBranch(branch)).valid).toBe(true);
  });

  it.each(GIT_REFUSES)('refuses %j, naming source.branch and the rule', (branch) => {
    // Act
    const result = validateRequest(withBranch(branch));

    // Assess
    expect(result.valid).toBe(false);
    expect(!result.valid && result.problems).toEqual([
      { field: 'source.branch', message: expect.stringContaining('must be a branch name git accepts') },
    ]);
  });

  it('gives the API Gateway model a branch pattern without look-behind that decides alike', () => {
    // Act: the model API Gateway validates with (patterns it cannot take are left out of it)
    const schema = portalRequestModelSchema() as {
      properties: { source: { properties: { branch: { pattern?: string } } } };
    };
    const pattern = schema.properties.source.properties.branch.pattern ?? '';

    // Assess
    expect(pattern).not.toBe('');
    expect(pattern).not.toMatch(/\(\?<[!=]/);
    const regex = new RegExp(pattern);
    for (const branch of GIT_ACCEPTS) expect(regex.test(branch)).toBe(true);
    for (const branch of GIT_REFUSES) expect(regex.test(branch)).toBe(false);
  });
});

describe('Request: keys JavaScript would lose or hide', () => {
  it('refuses a __proto__ tag key instead of dropping it', () => {
    // Prepare: as JSON.parse makes it, an own property
    const input = JSON.parse(
      JSON.stringify(sample).replace('"tags":{', '"tags":{"__proto__":"x",'),
    ) as unknown;

    // Act
    const result = validateRequest(input);

    // Assess
    expect(result.valid).toBe(false);
    expect(!result.valid && result.problems).toEqual([
      { field: 'tags.__proto__', message: 'is not allowed: "__proto__" cannot be kept as a key' },
    ]);
  });

  it('names an empty key as "" in its problem', () => {
    // Act
    const top = validateRequest({ ...sample, '': 1 });
    const tag = validateRequest({ ...sample, tags: { '': 'x' } });

    // Assess
    expect(!top.valid && top.problems).toEqual([{ field: '""', message: 'unknown field' }]);
    expect(!tag.valid && tag.problems.map((p) => p.field)).toEqual(['tags.""']);
  });

  it('still parses the sample alike with the schema itself', () => {
    expect(ApplicationRequestSchema.safeParse(sample).success).toBe(true);
  });
});
