import { join } from 'node:path';
import { Duration, Fn, RemovalPolicy, Validations } from 'aws-cdk-lib';
import { Effect, PolicyStatement, Role, ServicePrincipal, type IRole } from 'aws-cdk-lib/aws-iam';
import {
  ApplicationLogLevel,
  Architecture,
  LoggingFormat,
  Runtime,
  SystemLogLevel,
  Tracing,
} from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import {
  functionName,
  type OffboardFunctionName,
  type ServiceFunctionName,
} from '../workflow/step-functions';
import { wildcardResourceFinding } from '../templates/support';
import { bundledHandlerCode, type BundledDirectory } from './esbuild-bundling';
import { environmentProblems, type EnvironmentFor, type EnvironmentShape } from './function-environment';
import { FUNCTION_ROLE_ENV } from '../../shared/domain/management-access';
import { MANAGEMENT_ROLE_ENV, managementAccessOf, splitPermissions } from './management-access';
import { MEMBER_ACCESS_SID, type StepPermission } from './step-permissions';
import {
  MEMBER_ACCESS_ROLE_ENV,
  MEMBER_ACCESS_ROLE_NAME,
  MEMBER_ACCESS_STEPS,
} from '../../shared/domain/member-access';

/** The newest Node.js runtime Lambda offers (cdk-nag AwsSolutions-L1 asks for the latest). */
export const FUNCTION_RUNTIME = Runtime.NODEJS_24_X;

export type { BundledDirectory } from './esbuild-bundling';

export interface AppvendFunctionProps<S extends EnvironmentShape> {
  /**
   * The step (or front door) this function runs: `services/<step>/handler.ts`, deployed as
   * `appvend-<step>`.
   */
  step: ServiceFunctionName | OffboardFunctionName;
  /** What the function does, for the console. */
  description: string;
  /** The handler module's exported `environment` schema. */
  environmentSchema: S;
  /** The function's environment, typed and checked (at synth) by `environmentSchema`. */
  environment: EnvironmentFor<S>;
  /** The repository root (where `package-lock.json` and `services/` are). */
  projectRoot: string;
  logRetention: RetentionDays;
  /** @default 30 seconds */
  timeout?: Duration;
  /** @default 256 */
  memorySize?: number;
  /** Directories shipped inside the bundle (the vended templates for the stack set steps). */
  bundledDirectories?: BundledDirectory[];
  /** The AWS calls the handler makes, and nothing else (`step-permissions.ts`). */
  permissions: readonly StepPermission[];
}

/** Why X-Ray's actions are granted on `*`: shared by every function, since all are traced. */
const XRAY_WILDCARD_REASON =
  'Active tracing (added by CDK): xray:PutTraceSegments and xray:PutTelemetryRecords support no resource-level permissions.';

/**
 * One vend step as a Lambda function, configured the same way for every step: Node.js on arm64,
 * bundled locally by esbuild with source maps, Powertools JSON logs into its own log group (with
 * retention), active tracing, and a role of its own with the right to write to that log group and
 * the step's own AWS permissions. Each permission on a wildcard carries its reason, which becomes
 * the cdk-nag acknowledgement on this role.
 *
 * The environment is typed by the handler's own schema, and checked against it when the app is
 * synthesized: a missing or malformed variable fails `cdk synth` and names the function.
 *
 * @example
 * const fn = new AppvendFunction(this, 'RegisterGuardrails', {
 *   step: 'register-guardrails',
 *   description: 'Config recorder and conformance pack in each application account',
 *   environmentSchema: registerGuardrails.environment,
 *   environment: { APPVEND_CONFIG_BUCKET: bucket.valueAsString },
 *   permissions: stepPermissions('register-guardrails', scope),
 *   projectRoot,
 *   logRetention: RetentionDays.THREE_MONTHS,
 * });
 */
export class AppvendFunction<S extends EnvironmentShape = EnvironmentShape> extends Construct {
  public readonly function: NodejsFunction;
  public readonly role: Role;
  public readonly logGroup: LogGroup;
  public readonly functionName: string;

