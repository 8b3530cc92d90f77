import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Aws, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import {
  ServiceSynthesisError,
  buildServiceApp,
  findProjectRoot,
  readServiceSettings,
  synthesizeServiceApp,
} from '../../infra/service';
import { ApplicationRequestedIntake } from '../../infra/service/application-requested-intake';
import { AppvendFunction } from '../../infra/service/appvend-function';
import { environmentProblems } from '../../infra/service/function-environment';
import * as registerGuardrails from '../../services/register-guardrails/handler';
import { OrganizationEnv, PolicyEnv, StackSetEnv } from '../../shared/workflow/settings';

/** Bundling is not what these tests are about: CDK skips it for stacks not listed here. */
const NO_BUNDLING = { 'aws:cdk:bundling-stacks': [] };

describe('Function: environmentProblems', () => {
  it('accepts an environment with every variable the schema requires', () => {
    // Prepare
    const environment = {
      APPVEND_MANAGEMENT_ACCOUNT_ID: '111111111111',
      APPVEND_NOTIFICATION_TOPIC_ARN: 'arn:aws:sns:eu-west-1:111111111111:appvend-security-findings',
    };

    // Act
    const problems = environmentProblems(StackSetEnv, environment);

    // Assess
    expect(problems).toEqual([]);
  });

  it('leaves optional and defaulted variables to the handler', () => {
    expect(environmentProblems(PolicyEnv, {})).toEqual([]);
    expect(environmentProblems(OrganizationEnv, {})).toEqual([]);
  });

  it('names each required variable that is missing', () => {
    // Act
    const problems = environmentProblems(StackSetEnv, {});

    // Assess
    expect(problems).toEqual([
      "APPVEND_MANAGEMENT_ACCOUNT_ID is required by the handler's environment schema but is not set",
      "APPVEND_NOTIFICATION_TOPIC_ARN is required by the handler's environment schema but is not set",
    ]);
  });

  it("names a concrete value the schema refuses, with the schema's reason", () => {
    // Act
    const problems = environmentProblems(OrganizationEnv, { APPVEND_PARENT_OU_ID: 'finance' });

    // Assess
    expect(problems).toEqual(['APPVEND_PARENT_OU_ID="finance" is invalid: must be a root or OU id']);
  });

  it('checks only the presence of a value known at deploy time (a CDK token)', () => {
    // Act
    const problems = environmentProblems(StackSetEnv, {
      APPVEND_MANAGEMENT_ACCOUNT_ID: Aws.ACCOUNT_ID,
      APPVEND_NOTIFICATION_TOPIC_ARN: Aws.NO_VALUE,
    });

    // Assess
    expect(problems).toEqual([]);
  });

  it('refuses a variable the schema does not declare, and one Lambda sets itself', () => {
    // Act
    const problems = environmentProblems(PolicyEnv, { APPVEND_SCP_QUOTA: '5120', AWS_REGION: 'eu-west-1' });

    // Assess
    expect(problems).toEqual([
      "APPVEND_SCP_QUOTA is not declared by the handler's environment schema",
      'AWS_REGION is set by Lambda and cannot be given',
    ]);
  });
});

describe('Class: AppvendFunction', () => {
  let outdir: string;

  beforeEach(() => {
    outdir = mkdtempSync(join(tmpdir(), 'appvend-function-'));
  });

  afterEach(() => {
    rmSync(outdir, { recursive: true, force: true });
  });

  it('fails synth naming the function and the variable when a required variable is missing', () => {
    // Prepare
    const app = new App({ outdir, context: NO_BUNDLING });
    const stack = new Stack(app, 'Probe');
    new AppvendFunction(stack, 'RegisterGuardrails', {
      step: 'register-guardrails',
      description: 'probe',
      environmentSchema: registerGuardrails.environment,
      // @ts-expect-error APPVEND_CONFIG_BUCKET is required by the handler's schema: the compiler says so first
      environment: {},
      projectRoot: findProjectRoot(),
      logRetention: RetentionDays.ONE_DAY,
      permissions: [],
    });

    // Act
    const synth = () => app.synth();

    // Assess
    expect(synth).toThrow(
      "appvend-register-guardrails (services/register-guardrails/handler.ts): APPVEND_CONFIG_BUCKET is required by the handler's environment schema but is not set",
    );
  });

  it('refuses a permission on a wildcard that gives no reason', () => {
    // Prepare
    const app = new App({ outdir, context: NO_BUNDLING });
    const stack = new Stack(app, 'Probe');

    // Act
    const define = () =>
      new AppvendFunction(stack, 'MoveAccount', {
        step: 'move-account',
        description: 'probe',
        environmentSchema: {},
        environment: {},
        projectRoot: findProjectRoot(),
        logRetention: RetentionDays.ONE_DAY,
        permissions: [{ sid: 'Everything', actions: ['organizations:MoveAccount'], resources: ['*'] }],
      });

    // Assess
    expect(define).toThrow('appvend-move-account: permission Everything is on * and gives no reason');
  });
});

