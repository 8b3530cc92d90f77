import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Stack, Validations } from 'aws-cdk-lib';
import { CfnBucket } from 'aws-cdk-lib/aws-s3';
import { AwsSolutionsChecks } from 'cdk-nag';
import { TEMPLATE_KEYS, type TemplateKey } from '../../shared/domain/naming';
import {
  TEMPLATE_PARAMETERS,
  VendedTemplateValidationError,
  buildVendedTemplateApp,
  synthesizeStacks,
  synthesizeVendedTemplates,
  templateFileName,
  writeVendedTemplates,
} from '../../infra/templates';
import { acknowledgementsOf, rawFindingsOf } from '../support/nag';
import {
  TEMPLATE_BODY_LIMIT,
  blockingFindings,
  cfnLint,
  overlyBroadActions,
  policyStatements,
  type Loose,
  type Template,
} from './helpers';

describe('Function: synthesizeVendedTemplates', () => {
  let templates: Record<TemplateKey, Template>;

  beforeAll(() => {
    templates = synthesizeVendedTemplates();
  });

  it('returns the four templates, each declaring exactly its contract parameters', () => {
    // Prepare
    const expected = Object.fromEntries(
      TEMPLATE_KEYS.map((key) => [key, [...TEMPLATE_PARAMETERS[key]].sort()]),
    );

    // Act
    const declared = Object.fromEntries(
      TEMPLATE_KEYS.map((key) => [key, Object.keys((templates[key].Parameters ?? {}) as object).sort()]),
    );

    // Assess
    expect(Object.keys(templates).sort()).toEqual([...TEMPLATE_KEYS].sort());
    expect(declared).toEqual(expected);
  });

  it('synthesizes plain CloudFormation: no transform, bootstrap check, CDK metadata or assets', () => {
    for (const key of TEMPLATE_KEYS) {
      // Prepare
      const template = templates[key] as Loose;

      // Act
      const text = JSON.stringify(template);
      const types = Object.values(template.Resources as Record<string, Loose>).map((r) => r.Type);

      // Assess
      expect(template.Transform).toBeUndefined();
      expect(template.Rules).toBeUndefined();
      expect(template.Parameters.BootstrapVersion).toBeUndefined();
      expect(types).not.toContain('AWS::CDK::Metadata');
      expect(types.every((t) => /^AWS::[A-Za-z0-9]+::[A-Za-z0-9]+$/.test(t))).toBe(true);
      expect(text).not.toMatch(/aws:cdk:|cdk-hnb659fds|AssetParameters/);
      // The one cross-stack reference: the pipeline imports the artifact store's key ARN (same
      // tooling account and Region); CDK's own cross-stack references would be others.
      const imports = text.split('"Fn::ImportValue":').slice(1);
      expect(
        imports.map((rest) => rest.startsWith('{"Fn::Sub":"appvend-${AppName}-artifact-key-arn"}')),
      ).toEqual(key === 'pipeline' ? [true, true, true] : []);
      expect(template.Description).toMatch(/^appvend /);
    }
  });

  it('keeps every template body under the StackSet TemplateBody limit', () => {
    // Prepare
    const outDir = mkdtempSync(join(tmpdir(), 'appvend-written-'));

    try {
      // Act
      writeVendedTemplates(outDir);

      // Assess
      for (const key of TEMPLATE_KEYS) {
        expect(Buffer.byteLength(JSON.stringify(templates[key]))).toBeLessThan(TEMPLATE_BODY_LIMIT);
        const written = readFileSync(join(outDir, templateFileName(key)), 'utf8');
        expect(Buffer.byteLength(written)).toBeLessThan(TEMPLATE_BODY_LIMIT);
        expect(JSON.parse(written)).toEqual(templates[key]);
      }
    } finally {
      rmSync(outDir, { recursive: true, force: true });
    }
  });

  it('allows no "*" or "service:*" action in any policy statement of any template', () => {
    // Prepare
    const statements = TEMPLATE_KEYS.flatMap((key) =>
      policyStatements(templates[key]).map((found) => ({ key, ...found })),
    );

    // Act
    const broad = statements.flatMap((found) =>
      overlyBroadActions(found).map((action) => `${found.key} ${found.where}: ${action}`),
    );

    // Assess
    expect(broad).toEqual([]);
    for (const key of TEMPLATE_KEYS) {
      expect(statements.filter((s) => s.key === key).length).toBeGreaterThanOrEqual(3);
    }
  });

  it('passes cfn-lint with no error and no warning but W3005', () => {
    // Prepare
    const named = Object.fromEntries(TEMPLATE_KEYS.map((key) => [key, templates[key]]));

    // Act
    const findings = cfnLint(named);

    // Assess
    expect(blockingFindings(findings)).toEqual([]);
  });
});

