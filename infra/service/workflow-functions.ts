import { Duration } from 'aws-cdk-lib';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import * as checkAccountCreation from '../../services/check-account-creation/handler';
import * as checkGuardrails from '../../services/check-guardrails/handler';
import * as checkStackSetOperation from '../../services/check-stack-set-operation/handler';
import * as deployStackSet from '../../services/deploy-stack-set/handler';
import * as ensureOrganizationalUnit from '../../services/ensure-organizational-unit/handler';
import * as ensureServiceControlPolicy from '../../services/ensure-service-control-policy/handler';
import * as moveAccount from '../../services/move-account/handler';
import * as registerGuardrails from '../../services/register-guardrails/handler';
import * as grantAccess from '../../services/grant-access/handler';
import * as releaseQuarantine from '../../services/release-quarantine/handler';
import * as startAccountCreation from '../../services/start-account-creation/handler';
import * as summarizeVend from '../../services/summarize-vend/handler';
import * as validateRequest from '../../services/validate-request/handler';
import { STEP_FUNCTIONS, type StepFunctionName } from '../workflow/step-functions';
import { AppvendFunction, type AppvendFunctionProps } from './appvend-function';
import type { EnvironmentShape } from './function-environment';
import { stepPermissions, type PermissionScope } from './step-permissions';
import { BUNDLED_TEMPLATES_DIR } from './vended-templates-bundle';

export interface WorkflowFunctionsProps {
  projectRoot: string;
  /** Directory of the synthesized vended templates, bundled into the function that deploys them. */
  templatesDir: string;
  logRetention: RetentionDays;
  permissions: PermissionScope;
  /** Values for the functions' environments; each function takes what its schema declares. */
  environment: {
    parentOuId?: string;
    /** The Identity Center instance (`APPVEND_IDENTITY_CENTER_INSTANCE_ARN`); the only one visible when unset. */
    identityCenterInstanceArn?: string;
    scpSizeQuota?: number;
    scpAttachmentQuota?: number;
    memberRoleName: string;
    managementAccountId: string;
    /** `APPVEND_STACKSETS_MODE` (service-settings.ts). */
    stackSetsMode: 'SELF_MANAGED' | 'SERVICE_MANAGED';
    stackSetAdministrationRoleName: string;
    stackSetExecutionRoleName: string;
    securityTopicArn: string;
    configDeliveryBucket: string;
    /** The ledger table, where the summary records each vend's outcome. */
    ledgerTableName: string;
    /** The bus that carries `Application Vended` and `Application Vending Failed`. */
    eventBusName: string;
    /** The topic people hear of vend outcomes on (`appvend-notifications`). */
    notificationsTopicArn: string;
  };
}

/** Only the keys with a value: an unset optional setting leaves the handler's default in force. */
const defined = <T extends Record<string, string | undefined>>(record: T) =>
  Object.fromEntries(Object.entries(record).filter(([, v]) => v !== undefined)) as {
    [K in keyof T]: string;
  };

/**
 * The functions of the vend workflow, one per `services/<step>/handler.ts`, named as
 * `infra/workflow/step-functions.ts` says (`appvend-<step>`), each with its handler's environment
 * schema and its step's permissions only.
 */
export class WorkflowFunctions extends Construct {
  public readonly functions: Record<StepFunctionName, AppvendFunction>;