describe('Class: ApplicationRequestedIntake', () => {
  let outdir: string;

  beforeEach(() => {
    outdir = mkdtempSync(join(tmpdir(), 'appvend-intake-'));
  });

  afterEach(() => {
    rmSync(outdir, { recursive: true, force: true });
  });

  const frontDoor = (stack: Stack) =>
    new AppvendFunction(stack, 'SubmitApplication', {
      step: 'submit-application',
      description: 'probe',
      environmentSchema: {},
      environment: {},
      projectRoot: findProjectRoot(),
      logRetention: RetentionDays.ONE_DAY,
      permissions: [],
    }).function;

  it('fails synth when the Application Requested rule was given no target', () => {
    // Prepare
    const app = new App({ outdir, context: NO_BUNDLING });
    new ApplicationRequestedIntake(new Stack(app, 'Probe'), 'Intake');

    // Act
    const synth = () => app.synth();

    // Assess
    expect(synth).toThrow('The Application Requested rule has no target: call deliverTo(function)');
  });

  it('takes one target only', () => {
    // Prepare
    const app = new App({ outdir, context: NO_BUNDLING });
    const stack = new Stack(app, 'Probe');
    const intake = new ApplicationRequestedIntake(stack, 'Intake');
    const fn = frontDoor(stack);
    intake.deliverTo(fn);

    // Act
    const again = () => intake.deliverTo(fn);

    // Assess
    expect(again).toThrow('The Application Requested rule already has its target');
    Template.fromStack(stack).resourceCountIs('AWS::Lambda::Permission', 1);
  });
});

describe('Function: buildServiceApp', () => {
  let outdir: string;

  beforeEach(() => {
    outdir = mkdtempSync(join(tmpdir(), 'appvend-service-settings-'));
  });

  afterEach(() => {
    rmSync(outdir, { recursive: true, force: true });
  });

  it("fails synth when a context value breaks a function's environment schema", () => {
    // Prepare
    const { app } = buildServiceApp({
      outdir,
      templatesDir: outdir,
      context: { ...NO_BUNDLING, parentOuId: 'finance' },
    });

    // Act
    let caught: unknown;
    try {
      synthesizeServiceApp(app);
    } catch (error) {
      caught = error;
    }

    // Assess
    expect(caught).toBeInstanceOf(ServiceSynthesisError);
    expect((caught as Error).message).toContain(
      'appvend-ensure-organizational-unit (services/ensure-organizational-unit/handler.ts): APPVEND_PARENT_OU_ID="finance" is invalid: must be a root or OU id',
    );
  });

  it('passes the context settings to the functions that read them', () => {
    // Prepare
    const { stack } = buildServiceApp({
      outdir,
      templatesDir: outdir,
      context: {
        ...NO_BUNDLING,
        parentOuId: 'ou-ab12-cdef3456',
        memberRoleName: 'AppvendMemberAccess',
        scpSizeQuota: '10000',
      },
    });

    // Act
    const functions = Template.fromStack(stack).findResources('AWS::Lambda::Function');
    const variables = Object.fromEntries(
      Object.values(functions).map((r) => [r.Properties.FunctionName, r.Properties.Environment.Variables]),
    );

    // Assess
    expect(variables['appvend-ensure-organizational-unit']).toMatchObject({
      APPVEND_PARENT_OU_ID: 'ou-ab12-cdef3456',
    });
    expect(variables['appvend-ensure-service-control-policy']).toMatchObject({
      APPVEND_SCP_SIZE_QUOTA: '10000',
      // The SCP exempts and protects the configured roles; the execution role defaults to the member role.
      APPVEND_MEMBER_ROLE: 'AppvendMemberAccess',
      APPVEND_STACKSET_EXECUTION_ROLE_NAME: 'AppvendMemberAccess',
    });
    expect(variables['appvend-portal-api']).toMatchObject({ APPVEND_MEMBER_ROLE: 'AppvendMemberAccess' });
    expect(variables['appvend-start-account-creation']).toMatchObject({
      APPVEND_MEMBER_ROLE: 'AppvendMemberAccess',
    });
    expect(variables['appvend-register-guardrails']).toMatchObject({
      APPVEND_MEMBER_ROLE: 'AppvendMemberAccess',
    });
    expect(variables['appvend-ensure-service-control-policy']).not.toHaveProperty(
      'APPVEND_SCP_ATTACHMENT_QUOTA',
    );
  });

  it('refuses a StackSets execution role other than the member role, which nothing would create', () => {
    // Prepare
    const app = new App({
      outdir,
      context: {
        memberRoleName: 'AppvendMemberAccess',
        stackSetExecutionRoleName: 'OrganizationAccountAccessRole',
      },
    });

    // Act
    const read = () => readServiceSettings(app.node);

    // Assess
    expect(read).toThrow(
      'context stackSetExecutionRoleName (OrganizationAccountAccessRole) must equal memberRoleName (AppvendMemberAccess)',
    );
  });

  it('refuses a malformed context value, naming it', () => {
    // Prepare
    const app = new App({ outdir, context: { logRetentionDays: '17' } });

    // Act
    const read = () => readServiceSettings(app.node);

    // Assess
    expect(read).toThrow('context logRetentionDays: must be a CloudWatch Logs retention in days');
  });
});
