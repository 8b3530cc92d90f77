import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { conformancePackRules, conformancePackTemplate } from '../../shared/domain/conformance-pack';
import { PACKAGED_TEMPLATE } from '../../infra/templates';
import { TEMPLATE_BODY_LIMIT, blockingFindings, cfnLint } from './helpers';

describe('Function: conformancePackTemplate', () => {
  it('lists the AWS managed rules of the serverless profile', () => {
    // Prepare
    const expected = [
      'S3_BUCKET_VERSIONING_ENABLED',
      'S3_BUCKET_SERVER_SIDE_ENCRYPTION_ENABLED',
      'S3_BUCKET_PUBLIC_READ_PROHIBITED',
      'S3_BUCKET_PUBLIC_WRITE_PROHIBITED',
      'IAM_POLICY_NO_STATEMENTS_WITH_ADMIN_ACCESS',
      'LAMBDA_FUNCTION_PUBLIC_ACCESS_PROHIBITED',
      'CLOUD_TRAIL_ENABLED',
    ];

    // Act
    const body = conformancePackTemplate('serverless');

    // Assess
    for (const identifier of expected) {
      expect(body).toContain(`SourceIdentifier: ${identifier}\n`);
    }
    expect(body.match(/Type: AWS::Config::ConfigRule/g)).toHaveLength(
      conformancePackRules('serverless').length,
    );
    expect(Buffer.byteLength(body)).toBeLessThan(TEMPLATE_BODY_LIMIT);
  });

  it('lists, for the regulated profile, the serverless rules and the KMS and root key checks', () => {
    // Act
    const serverless = conformancePackRules('serverless').map((r) => r.identifier);
    const regulated = conformancePackRules('regulated').map((r) => r.identifier);

    // Assess
    expect(regulated).toEqual([
      ...serverless,
      'IAM_ROOT_ACCESS_KEY_CHECK',
      'CLOUDWATCH_LOG_GROUP_ENCRYPTED',
      'DYNAMODB_TABLE_ENCRYPTED_KMS',
    ]);
    expect(conformancePackTemplate('regulated')).not.toBe(conformancePackTemplate('serverless'));
  });

  it.each(['serverless', 'regulated'] as const)('is a valid template body for cfn-lint (%s)', (profile) => {
    // Prepare
    const body = conformancePackTemplate(profile);

    // Act
    const findings = cfnLint({ 'conformance-pack': body });

    // Assess
    expect(blockingFindings(findings)).toEqual([]);
    expect(Buffer.byteLength(body)).toBeLessThan(TEMPLATE_BODY_LIMIT);
  });

  it.each(['serverless', 'regulated'] as const)(
    'gives every rule a unique name and either a scope or a frequency (%s)',
    (profile) => {
      // Prepare
      const rules = conformancePackRules(profile);

      // Act
      const names = new Set(rules.map((r) => r.name));

      // Assess
      expect(names.size).toBe(rules.length);
      for (const rule of rules) {
        expect(Boolean(rule.resourceTypes) !== Boolean(rule.frequency)).toBe(true);
        expect(rule.name).toMatch(/^[a-z0-9-]{1,64}$/);
      }
    },
  );
});

describe('File: templates/buildspec.yml', () => {
  it('builds with SAM and packages into the artifact bucket with the artifact key', () => {
    // Prepare
    const path = join(__dirname, '..', '..', 'templates', 'buildspec.yml');

    // Act
    const buildspec = readFileSync(path, 'utf8');

    // Assess
    expect(buildspec).toMatch(/^version: 0\.2$/m);
    expect(buildspec).toMatch(/^\s+- sam build$/m);
    expect(buildspec).toContain('--s3-bucket "$ARTIFACT_BUCKET"');
    expect(buildspec).toContain('--kms-key-id "$ARTIFACT_KEY"');
    expect(buildspec).toContain(`--output-template-file ${PACKAGED_TEMPLATE}`);
    expect(buildspec).toMatch(
      new RegExp(`^artifacts:\\n  files:\\n    - ${PACKAGED_TEMPLATE.replace('.', '\\.')}$`, 'm'),
    );
  });
});