  public constructor(scope: Construct, id: string, props: AppvendFunctionProps<S>) {
    super(scope, id);
    this.functionName = functionName(props.step);
    const environment = props.environment as Record<string, string>;

    this.logGroup = new LogGroup(this, 'Logs', {
      logGroupName: `/aws/lambda/${this.functionName}`,
      retention: props.logRetention,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.role = new Role(this, 'Role', {
      // Named: the management account's roles trust exactly these role ARNs (aws:PrincipalArn).
      roleName: this.functionName,
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `Runs ${this.functionName}: its log group, its traces and the calls of its handler only.`,
    });
    this.role.addToPolicy(
      new PolicyStatement({
        sid: 'WriteOwnLogs',
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [this.logGroup.logGroupArn],
      }),
    );

    // Calls AWS allows only from the management account go through a role there (management-access.ts):
    // this role may assume that role only, and the role carries the statements instead.
    const access = managementAccessOf(this);
    const { service, management } = access
      ? splitPermissions(props.permissions)
      : { service: [...props.permissions], management: [] };
    const managementRole = access?.register(this.functionName, management);
    const managementRoleArn = managementRole === undefined ? undefined : access!.roleArn(managementRole);
    if (managementRoleArn !== undefined) {
      this.role.addToPolicy(
        new PolicyStatement({
          sid: 'AssumeManagementRole',
          actions: ['sts:AssumeRole'],
          resources: [managementRoleArn],
        }),
      );
    }

    this.function = new NodejsFunction(this, 'Function', {
      functionName: this.functionName,
      description: props.description,
      // Bundled in this process (esbuild-bundling.ts), rather than by an esbuild process per function.
      code: bundledHandlerCode({
        entry: join(props.projectRoot, 'services', props.step, 'handler.ts'),
        projectRoot: props.projectRoot,
        runtime: FUNCTION_RUNTIME,
        bundledDirectories: props.bundledDirectories ?? [],
      }),
      handler: 'index.handler',
      runtime: FUNCTION_RUNTIME,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize ?? 256,
      timeout: props.timeout ?? Duration.seconds(30),
      role: this.role,
      logGroup: this.logGroup,
      loggingFormat: LoggingFormat.JSON,
      applicationLogLevelV2: ApplicationLogLevel.INFO,
      systemLogLevelV2: SystemLogLevel.WARN,
      tracing: Tracing.ACTIVE,
      environment: {
        ...environment,
        POWERTOOLS_SERVICE_NAME: 'appvend',
        POWERTOOLS_LOG_LEVEL: 'INFO',
        NODE_OPTIONS: '--enable-source-maps',
        // Read by the client factory (shared/aws/client-factory.ts), not by the handler's schema: who
        // the function runs as (no STS call at a cold start), and the management role it acts through.
        [FUNCTION_ROLE_ENV]: this.role.roleArn,
        ...(managementRoleArn !== undefined && { [MANAGEMENT_ROLE_ENV]: managementRoleArn }),
        ...(memberAccessEnvironment(props.step, props.permissions) ?? {}),
      },
    });

    // Checked at synth, on the environment as finally given: the error names the function.
    this.node.addValidation({
      validate: () =>
        environmentProblems(props.environmentSchema, environment).map(
          (problem) => `${this.functionName} (services/${props.step}/handler.ts): ${problem}`,
        ),
    });
    grantPermissions(this.role, this.functionName, service, [XRAY_WILDCARD_REASON]);
  }
}

/**
 * Adds each permission to the role and acknowledges its wildcards with the reason it gives (the
 * cdk-nag acknowledgement on the role); `starReasons` are reasons for `*` resources added by others.
 */
export function grantPermissions(
  role: IRole,
  owner: string,
  permissions: readonly StepPermission[],
  starReasons: string[] = [],
): void {
  const reasons = new Map<string, string[]>(
    starReasons.length > 0 ? [['AwsSolutions-IAM5[Resource::*]', starReasons]] : [],
  );
  for (const permission of permissions) {
    role.addToPrincipalPolicy(
      new PolicyStatement({
        sid: permission.sid,
        effect: Effect.ALLOW,
        actions: [...permission.actions],
        resources: permission.resources.map((body) => (body === '*' ? '*' : Fn.sub(body))),
        ...(permission.conditions ? { conditions: permission.conditions } : {}),
      }),
    );
    for (const body of permission.resources.filter((r) => r.includes('*'))) {
      if (!permission.wildcardReason) {
        throw new Error(`${owner}: permission ${permission.sid} is on ${body} and gives no reason`);
      }
      const id = body === '*' ? 'AwsSolutions-IAM5[Resource::*]' : wildcardResourceFinding(body);
      reasons.set(id, [...(reasons.get(id) ?? []), permission.wildcardReason]);
    }
  }
  for (const [id, list] of reasons) {
    Validations.of(role).acknowledge({ id, reason: [...new Set(list)].join(' ') });
  }
}

/**
 * The member access role's variable for a function that may assume it (shared/aws/client-factory.ts
 * then enters accounts through it after their baseline), or undefined. Only the steps the role's
 * trust names may hold the permission: any other would be refused by the role at run time, so it
 * fails the synth instead.
 */
export function memberAccessEnvironment(
  step: string,
  permissions: readonly StepPermission[],
): Record<string, string> | undefined {
  if (!permissions.some((p) => p.sid === MEMBER_ACCESS_SID)) return undefined;
  if (!(MEMBER_ACCESS_STEPS as readonly string[]).includes(step)) {
    throw new Error(
      `${step} may assume ${MEMBER_ACCESS_ROLE_NAME}, whose trust names only ${MEMBER_ACCESS_STEPS.join(', ')}: add it to MEMBER_ACCESS_STEPS (shared/domain/member-access.ts)`,
    );
  }
  return { [MEMBER_ACCESS_ROLE_ENV]: MEMBER_ACCESS_ROLE_NAME };
}
