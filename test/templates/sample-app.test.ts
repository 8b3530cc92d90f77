import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, parseDocument } from 'yaml';
import { synthesizeVendedTemplates } from '../../infra/templates';
import { BUILDSPEC_PATH } from '../../infra/templates/buildspec';
import { PSEUDO, cfnLint, evaluate, resourcesOfType, type Loose } from './helpers';

const ROOT = join(__dirname, '../..');
const SAMPLE = join(ROOT, 'examples/sam-app');
const buildspecText = readFileSync(join(ROOT, BUILDSPEC_PATH), 'utf8');
const buildspec = parse(buildspecText) as Loose;

/** SAM templates use short-form intrinsics (!Sub, !Ref): read them as plain tagged values. */
const sampleTemplate = (): Loose =>
  parseDocument(readFileSync(join(SAMPLE, 'template.yaml'), 'utf8'), {
    customTags: ['!Sub', '!Ref', '!GetAtt'].map((tag) => ({
      tag,
      resolve: (value: string) => ({ [tag.slice(1)]: value }),
    })),
  }).toJS();

/** Runs the buildspec's pre_build commands (the application's tests) in `dir`, as CodeBuild's bash would. */
function runPreBuild(dir: string): { status: number | null; output: string } {
  const commands = buildspec.phases.pre_build.commands as string[];
  const run = spawnSync('bash', ['-c', commands.join('\n')], {
    cwd: dir,
    encoding: 'utf8',
    timeout: 120_000,
    env: { ...process.env, npm_config_audit: 'false', npm_config_fund: 'false' },
  });
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}

describe('Sample application: examples/sam-app', () => {
  let work: string;

  beforeEach(() => {
    work = mkdtempSync(join(tmpdir(), 'appvend-sample-'));
    cpSync(SAMPLE, work, { recursive: true });
  });

  afterEach(() => {
    rmSync(work, { recursive: true, force: true });
  });

  it('is a template cfn-lint accepts (SAM transform included)', () => {
    // Act
    const findings = cfnLint({ 'sam-app': readFileSync(join(SAMPLE, 'template.yaml'), 'utf8') });

    // Assess
    expect(findings).toEqual([]);
  });

  it("passes the buildspec's test phase, which runs the application's tests", () => {
    // Act
    const { status, output } = runPreBuild(work);

    // Assess
    expect(output).toContain('npm test in ./src');
    expect(output).toMatch(/# pass 3/);
    expect(status).toBe(0);
  });

  it('stops the build when one of its tests fails', () => {
    // Prepare
    const app = join(work, 'src/app.mjs');
    writeFileSync(app, readFileSync(app, 'utf8').replaceAll('Hello, ', 'Goodbye, '));

    // Act
    const { status, output } = runPreBuild(work);

    // Assess
    expect(output).toMatch(/# fail [1-9]/);
    expect(status).not.toBe(0);
  });

  it('declares exactly the parameters the pipeline passes to each stage', () => {
    // Prepare
    const pipeline = evaluate(synthesizeVendedTemplates().pipeline, {
      AppName: 'shop',
      StageNames: ['test', 'prod'],
      StageAccountIds: ['111111111111', '222222222222'],
      StageCount: '2',
      ConnectionArn: `arn:aws:codeconnections:${PSEUDO['AWS::Region']}:${PSEUDO['AWS::AccountId']}:connection/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0`,
      Repository: 'acme/shop',
      Branch: 'main',
    });
    const [definition] = Object.values(resourcesOfType(pipeline, 'AWS::CodePipeline::Pipeline'));

    // Act
    const overrides = (definition!.Properties.Stages as Loose[])
      .flatMap((stage) => stage.Actions as Loose[])
      .filter((action) => action.Name === 'CreateChangeSet')
      .map((action) => JSON.parse(action.Configuration.ParameterOverrides as string));

    // Assess
    expect(overrides).toEqual([
      { AppName: 'shop', Stage: 'test' },
      { AppName: 'shop', Stage: 'prod' },
    ]);
    expect(Object.keys(sampleTemplate().Parameters).sort()).toEqual(['AppName', 'Stage']);
  });

  it('gives every function role the application permissions boundary and names under the prefix', () => {
    // Act
    const template = sampleTemplate();
    const functions = Object.values(template.Resources as Record<string, Loose>).filter(
      (r) => r.Type === 'AWS::Serverless::Function',
    );

    // Assess
    expect(template.Globals.Function.PermissionsBoundary).toEqual({
      Sub: 'arn:${AWS::Partition}:iam::${AWS::AccountId}:policy/appvend-${AppName}-boundary',
    });
    expect(functions.length).toBeGreaterThan(0);
    for (const fn of functions) {
      expect(fn.Properties.PermissionsBoundary).toBeUndefined();
      expect(fn.Properties.FunctionName.Sub).toMatch(/^\$\{AppName\}-/);
    }
  });

  it('is built by the buildspec the pipeline embeds: the shipped file without its header comments', () => {
    // Act
    const pipeline = synthesizeVendedTemplates().pipeline as Loose;
    const [project] = Object.values(pipeline.Resources as Record<string, Loose>).filter(
      (r) => r.Type === 'AWS::CodeBuild::Project',
    );

    // Assess
    const embedded = project.Properties.Source.BuildSpec as string;
    expect(parse(embedded)).toEqual(buildspec);
    expect(embedded).not.toMatch(/^#/m);
    expect(embedded).toContain('sam package');
  });
});
