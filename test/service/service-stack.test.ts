import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { FUNCTION_ROLE_ENV } from '../../shared/domain/management-access';
import { TEMPLATE_KEYS } from '../../shared/domain/naming';
import { applicationRequestJsonSchema } from '../../shared/request/schema';
import {
  MANAGEMENT_STACK_NAME,
  SERVICE_STACK_NAME,
  buildServiceApp,
  synthesizeServiceApp,
} from '../../infra/service';
import { splitPermissions } from '../../infra/service/management-access';
import {
  MANAGEMENT_READ_ROLE_NAME,
  MANAGEMENT_ROLE_ENV,
  MANAGEMENT_WRITE_ROLE_NAME,
} from '../../shared/domain/management-access';
import { STATE_MACHINE_NAME } from '../../infra/service/state-machine';
import { offboardPermissions } from '../../infra/service/offboard-permissions';
import { functionPermissions, type PermissionScope } from '../../infra/service/step-permissions';
import {
  LOCAL_ACCOUNT,
  LOCAL_REGION,
  offboardStateMachineDefinition,
  vendStateMachineDefinition,
} from '../../infra/workflow/asl';
import {
  FRONT_DOOR_FUNCTIONS,
  OFFBOARD_FUNCTIONS,
  STEP_FUNCTIONS,
  functionName,
  type OffboardFunctionName,
  type ServiceFunctionName,
} from '../../infra/workflow/step-functions';
import { acknowledgementsOf, rawFindingsOf } from '../support/nag';
import { OUTPUT_SETTINGS } from '../../cli/stack-outputs';
import { QUEUE_WAIT_ALARM_SECONDS } from '../../infra/service/service-dashboard';
import { METRIC } from '../../shared/lambda/metric-names';
import {
  blockingFindings,
  cfnLint,
  overlyBroadActions,
  policyStatements,
  type Loose,
} from '../templates/helpers';

const FUNCTIONS: readonly (ServiceFunctionName | OffboardFunctionName)[] = [
  ...STEP_FUNCTIONS,
  ...FRONT_DOOR_FUNCTIONS,
  ...OFFBOARD_FUNCTIONS,
];
const isOffboard = (name: string): name is OffboardFunctionName =>
  (OFFBOARD_FUNCTIONS as readonly string[]).includes(name);
const FUNCTION_NAMES = FUNCTIONS.map(functionName);
/** Statement ids do not depend on the scope. */
const PERMISSION_SCOPE: PermissionScope = {
  organizationId: 'o-a1b2c3d4e5',
  managementAccountId: '111111111111',
  memberRoleName: 'OrganizationAccountAccessRole',
  stackSetAdministrationRoleName: 'appvend-stackset-administration',
  ledgerTableArn: 'arn:aws:dynamodb:eu-west-1:111111111111:table/appvend-ledger',
  eventBusArn: 'arn:aws:events:eu-west-1:111111111111:event-bus/appvend',
  notificationsTopicArn: 'arn:aws:sns:eu-west-1:111111111111:appvend-notifications',
  topicsKeyArn: 'arn:aws:kms:eu-west-1:111111111111:key/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0',
  snsEndpoint: 'sns.eu-west-1.amazonaws.com',
  stateMachineArn: 'arn:aws:states:eu-west-1:111111111111:stateMachine:appvend-vend',
  deadLetterQueueArn: 'arn:aws:sqs:eu-west-1:111111111111:appvend-application-requested-dlq',
  offboardStateMachineArn: 'arn:aws:states:eu-west-1:111111111111:stateMachine:appvend-offboard',
};