describe('Function: policyStatements', () => {
  it('finds Allow statements with wildcard actions wherever a policy document is', () => {
    // Prepare
    const template = {
      Resources: {
        Role: {
          Type: 'AWS::IAM::Role',
          Properties: {
            AssumeRolePolicyDocument: { Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole' }] },
            Policies: [
              {
                PolicyDocument: {
                  Statement: [
                    { Effect: 'Allow', Action: ['s3:GetObject', 'lambda:*'], Resource: '*' },
                    { Effect: 'Allow', Action: '*', Resource: '*' },
                    { Effect: 'Deny', Action: 'iam:*', Resource: '*' },
                    { Effect: 'Allow', NotAction: 'iam:PassRole', Resource: '*' },
                  ],
                },
              },
            ],
          },
        },
      },
    };

    // Act
    const broad = policyStatements(template).flatMap(overlyBroadActions);

    // Assess
    expect(broad).toEqual(['lambda:*', '*', 'NotAction in an Allow statement']);
  });
});

describe('Function: cfnLint', () => {
  it('reports a real finding, so that a broken template fails', () => {
    // Prepare
    const broken = {
      AWSTemplateFormatVersion: '2010-09-09',
      Resources: {
        Bucket: { Type: 'AWS::S3::Bucket', Properties: { BucketNam: 'typo' } },
        Role: {
          Type: 'AWS::IAM::Role',
          Properties: {
            AssumeRolePolicyDocument: {
              Version: '2012-10-17',
              Statement: [
                { Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' },
              ],
            },
            Policies: [
              {
                PolicyName: 'p',
                PolicyDocument: {
                  Version: '2012-10-17',
                  Statement: [{ Effect: 'Allow', Action: 'apigateway:TagResource', Resource: '*' }],
                },
              },
            ],
          },
        },
      },
    };

    // Act
    const findings = blockingFindings(cfnLint({ broken }));

    // Assess
    expect(findings.map((f) => f.rule)).toEqual(expect.arrayContaining(['E3002', 'W3037']));
  });
});

describe('Function: synthesizeStacks', () => {
  it('throws on a cdk-nag finding nobody acknowledged', () => {
    // Prepare
    const build = (outdir: string) => {
      const app = new App({ outdir, analyticsReporting: false });
      const stack = new Stack(app, 'Unsafe');
      new CfnBucket(stack, 'Bucket', {});
      Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
      return { app, stacks: { unsafe: stack } };
    };

    // Act
    let caught: unknown;
    try {
      synthesizeStacks(build);
    } catch (error) {
      caught = error;
    }

    // Assess
    expect(caught).toBeInstanceOf(VendedTemplateValidationError);
    expect((caught as VendedTemplateValidationError).findings).toEqual(
      expect.arrayContaining(['AwsSolutions-S1 at Unsafe/Bucket', 'AwsSolutions-S10 at Unsafe/Bucket']),
    );
  });
});

describe('Function: buildVendedTemplateApp', () => {
  it('acknowledges only findings cdk-nag really makes, each on its construct with a reason', () => {
    // Prepare
    const { app } = buildVendedTemplateApp();
    const acknowledged = acknowledgementsOf(app);
    // Act
    const raw = rawFindingsOf(app);

    // Assess
    expect(acknowledged.length).toBeGreaterThan(0);
    for (const ack of acknowledged) {
      expect(ack.reason.length).toBeGreaterThan(40);
      expect({
        ack: `${ack.id} on ${ack.path}`,
        found: raw.some((f) => f.id === ack.id && (f.path === ack.path || f.path.startsWith(`${ack.path}/`))),
      }).toEqual({ ack: `${ack.id} on ${ack.path}`, found: true });
    }
  });
});