  public constructor(scope: Construct, id: string, props: WorkflowFunctionsProps) {
    super(scope, id);
    const env = props.environment;
    const make = <S extends EnvironmentShape>(
      constructId: string,
      fn: Omit<AppvendFunctionProps<S>, 'step' | 'projectRoot' | 'logRetention' | 'permissions'> & {
        step: StepFunctionName;
      },
    ) =>
      new AppvendFunction<S>(this, constructId, {
        ...fn,
        projectRoot: props.projectRoot,
        logRetention: props.logRetention,
        permissions: stepPermissions(fn.step, props.permissions),
      });

    const functions: Record<StepFunctionName, AppvendFunction> = {
      'validate-request': make('ValidateRequest', {
        step: 'validate-request',
        description: 'appvend: validates an application request and lists the accounts it needs',
        environmentSchema: validateRequest.environment,
        environment: defined({ APPVEND_IDENTITY_CENTER_INSTANCE_ARN: env.identityCenterInstanceArn }),
      }),
      'ensure-organizational-unit': make('EnsureOrganizationalUnit', {
        step: 'ensure-organizational-unit',
        description: "appvend: finds or creates the application's OU under the parent",
        environmentSchema: ensureOrganizationalUnit.environment,
        environment: defined({ APPVEND_PARENT_OU_ID: env.parentOuId }),
      }),
      'ensure-service-control-policy': make('EnsureServiceControlPolicy', {
        step: 'ensure-service-control-policy',
        description: "appvend: creates or updates the application's SCP and attaches it to its OU",
        environmentSchema: ensureServiceControlPolicy.environment,
        environment: {
          ...defined({
            APPVEND_SCP_SIZE_QUOTA: env.scpSizeQuota?.toString(),
            APPVEND_SCP_ATTACHMENT_QUOTA: env.scpAttachmentQuota?.toString(),
          }),
          // The SCP exempts, and protects, the roles appvend works through as configured.
          APPVEND_MEMBER_ROLE: env.memberRoleName,
          APPVEND_STACKSET_EXECUTION_ROLE_NAME: env.stackSetExecutionRoleName,
          APPVEND_STACKSETS_MODE: env.stackSetsMode,
        },
      }),
      'start-account-creation': make('StartAccountCreation', {
        step: 'start-account-creation',
        description:
          "appvend: finds an account by email or starts (once) its CreateAccount request, or puts it in appvend's line",
        environmentSchema: startAccountCreation.environment,
        environment: { APPVEND_MEMBER_ROLE: env.memberRoleName, APPVEND_LEDGER_TABLE: env.ledgerTableName },
      }),
      'check-account-creation': make('CheckAccountCreation', {
        step: 'check-account-creation',
        description: 'appvend: looks once at a CreateAccount request; one that ended frees its slot',
        environmentSchema: checkAccountCreation.environment,
        environment: { APPVEND_LEDGER_TABLE: env.ledgerTableName },
      }),
      'move-account': make('MoveAccount', {
        step: 'move-account',
        description:
          "appvend: quarantines a new account, moves it into the application's OU, checks it answers through its role",
        environmentSchema: moveAccount.environment,
        environment: {
          APPVEND_MEMBER_ROLE: env.memberRoleName,
          APPVEND_STACKSET_EXECUTION_ROLE_NAME: env.stackSetExecutionRoleName,
          // Service-managed: the SCPs exempt StackSets' own stacksets-exec-* roles instead.
          APPVEND_STACKSETS_MODE: env.stackSetsMode,
        },
      }),
      'deploy-stack-set': make('DeployStackSet', {
        step: 'deploy-stack-set',
        description: 'appvend: moves one stack set a step towards its template, parameters and instances',
        environmentSchema: deployStackSet.environment,
        environment: {
          APPVEND_MANAGEMENT_ACCOUNT_ID: env.managementAccountId,
          APPVEND_STACKSETS_MODE: env.stackSetsMode,
          APPVEND_STACKSET_ADMIN_ROLE_NAME: env.stackSetAdministrationRoleName,
          APPVEND_STACKSET_EXECUTION_ROLE_NAME: env.stackSetExecutionRoleName,
          APPVEND_NOTIFICATION_TOPIC_ARN: env.securityTopicArn,
        },
        timeout: Duration.minutes(1),
        bundledDirectories: [{ from: props.templatesDir, to: BUNDLED_TEMPLATES_DIR }],
      }),
      'check-stack-set-operation': make('CheckStackSetOperation', {
        step: 'check-stack-set-operation',
        description: 'appvend: looks once at a stack set operation',
        environmentSchema: checkStackSetOperation.environment,
        environment: {},
      }),
      'register-guardrails': make('RegisterGuardrails', {
        step: 'register-guardrails',
        description:
          'appvend: Config recorder (when missing) and conformance pack in each application account',
        environmentSchema: registerGuardrails.environment,
        environment: {
          APPVEND_CONFIG_BUCKET: env.configDeliveryBucket,
          APPVEND_MEMBER_ROLE: env.memberRoleName,
        },
        timeout: Duration.minutes(2),
      }),
      'check-guardrails': make('CheckGuardrails', {
        step: 'check-guardrails',
        description:
          "appvend: looks once at each application account's conformance pack deployment and Config recorder",
        environmentSchema: checkGuardrails.environment,
        environment: { APPVEND_MEMBER_ROLE: env.memberRoleName },
      }),
      'grant-access': make('GrantAccess', {
        step: 'grant-access',
        description:
          "appvend: gives the request's Identity Center groups their permission sets in its accounts and puts the alternate contacts",
        environmentSchema: grantAccess.environment,
        environment: defined({
          APPVEND_IDENTITY_CENTER_INSTANCE_ARN: env.identityCenterInstanceArn,
          APPVEND_LEDGER_TABLE: env.ledgerTableName,
        }),
      }),
      'release-quarantine': make('ReleaseQuarantine', {
        step: 'release-quarantine',
        description:
          "appvend: takes the quarantine SCP off the application's accounts once their baseline is in place",
        environmentSchema: releaseQuarantine.environment,
        environment: {},
      }),
      'summarize-vend': make('SummarizeVend', {
        step: 'summarize-vend',
        description:
          'appvend: the summary of a vend, successful or not, recorded in the ledger and announced',
        environmentSchema: summarizeVend.environment,
        environment: {
          APPVEND_LEDGER_TABLE: env.ledgerTableName,
          APPVEND_EVENT_BUS_NAME: env.eventBusName,
          APPVEND_VEND_TOPIC_ARN: env.notificationsTopicArn,
        },
      }),
    };
    for (const step of STEP_FUNCTIONS) {
      if (!functions[step]) throw new Error(`No function for step ${step}`);
    }
    this.functions = functions;
  }

  /** The functions as the state machine takes them. */
  public lambdaFunctions(): Record<StepFunctionName, IFunction> {
    const entries = STEP_FUNCTIONS.map((step): [StepFunctionName, IFunction] => [
      step,
      this.functions[step].function,
    ]);
    return Object.fromEntries(entries) as Record<StepFunctionName, IFunction>;
  }
}