describe('Stack: AppvendService', () => {
  let outdir: string;
  let app: App;
  let json: Loose;
  let managementJson: Loose;
  let template: Template;
  const resources = (type: string): [string, Loose][] =>
    Object.entries(json.Resources as Record<string, Loose>).filter(([, r]) => r.Type === type);
  const functionsByName = (): Map<string, [string, Loose]> =>
    new Map(resources('AWS::Lambda::Function').map(([id, r]) => [r.Properties.FunctionName, [id, r]]));

  beforeAll(() => {
    outdir = mkdtempSync(join(tmpdir(), 'appvend-service-'));
    // CDK announces each bundling on stderr; failures throw.
    const quiet = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      ({ app } = buildServiceApp({ outdir }));
      const assembly = synthesizeServiceApp(app);
      json = assembly.getStackByName(SERVICE_STACK_NAME).template;
      managementJson = assembly.getStackByName(MANAGEMENT_STACK_NAME).template;
    } finally {
      quiet.mockRestore();
    }
    template = Template.fromJSON(json);
  });

  afterAll(() => {
    rmSync(outdir, { recursive: true, force: true });
  });

  it('deploys one function per step, named as the state machine expects, and the front door', () => {
    // Act
    const names = [...functionsByName().keys()].sort();

    // Assess
    expect(names).toEqual([...FUNCTION_NAMES].sort());
  });

  it('runs every function on the latest Node.js runtime, arm64, traced, with JSON logs in its own log group', () => {
    for (const name of FUNCTION_NAMES) {
      // Prepare
      const [, fn] = functionsByName().get(name)!;
      const logGroupId = fn.Properties.LoggingConfig.LogGroup.Ref;

      // Act
      const logGroup = json.Resources[logGroupId];

      // Assess
      expect(fn.Properties).toMatchObject({
        Runtime: 'nodejs24.x',
        Architectures: ['arm64'],
        TracingConfig: { Mode: 'Active' },
        LoggingConfig: { LogFormat: 'JSON', ApplicationLogLevel: 'INFO' },
        Environment: { Variables: { POWERTOOLS_SERVICE_NAME: 'appvend', POWERTOOLS_LOG_LEVEL: 'INFO' } },
      });
      expect(logGroup.Properties).toEqual({ LogGroupName: `/aws/lambda/${name}`, RetentionInDays: 90 });
      expect(logGroup.DeletionPolicy).toBe('Retain');
    }
  });

  it('gives each function a role of its own', () => {
    // Act
    const roles = resources('AWS::Lambda::Function').map(([, fn]) => JSON.stringify(fn.Properties.Role));

    // Assess
    expect(new Set(roles).size).toBe(FUNCTIONS.length);
  });

  it('tells each function the ARN of its own role, as CloudFormation resolves it (who it is, without STS)', () => {
    for (const [, fn] of resources('AWS::Lambda::Function')) {
      // Act
      const told = fn.Properties.Environment.Variables[FUNCTION_ROLE_ENV];

      // Assess
      expect(told).toEqual({ 'Fn::GetAtt': [fn.Properties.Role['Fn::GetAtt'][0], 'Arn'] });
    }
  });

  it("gives each function's role its log group, X-Ray and its own permissions, nothing else; management-account calls only through the management role", () => {
    for (const step of FUNCTIONS) {
      // Prepare
      const [, fn] = functionsByName().get(functionName(step))!;
      const roleId = fn.Properties.Role['Fn::GetAtt'][0];
      const policies = resources('AWS::IAM::Policy').filter(([, p]) =>
        (p.Properties.Roles as Loose[]).some((r) => r.Ref === roleId),
      );

      const { service, management } = splitPermissions(
        isOffboard(step)
          ? offboardPermissions(step, PERMISSION_SCOPE)
          : functionPermissions(step, PERMISSION_SCOPE),
      );

      // Act
      const statements = policies.flatMap(([, p]) => p.Properties.PolicyDocument.Statement as Loose[]);
      const sids = statements.map((st) => st.Sid ?? [st.Action].flat().join(','));
      const actions = statements.flatMap((st) => [st.Action].flat() as string[]);

      // Assess
      expect(json.Resources[roleId].Properties.RoleName).toBe(functionName(step));
      expect(json.Resources[roleId].Properties.ManagedPolicyArns).toBeUndefined();
      expect(json.Resources[roleId].Properties.Policies).toBeUndefined();
      expect(sids.sort()).toEqual(
        [
          'WriteOwnLogs',
          'xray:PutTraceSegments,xray:PutTelemetryRecords',
          ...service.map((p) => p.sid),
          ...(management.length > 0 ? ['AssumeManagementRole'] : []),
        ].sort(),
      );
      expect(actions.filter((a) => /^(organizations|account|sso|identitystore):/.test(a))).toEqual([]);
      const assume = statements.find((st) => st.Sid === 'AssumeManagementRole');
      const variables = fn.Properties.Environment.Variables as Record<string, Loose>;
      if (management.length === 0) {
        expect(variables[MANAGEMENT_ROLE_ENV]).toBeUndefined();
      } else {
        // Only the one management role, and the function is told which.
        expect(assume.Resource).toEqual(variables[MANAGEMENT_ROLE_ENV]);
        expect(JSON.stringify(assume.Resource)).toMatch(
          new RegExp(`:role/(${MANAGEMENT_WRITE_ROLE_NAME}|${MANAGEMENT_READ_ROLE_NAME})"`),
        );
      }
    }
  });

  it('puts only the management roles in the management stack, each trusted by the named function roles within the organization', () => {
    // Prepare
    const types = Object.values(managementJson.Resources as Record<string, Loose>).map((r) => r.Type);
    const roles = Object.values(managementJson.Resources as Record<string, Loose>).filter(
      (r) => r.Type === 'AWS::IAM::Role',
    );
    const usersOf = (roleName: string) =>
      [...functionsByName().values()]
        .filter(([, fn]) =>
          JSON.stringify(fn.Properties.Environment.Variables[MANAGEMENT_ROLE_ENV] ?? '').includes(
            `:role/${roleName}"`,
          ),
        )
        .map(([, fn]) => fn.Properties.FunctionName as string)
        .sort();

    // Act
    const trusts: Record<string, Loose[]> = Object.fromEntries(
      roles.map((r) => [r.Properties.RoleName, r.Properties.AssumeRolePolicyDocument.Statement as Loose[]]),
    );

    // Assess
    expect([...new Set(types)].sort()).toEqual([
      'AWS::IAM::ManagedPolicy',
      'AWS::IAM::Policy',
      'AWS::IAM::Role',
    ]);
    expect(Object.keys(trusts).sort()).toEqual(
      [MANAGEMENT_WRITE_ROLE_NAME, MANAGEMENT_READ_ROLE_NAME].sort(),
    );
    for (const [name, statements] of Object.entries(trusts)) {
      expect(statements).toHaveLength(1);
      const [trust] = statements;
      expect(trust.Action).toEqual(['sts:AssumeRole', 'sts:TagSession']);
      expect(trust.Condition.StringEquals).toEqual({
        'aws:PrincipalOrgID': { Ref: 'OrganizationId' },
        'aws:RequestTag/appvend:function': '${aws:PrincipalArn}',
      });
      expect(trust.Condition['ForAllValues:StringEquals']).toEqual({ 'aws:TagKeys': ['appvend:function'] });
      const trusted = (trust.Condition.ArnEquals['aws:PrincipalArn'] as Loose[]).map(
        (arn) => (arn['Fn::Sub'][0] as string).split(':role/')[1],
      );
      expect(trusted.sort()).toEqual(usersOf(name));
      expect(trusted.length).toBeGreaterThan(0);
    }
  });

  it('bundles the synthesized vended templates beside the functions that read them (stack set deploy, portal dry run, reconcile), and only there', () => {
    // Prepare
    const assetDir = (name: string) =>
      join(
        outdir,
        `asset.${functionsByName()
          .get(name)![1]
          .Properties.Code.S3Key.replace(/\.zip$/, '')}`,
      );
    const staged = join(outdir, 'appvend-stacksets');

    // Act
    const deployer = assetDir(functionName('deploy-stack-set'));
    const readers = [
      functionName('deploy-stack-set'),
      functionName('portal-api'),
      functionName('reconcile-drift'),
    ];
    const planners = [functionName('portal-api'), functionName('reconcile-drift')].map(assetDir);
    const others = FUNCTION_NAMES.filter((n) => !readers.includes(n)).map(assetDir);
    // Loaded by a plain Node process, as Lambda would: the bundle needs nothing beside it.
    const exported = execFileSync(
      process.execPath,
      ['-e', 'process.stdout.write(typeof require(process.argv[1]).handler)', join(deployer, 'index.js')],
      { encoding: 'utf8' },
    );

    // Assess
    expect(exported).toBe('function');
    expect(readdirSync(join(deployer, 'stacksets')).sort()).toEqual(
      TEMPLATE_KEYS.map((k) => `${k}.json`).sort(),
    );
    for (const key of TEMPLATE_KEYS) {
      const bundled = readFileSync(join(deployer, 'stacksets', `${key}.json`), 'utf8');
      expect(bundled).toBe(readFileSync(join(staged, `${key}.json`), 'utf8'));
      expect(JSON.parse(bundled).Description).toMatch(/^appvend /);
      for (const dir of planners)
        expect(readFileSync(join(dir, 'stacksets', `${key}.json`), 'utf8')).toBe(bundled);
    }
    for (const dir of others) expect(readdirSync(dir).sort()).toEqual(['index.js', 'index.js.map']);
  });

  it('runs the bundled stack set function in plain Node: it reads its template beside it, then calls AWS', () => {
    // Prepare
    const key = functionsByName().get(functionName('deploy-stack-set'))![1].Properties.Code.S3Key;
    const bundle = join(outdir, `asset.${key.replace(/\.zip$/, '')}`, 'index.js');
    const request = JSON.parse(
      readFileSync(join(__dirname, '../../events/application-request.json'), 'utf8'),
    );
    const input = {
      template: 'pipeline',
      request: { ...request, profile: 'serverless' },
      accounts: ['tooling', 'test', 'prod'].map((stage, i) => ({ stage, id: String(i + 1).repeat(12) })),
    };
    // Nothing listens on port 9: the call fails only once the template has been read.
    const invoke = `require(process.argv[1]).handler(JSON.parse(process.argv[2]), { awsRequestId: 'probe' })
      .then(() => process.stdout.write('no error'), (e) => process.stdout.write(String(e.message)))`;

    // Act
    const outcome = execFileSync(process.execPath, ['-e', invoke, bundle, JSON.stringify(input)], {
      encoding: 'utf8',
      env: {
        PATH: process.env.PATH,
        AWS_REGION: 'eu-west-1',
        AWS_ACCESS_KEY_ID: 'AKIAPROBE',
        AWS_SECRET_ACCESS_KEY: 'probe',
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
        APPVEND_AWS_ENDPOINT: 'http://127.0.0.1:9',
        APPVEND_MANAGEMENT_ACCOUNT_ID: '111111111111',
        APPVEND_NOTIFICATION_TOPIC_ARN: 'arn:aws:sns:eu-west-1:111111111111:appvend-security-findings',
        POWERTOOLS_LOG_LEVEL: 'CRITICAL',
      },
    });

    // Assess
    expect(outcome).toContain('ECONNREFUSED');
  });

  it('runs the bundled front door in plain Node: it answers a bad request, and takes a good one to the ledger first', () => {
    // Prepare
    const key = functionsByName().get(functionName('submit-application'))![1].Properties.Code.S3Key;
    const bundle = join(outdir, `asset.${key.replace(/\.zip$/, '')}`, 'index.js');
    const request = JSON.parse(
      readFileSync(join(__dirname, '../../events/application-request.json'), 'utf8'),
    );
    const invoke = `require(process.argv[1]).handler(JSON.parse(process.argv[2]), { awsRequestId: 'probe' })
      .then((answer) => process.stdout.write(JSON.stringify(answer)), (e) => process.stdout.write(String(e.message)))`;
    // Nothing listens on port 9: a request that reaches the ledger fails there.
    const run = (event: unknown) =>
      execFileSync(process.execPath, ['-e', invoke, bundle, JSON.stringify(event)], {
        encoding: 'utf8',
        env: {
          PATH: process.env.PATH,
          AWS_REGION: 'eu-west-1',
          AWS_ACCESS_KEY_ID: 'AKIAPROBE',
          AWS_SECRET_ACCESS_KEY: 'probe',
          AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
          APPVEND_AWS_ENDPOINT: 'http://127.0.0.1:9',
          APPVEND_LEDGER_TABLE: 'appvend-ledger',
          APPVEND_STATE_MACHINE_ARN: 'arn:aws:states:eu-west-1:111111111111:stateMachine:appvend-vend',
          POWERTOOLS_LOG_LEVEL: 'CRITICAL',
        },
      });

    // The door takes only an Application Requested event as EventBridge delivers it.
    const envelope = { source: 'appvend', 'detail-type': 'Application Requested', account: '111111111111' };

    // Act
    const invalid = JSON.parse(run({ ...envelope, detail: { ...request, name: 'X' } }));
    const valid = run({ ...envelope, detail: request });

    // Assess
    expect(invalid.outcome).toBe('invalid');
    expect(invalid.problems.map((problem: Loose) => problem.field)).toEqual(['name', 'name']);
    expect(valid).toContain('ECONNREFUSED');
  });

  it('deploys exactly the state machine definition the CLI runs locally', () => {
    // Prepare
    const [[, machine]] = resources('AWS::StepFunctions::StateMachine') as [[string, Loose]];
    const [separator, parts] = machine.Properties.DefinitionString['Fn::Join'] as [string, Loose[]];
    const localArn = (logicalId: string) =>
      `arn:aws:lambda:${LOCAL_REGION}:${LOCAL_ACCOUNT}:function:${json.Resources[logicalId].Properties.FunctionName}`;

    // Act
    const deployed = JSON.parse(
      parts
        .map((part) => {
          if (typeof part === 'string') return part;
          if (part['Fn::GetAtt']?.[1] === 'Arn') return localArn(part['Fn::GetAtt'][0]);
          // A service integration's resource (the CreateAccount line's .waitForTaskToken task).
          if (part.Ref === 'AWS::Partition') return 'aws';
          throw new Error(`unexpected ${JSON.stringify(part)} in the definition`);
        })
        .join(separator),
    );

    // Assess
    const { TimeoutSeconds, ...definition } = deployed;
    expect(definition).toEqual(vendStateMachineDefinition());
    expect(TimeoutSeconds).toBe(12 * 3600);
  });

  it('deploys the offboarding state machine the CLI runs locally, logged and traced like the vend', () => {
    // Prepare
    const [, machine] = resources('AWS::StepFunctions::StateMachine').find(
      ([, m]) => m.Properties.StateMachineName === 'appvend-offboard',
    )!;
    const [separator, parts] = machine.Properties.DefinitionString['Fn::Join'] as [string, Loose[]];

    // Act
    const deployed = JSON.parse(
      parts
        .map((part) => {
          if (typeof part === 'string') return part;
          const logicalId = part['Fn::GetAtt']?.[0] as string;
          return `arn:aws:lambda:${LOCAL_REGION}:${LOCAL_ACCOUNT}:function:${json.Resources[logicalId].Properties.FunctionName}`;
        })
        .join(separator),
    );

    // Assess
    const { TimeoutSeconds, ...definition } = deployed;
    expect(definition).toEqual(offboardStateMachineDefinition());
    expect(TimeoutSeconds).toBe(6 * 3600);
    expect(machine.Properties).toMatchObject({
      LoggingConfiguration: { Level: 'ALL', IncludeExecutionData: false },
      TracingConfiguration: { Enabled: true },
    });
  });

  it('logs every state machine event without execution data, and traces executions', () => {
    // Assess
    template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      StateMachineName: STATE_MACHINE_NAME,
      LoggingConfiguration: { Level: 'ALL', IncludeExecutionData: false },
      TracingConfiguration: { Enabled: true },
    });
    template.hasResourceProperties('AWS::Logs::LogGroup', {
      LogGroupName: `/aws/vendedlogs/states/${STATE_MACHINE_NAME}`,
      RetentionInDays: 90,
    });
  });

  it('hands every vend execution that failed, timed out or was aborted to the function that records it in the ledger', () => {
    // Prepare
    const [recorderId] = functionsByName().get(functionName('record-stopped-vend'))!;
    const rule = resources('AWS::Events::Rule')
      .map(([, r]) => r as Loose)
      .find(
        (r) => (r.Properties.EventPattern as { source?: string[] } | undefined)?.source?.[0] === 'aws.states',
      )!;

    // Assess: on the default bus, for the vend state machine only
    expect(rule.Properties.EventBusName).toBeUndefined();
    expect(rule.Properties.EventPattern).toEqual({
      source: ['aws.states'],
      'detail-type': ['Step Functions Execution Status Change'],
      detail: {
        stateMachineArn: [{ Ref: expect.stringMatching(/^Vend/) }],
        status: ['FAILED', 'TIMED_OUT', 'ABORTED'],
      },
    });
    expect(rule.Properties.Targets).toEqual([
      expect.objectContaining({ Arn: { 'Fn::GetAtt': [recorderId, 'Arn'] } }),
    ]);
  });

  it('runs the scheduled reconcile, report-only by default', () => {
    // Prepare
    const [reconcileId, reconcile] = functionsByName().get(functionName('reconcile-drift'))!;
    const rule = resources('AWS::Events::Rule')
      .map(([, r]) => r as Loose)
      .find((r) => r.Properties.ScheduleExpression !== undefined)!;

    // Assess
    expect(rule.Properties.ScheduleExpression).toBe('rate(1 day)');
    expect(rule.Properties.Targets).toEqual([
      expect.objectContaining({ Arn: { 'Fn::GetAtt': [reconcileId, 'Arn'] } }),
    ]);
    expect(reconcile.Properties.Environment.Variables.APPVEND_RECONCILE_APPLY).toBe('false');
  });

  it('hands each Application Requested event on the appvend bus, as it is, to the front door function', () => {
    // Prepare
    const [submitId] = functionsByName().get(functionName('submit-application'))!;
    const [[, rule]] = resources('AWS::Events::Rule') as [[string, Loose]];
    const [ruleId] = resources('AWS::Events::Rule')[0]!;

    // Act
    const [target] = rule.Properties.Targets as Loose[];

    // Assess
    template.hasResourceProperties('AWS::Events::EventBus', { Name: 'appvend' });
    expect(rule.Properties).toMatchObject({
      Name: 'appvend-application-requested',
      EventBusName: { Ref: expect.stringMatching(/^IntakeBus/) },
      EventPattern: { source: ['appvend'], 'detail-type': ['Application Requested'] },
    });
    expect(rule.Properties.Targets).toHaveLength(1);
    expect(target).toEqual({
      Id: expect.any(String),
      Arn: { 'Fn::GetAtt': [submitId, 'Arn'] },
      DeadLetterConfig: { Arn: { 'Fn::GetAtt': [expect.stringMatching(/^IntakeDeadLetterQueue/), 'Arn'] } },
      RetryPolicy: { MaximumRetryAttempts: 8, MaximumEventAgeInSeconds: 24 * 3600 },
    });
    template.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      FunctionName: { 'Fn::GetAtt': [submitId, 'Arn'] },
      Principal: 'events.amazonaws.com',
      SourceArn: { 'Fn::GetAtt': [ruleId, 'Arn'] },
    });
  });

  it('lets no rule start the state machine itself: no role for EventBridge, every vend through the ledger', () => {
    // Act
    const assumedBy = resources('AWS::IAM::Role').flatMap(([, role]) =>
      (role.Properties.AssumeRolePolicyDocument.Statement as Loose[]).map((st) => st.Principal.Service),
    );
    const starters = resources('AWS::IAM::Policy')
      .filter(([, p]) => JSON.stringify(p.Properties.PolicyDocument).includes('states:StartExecution'))
      .map(([, p]) => (p.Properties.Roles as Loose[]).map((r) => r.Ref));
    const [submitId] = functionsByName().get(functionName('submit-application'))!;
    // The front doors whose handlers start vends (through the ledger): their roles, and no other.
    const doorRoles = FRONT_DOOR_FUNCTIONS.filter((door) =>
      functionPermissions(door, PERMISSION_SCOPE).some((p) => p.actions.includes('states:StartExecution')),
    ).map((door) => functionsByName().get(functionName(door))![1].Properties.Role['Fn::GetAtt'][0]);

    // Assess
    expect(assumedBy).not.toContain('events.amazonaws.com');
    expect(starters.every((roles) => roles.length === 1)).toBe(true);
    expect(starters.flat().sort()).toEqual([...doorRoles].sort());
    expect(doorRoles.length).toBeGreaterThanOrEqual(2);
    expect(submitId).toMatch(/^FrontDoorsSubmitApplication/);
  });

  it('gives the front door the ledger and the state machine, and parks what it could not process in the dead-letter queue', () => {
    // Prepare
    const [submitId, submit] = functionsByName().get(functionName('submit-application'))!;
    const [[machineId]] = resources('AWS::StepFunctions::StateMachine') as [[string, Loose]];
    const [[tableId]] = resources('AWS::DynamoDB::Table') as [[string, Loose]];

    // Act
    const variables = submit.Properties.Environment.Variables;

    // Assess
    expect(variables).toMatchObject({
      APPVEND_LEDGER_TABLE: { Ref: tableId },
      APPVEND_STATE_MACHINE_ARN: { Ref: machineId },
    });
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: submitId },
      MaximumRetryAttempts: 2,
      MaximumEventAgeInSeconds: 6 * 3600,
      DestinationConfig: {
        OnFailure: {
          Destination: { 'Fn::GetAtt': [Match.stringLikeRegexp('^IntakeDeadLetterQueue'), 'Arn'] },
        },
      },
    });
  });

  it("records each vend's outcome in the ledger and announces it on the bus and the notifications topic", () => {
    // Prepare
    const [, summarize] = functionsByName().get(functionName('summarize-vend'))!;
    const roleId = summarize.Properties.Role['Fn::GetAtt'][0];
    const logicalId = (type: string, name: RegExp) => resources(type).find(([id]) => name.test(id))![0];
    const table = logicalId('AWS::DynamoDB::Table', /^Ledger/);
    const bus = logicalId('AWS::Events::EventBus', /^IntakeBus/);
    const topic = logicalId('AWS::SNS::Topic', /^TopicsNotifications/);
    const key = logicalId('AWS::KMS::Key', /^TopicsKey/);
    const statements = resources('AWS::IAM::Policy')
      .filter(([, p]) => (p.Properties.Roles as Loose[]).some((r) => r.Ref === roleId))
      .flatMap(([, p]) => p.Properties.PolicyDocument.Statement as Loose[]);

    // Act
    const bySid = Object.fromEntries(statements.map((st) => [st.Sid, st]));

    // Assess
    expect(summarize.Properties.Environment.Variables).toMatchObject({
      APPVEND_LEDGER_TABLE: { Ref: table },
      APPVEND_EVENT_BUS_NAME: { Ref: bus },
      APPVEND_VEND_TOPIC_ARN: { Ref: topic },
    });
    expect(bySid.RecordOutcomeInLedger.Resource).toEqual({ 'Fn::Sub': `\${${table}.Arn}` });
    expect(bySid.AnnounceOutcomeOnBus).toMatchObject({
      Action: 'events:PutEvents',
      Resource: { 'Fn::Sub': `\${${bus}.Arn}` },
      Condition: {
        'ForAllValues:StringEquals': {
          'events:source': ['appvend'],
          'events:detail-type': [
            'Application Vended',
            'Application Vending Failed',
            'Application Drift Fixed',
          ],
        },
        Null: { 'events:source': 'false', 'events:detail-type': 'false' },
      },
    });
    expect(bySid.NotifyOutcome.Resource).toEqual({ 'Fn::Sub': `\${${topic}.TopicArn}` });
    expect(bySid.EncryptNotificationThroughSns).toMatchObject({
      Action: ['kms:GenerateDataKey', 'kms:Decrypt'],
      Resource: { 'Fn::Sub': `\${${key}.Arn}` },
      Condition: {
        StringEquals: {
          'kms:ViaService': {
            'Fn::Join': ['', ['sns.', { Ref: 'AWS::Region' }, '.', { Ref: 'AWS::URLSuffix' }]],
          },
        },
      },
    });
  });

  it('keeps undeliverable events in an encrypted dead-letter queue reachable over TLS only', () => {
    // Prepare
    const [[, policy]] = resources('AWS::SQS::QueuePolicy') as [[string, Loose]];

    // Act
    const statements = policy.Properties.PolicyDocument.Statement as Loose[];

    // Assess
    template.hasResourceProperties('AWS::SQS::Queue', { SqsManagedSseEnabled: true });
    expect(statements).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        expect.objectContaining({ Effect: 'Allow', Principal: { Service: 'events.amazonaws.com' } }),
      ]),
    );
  });

  it('registers the Application Requested schema: the request schema in the EventBridge envelope', () => {
    // Prepare
    const [[, schema]] = resources('AWS::EventSchemas::Schema') as [[string, Loose]];

    // Act
    const content = JSON.parse(schema.Properties.Content);

    // Assess
    const { $schema: _dialect, ...detail } = applicationRequestJsonSchema();
    expect(schema.Properties.Type).toBe('JSONSchemaDraft4');
    expect(content.$schema).toBe('http://json-schema.org/draft-04/schema#');
    expect(content.properties.source).toEqual({ type: 'string', enum: ['appvend'] });
    expect(content.properties['detail-type']).toEqual({ type: 'string', enum: ['Application Requested'] });
    expect(content.properties.detail).toEqual(detail);
  });

  it('names the front door function, the bus and the state machine in its outputs', () => {
    // Act
    const outputs = json.Outputs as Record<string, Loose>;

    // Assess
    expect(outputs.SubmitApplicationFunctionName.Value).toEqual({
      Ref: functionsByName().get(functionName('submit-application'))![0],
    });
    expect(Object.keys(outputs)).toEqual(
      expect.arrayContaining(['EventBusName', 'StateMachineArn', 'LedgerTableName', 'DeadLetterQueueUrl']),
    );
  });

  it('outputs every setting the CLI reads on --aws (cli/stack-outputs.ts), from what it deployed', () => {
    // Act
    const outputs = json.Outputs as Record<string, Loose>;

    // Assess: the CLI's defaults come from these, so they must be the stack's own names.
    expect(outputs.SecurityFindingsTopicArn.Value).toEqual({
      Ref: expect.stringMatching(/^TopicsSecurityFindings/),
    });
    expect(outputs.ConfigDeliveryBucketName.Value).toEqual({ Ref: 'ConfigDeliveryBucket' });
    expect(outputs.Organization.Value).toEqual({ Ref: 'OrganizationId' });
    // The role the stack makes (not the CLI's old guess, AWSCloudFormationStackSetAdministrationRole).
    expect(outputs.StackSetAdministrationRoleName.Value).toBe('appvend-stackset-administration');
    expect(outputs.MemberRoleName.Value).toBe('OrganizationAccountAccessRole');
    // One-account mode deploys self-managed stack sets unless told otherwise.
    expect(outputs.StackSetsMode.Value).toBe('SELF_MANAGED');
    const settingOutputs = Object.keys(OUTPUT_SETTINGS).filter((key) => key in outputs);
    // Optional settings left unset have no output (CloudFormation refuses an empty value).
    expect(settingOutputs.sort()).toEqual(
      [
        'ConfigDeliveryBucketName',
        'EventBusName',
        'LedgerTableName',
        'MemberRoleName',
        'NotificationTopicArn',
        'SecurityFindingsTopicArn',
        'StackSetAdministrationRoleName',
        'StackSetExecutionRoleName',
        'StackSetsMode',
      ].sort(),
    );
  });

  it('has a dashboard of vends, failures by step, the CreateAccount queue and drift, on the EMF metrics', () => {
    // Prepare: the body is a Fn::Join of JSON text and references (Region, ARNs): references become "REF".
    const [, dashboard] = resources('AWS::CloudWatch::Dashboard')[0]!;
    const parts = dashboard.Properties.DashboardBody['Fn::Join'][1] as unknown[];
    const body = JSON.parse(parts.map((part) => (typeof part === 'string' ? part : 'REF')).join('')) as {
      widgets: { type: string; properties: { title?: string; metrics?: unknown[][] } }[];
    };

    // Act
    const metricsOf = (title: string): unknown[][] =>
      body.widgets.find((w) => w.properties.title === title)?.properties.metrics ?? [];
    const names = (title: string) =>
      metricsOf(title)
        .filter((m) => m[0] === 'appvend')
        .map((m) => [m[1], m[2], m[3]]);

    // Assess
    expect(dashboard.Properties.DashboardName).toBe('appvend');
    expect(names('Vends per hour')).toEqual([
      ['VendSucceeded', 'service', 'appvend'],
      ['VendFailed', 'service', 'appvend'],
    ]);
    expect(metricsOf('Failed vends by step (per hour)')).toEqual([
      [{ expression: `SEARCH('{appvend,Step,service} MetricName="VendFailed"', 'Sum', 3600)`, period: 3600 }],
    ]);
    expect(names('CreateAccount queue').map(([name]) => name)).toEqual([
      'CreateAccountQueued',
      'CreateAccountQueueTime',
    ]);
    expect(names('Drift per day').map(([name]) => name)).toEqual([
      'DriftFound',
      'DriftFixed',
      'ReconcileErrors',
    ]);
    expect(names('Accounts per day').map(([name]) => name)).toEqual([
      'AccountsCreated',
      'AccountsAdopted',
      'AccountsClosed',
    ]);
    expect(names('Vend duration (seconds)').map(([name]) => name)).toEqual(['VendDuration', 'VendDuration']);
    // Every metric the functions publish is on it.
    const shown = new Set(body.widgets.flatMap((w) => (w.properties.metrics ?? []).map((m) => m[1])));
    for (const metric of Object.values(METRIC)) expect([metric, shown.has(metric)]).toEqual([metric, true]);
    expect(body.widgets.find((w) => w.type === 'alarm')).toBeDefined();
    expect((json.Outputs as Record<string, Loose>).DashboardName).toBeDefined();
  });

  it('keeps the ledger: one item per application name, encrypted, with point-in-time recovery, retained', () => {
    // Assess
    template.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Retain',
      Properties: Match.objectLike({
        TableName: 'appvend-ledger',
        KeySchema: [{ AttributeName: 'name', KeyType: 'HASH' }],
        BillingMode: 'PAY_PER_REQUEST',
        SSESpecification: { SSEEnabled: true },
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        DeletionProtectionEnabled: true,
      }),
    });
  });

  it('encrypts both topics with one rotating key; only compliance notifier roles of the organization publish findings', () => {
    // Prepare
    const [[keyId]] = resources('AWS::KMS::Key') as [[string, Loose]];
    const findingsPolicy = resources('AWS::SNS::TopicPolicy')
      .map(([, p]) => p.Properties)
      .find((p) => JSON.stringify(p.Topics).includes('SecurityFindings'));

    // Act
    const publish = (findingsPolicy.PolicyDocument.Statement as Loose[]).find((s) => s.Effect === 'Allow');

    // Assess
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    for (const name of ['appvend-notifications', 'appvend-security-findings']) {
      template.hasResourceProperties('AWS::SNS::Topic', {
        TopicName: name,
        KmsMasterKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] },
      });
    }
    expect(publish.Condition.StringEquals).toEqual({ 'aws:PrincipalOrgID': { Ref: 'OrganizationId' } });
    expect(JSON.stringify(publish.Condition.ArnLike)).toContain(':iam::*:role/appvend-*-compliance-notifier');
  });

  it('alarms on failed or timed-out vends and on undelivered requests, to the notifications topic', () => {
    // Prepare
    const alarms = resources('AWS::CloudWatch::Alarm').map(([, a]) => a.Properties);
    const topic = { Ref: Match.stringLikeRegexp('^TopicsNotifications') };

    // Act
    const metrics = alarms.map(
      (a) =>
        a.MetricName ??
        (a.Metrics as Loose[]).filter((m) => m.MetricStat).map((m) => m.MetricStat.Metric.MetricName),
    );

    // Assess
    expect(metrics).toEqual(
      expect.arrayContaining([
        ['ExecutionsFailed', 'ExecutionsTimedOut'],
        'ApproximateNumberOfMessagesVisible',
        'CreateAccountQueueTime',
        'DriftFound',
        'ReconcileErrors',
      ]),
    );
    for (const alarm of alarms) {
      expect(alarm).toMatchObject({ TreatMissingData: 'notBreaching' });
      // One failure, one event, one drifted application; an hour in the CreateAccount queue.
      expect(alarm.Threshold).toBe(
        alarm.MetricName === 'CreateAccountQueueTime' ? QUEUE_WAIT_ALARM_SECONDS : 1,
      );
      expect(alarm.AlarmActions).toEqual([expect.anything()]);
      expect(alarm.AlarmName).toMatch(/^appvend-/);
    }
    const emf = alarms.filter((a) => a.Namespace === 'appvend');
    expect(emf.map((a) => a.Dimensions)).toEqual(emf.map(() => [{ Name: 'service', Value: 'appvend' }]));
    template.resourcePropertiesCountIs('AWS::CloudWatch::Alarm', { AlarmActions: [topic] }, 5);
  });

  it('allows no "*" or "service:*" action in any IAM policy', () => {
    // Prepare
    const iam = Object.fromEntries(
      [
        ...Object.entries(json.Resources as Record<string, Loose>),
        ...Object.entries(managementJson.Resources as Record<string, Loose>),
      ].filter(([, r]) => r.Type.startsWith('AWS::IAM::')),
    );

    // Act
    const broad = policyStatements({ Resources: iam }).flatMap((found) =>
      overlyBroadActions(found).map((action) => `${found.where}: ${action}`),
    );

    // Assess
    expect(broad).toEqual([]);
  });

  it('passes cfn-lint with no error and no warning but W3005', () => {
    // Act
    const findings = cfnLint({ service: json, management: managementJson });

    // Assess
    expect(blockingFindings(findings)).toEqual([]);
  });

  it('acknowledges only findings cdk-nag really makes, each on its construct with a reason', () => {
    // Prepare
    const acknowledged = acknowledgementsOf(app);
    // Act
    const raw = rawFindingsOf(app);

    // Assess
    expect(acknowledged.length).toBeGreaterThan(0);
    expect(new Set(raw.map((f) => f.id.replace(/\[.*$/, '')))).toEqual(
      // APIG3, APIG6, COG4: the portal API (no WAF, no execution logging, IAM rather than Cognito).
      new Set([
        'AwsSolutions-IAM5',
        'AwsSolutions-SQS3',
        'AwsSolutions-APIG3',
        'AwsSolutions-APIG6',
        'AwsSolutions-COG4',
      ]),
    );
    for (const ack of acknowledged) {
      expect(ack.reason.length).toBeGreaterThan(40);
      expect({
        ack: `${ack.id} on ${ack.path}`,
        found: raw.some((f) => f.id === ack.id && (f.path === ack.path || f.path.startsWith(`${ack.path}/`))),
      }).toEqual({ ack: `${ack.id} on ${ack.path}`, found: true });
    }
  });
  describe('the Service Catalog door', () => {
    const productTemplate = (): Loose =>
      JSON.parse(
        readFileSync(
          join(
            outdir,
            readdirSync(outdir).find((f) => f.endsWith('.product.template.json'))!,
          ),
          'utf8',
        ),
      );

    it('offers the New application environment product in the appvend portfolio, launched with its launch role', () => {
      // Prepare
      const [[productId, product]] = resources('AWS::ServiceCatalog::CloudFormationProduct') as [
        [string, Loose],
      ];
      const [[portfolioId]] = resources('AWS::ServiceCatalog::Portfolio') as [[string, Loose]];
      const [[, constraint]] = resources('AWS::ServiceCatalog::LaunchRoleConstraint') as [[string, Loose]];

      // Act
      const role = json.Resources[constraint.Properties.RoleArn['Fn::GetAtt'][0]];
      const statements = role.Properties.Policies.flatMap(
        (p: Loose) => p.PolicyDocument.Statement,
      ) as Loose[];

      // Assess
      expect(product.Properties.Name).toBe('New application environment');
      expect(product.Properties.Description).toContain('Terminating it removes the product only');
      expect(constraint.Properties).toMatchObject({
        PortfolioId: { Ref: portfolioId },
        ProductId: { Ref: productId },
      });
      expect(role.Properties.AssumeRolePolicyDocument.Statement).toEqual([
        expect.objectContaining({ Principal: { Service: 'servicecatalog.amazonaws.com' } }),
      ]);
      expect(Object.fromEntries(statements.map((st) => [st.Sid, st.Resource]))).toEqual({
        ManageProvisionedProductStack: {
          'Fn::Sub': 'arn:${AWS::Partition}:cloudformation:${AWS::Region}:${AWS::AccountId}:stack/SC-*',
        },
        ReadTemplateSummary: '*',
        ReadProductTemplate: '*',
        InvokeApplicationEnvironmentProvider: {
          'Fn::Sub':
            'arn:${AWS::Partition}:lambda:${AWS::Region}:${AWS::AccountId}:function:appvend-service-catalog-product',
        },
      });
      expect(statements.find((st) => st.Sid === 'ReadProductTemplate')!.Condition).toEqual({
        StringEquals: { 's3:ExistingObjectTag/servicecatalog:provisioning': 'true' },
      });
    });

    it("ships a product template whose parameters mirror the request and whose outputs are the custom resource's ids", () => {
      // Act
      const product = productTemplate();
      const resource = product.Resources.ApplicationEnvironment;

      // Assess
      expect(Object.keys(product.Parameters)).toEqual([
        'AppName',
        'Owner',
        'AccountEmail',
        'Stages',
        'ConnectionArn',
        'Repository',
        'Branch',
        'Profile',
        'AllowedServices',
        'ApproversGroup',
        'ApproversPermissionSet',
        ...['Security', 'Operations', 'Billing'].flatMap((type) =>
          ['Name', 'Title', 'Email', 'Phone'].map((field) => `${type}Contact${field}`),
        ),
      ]);
      expect(product.Parameters.ApproversGroup.Default).toBe('');
      expect(product.Parameters.Stages.Type).toBe('CommaDelimitedList');
      expect(product.Parameters.AllowedServices.Type).toBe('CommaDelimitedList');
      expect(resource.Type).toBe('Custom::ApplicationEnvironment');
      expect(JSON.stringify(resource.Properties.ServiceToken)).toContain(
        ':function:appvend-service-catalog-product',
      );
      expect(resource.Properties.ServiceTimeout).toBe('3600');
      expect(Object.keys(product.Outputs).sort()).toEqual([
        'AccountIds',
        'OrganizationalUnitId',
        'RequestId',
        'ToolingAccountId',
      ]);
      expect(blockingFindings(cfnLint({ product }))).toEqual([]);
    });

    it('hands each vend outcome event to the function that answers the waiting product requests', () => {
      // Prepare
      const [outcomeId] = functionsByName().get(functionName('service-catalog-outcome'))!;

      // Act
      const [, rule] = resources('AWS::Events::Rule').find(
        ([, r]) => r.Properties.Name === 'appvend-service-catalog-outcome',
      )!;

      // Assess
      expect(rule.Properties.EventPattern).toEqual({
        source: ['appvend'],
        'detail-type': ['Application Vended', 'Application Vending Failed'],
      });
      expect(rule.Properties.Targets).toEqual([
        expect.objectContaining({
          Arn: { 'Fn::GetAtt': [outcomeId, 'Arn'] },
          RetryPolicy: { MaximumRetryAttempts: 8, MaximumEventAgeInSeconds: 7200 },
        }),
      ]);
    });
  });
});
