import { Duration } from 'aws-cdk-lib';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { StateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import * as closeAccounts from '../../services/close-accounts/handler';
import * as prepareOffboarding from '../../services/prepare-offboarding/handler';
import * as removeAccess from '../../services/remove-access/handler';
import * as removeGuardrails from '../../services/remove-guardrails/handler';
import * as removeOrganizationalUnit from '../../services/remove-organizational-unit/handler';
import * as removeServiceControlPolicy from '../../services/remove-service-control-policy/handler';
import * as removeStackSet from '../../services/remove-stack-set/handler';
import * as summarizeOffboarding from '../../services/summarize-offboarding/handler';
import * as suspendAccounts from '../../services/suspend-accounts/handler';
import { OffboardWorkflow } from '../workflow/offboard-state-machine';
import { OFFBOARD_FUNCTIONS, type OffboardFunctionName } from '../workflow/step-functions';
import { AppvendFunction, type AppvendFunctionProps } from './appvend-function';
import type { EnvironmentShape } from './function-environment';
import { offboardPermissions } from './offboard-permissions';
import type { PermissionScope } from './step-permissions';
import { tracedStateMachine } from './traced-state-machine';

/** The deployed offboarding state machine's name: deterministic, like the vend's. */
export const OFFBOARD_STATE_MACHINE_NAME = 'appvend-offboard';

export interface OffboardServiceProps {
  projectRoot: string;
  logRetention: RetentionDays;
  permissions: PermissionScope;
  /** The vend's `appvend-check-stack-set-operation`, which follows the offboarding's operations too. */
  checkStackSetOperation: IFunction;
  environment: {
    ledgerTableName: string;
    /** The management account: service-managed stack sets are removed as SELF there, DELEGATED_ADMIN elsewhere. */
    managementAccountId: string;
    /** `APPVEND_STACKSETS_MODE`, as the vend deployed them. */
    stackSetsMode: 'SELF_MANAGED' | 'SERVICE_MANAGED';
    /** `APPVEND_SUSPENDED_OU_ID`; unset, every offboarding stops at its first step and says so. */
    suspendedOuId?: string;
    /** `APPVEND_CLOSURE_SHARE`; AWS's 10 % when unset. */
    closureShare?: number;
  };
}

/**
 * The offboarding workflow in the service: its seven functions (`services/<step>/handler.ts`,
 * each with its handler's environment schema and `offboardPermissions` only) and the
 * `appvend-offboard` state machine (`infra/workflow/offboard-state-machine.ts`, the definition the
 * CLI runs locally), logged and traced like the vend's.
 */
export class OffboardService extends Construct {
  public readonly functions: Record<OffboardFunctionName, AppvendFunction>;
  public readonly stateMachine: StateMachine;
  public readonly logGroup: LogGroup;

  public constructor(scope: Construct, id: string, props: OffboardServiceProps) {
    super(scope, id);
    const env = props.environment;
    const make = <S extends EnvironmentShape>(
      constructId: string,
      fn: Omit<AppvendFunctionProps<S>, 'step' | 'projectRoot' | 'logRetention' | 'permissions'> & {
        step: OffboardFunctionName;
      },
    ) =>
      new AppvendFunction<S>(this, constructId, {
        ...fn,
        projectRoot: props.projectRoot,
        logRetention: props.logRetention,
        permissions: offboardPermissions(fn.step, props.permissions),
      });
    const ledger = { APPVEND_LEDGER_TABLE: env.ledgerTableName };

    this.functions = {
      'prepare-offboarding': make('PrepareOffboarding', {
        step: 'prepare-offboarding',
        description:
          'appvend: what an offboarding removes (from the ledger) and whether the suspended OU exists',
        environmentSchema: prepareOffboarding.environment,
        environment: {
          ...ledger,
          ...(env.suspendedOuId !== undefined && { APPVEND_SUSPENDED_OU_ID: env.suspendedOuId }),
        },
      }),
      'remove-guardrails': make('RemoveGuardrails', {
        step: 'remove-guardrails',
        description:
          "appvend: deletes the application's conformance packs, and the Config recorders the vend created",
        environmentSchema: removeGuardrails.environment,
        environment: {},
      }),
      'remove-stack-set': make('RemoveStackSet', {
        step: 'remove-stack-set',
        description:
          "appvend: deletes one Region's instances of an application stack set, then the stack set",
        environmentSchema: removeStackSet.environment,
        environment: {
          APPVEND_MANAGEMENT_ACCOUNT_ID: env.managementAccountId,
          APPVEND_STACKSETS_MODE: env.stackSetsMode,
        },
      }),
      'remove-service-control-policy': make('RemoveServiceControlPolicy', {
        step: 'remove-service-control-policy',
        description: "appvend: detaches and deletes the application's SCP",
        environmentSchema: removeServiceControlPolicy.environment,
        environment: {},
      }),
      'remove-access': make('RemoveAccess', {
        step: 'remove-access',
        description: 'appvend: removes the Identity Center account assignments the vend made',
        environmentSchema: removeAccess.environment,
        environment: {},
      }),
      'suspend-accounts': make('SuspendAccounts', {
        step: 'suspend-accounts',
        description: "appvend: moves the application's accounts to the suspended OU",
        environmentSchema: suspendAccounts.environment,
        environment: {},
      }),
      'remove-organizational-unit': make('RemoveOrganizationalUnit', {
        step: 'remove-organizational-unit',
        description: "appvend: deletes the application's OU once empty",
        environmentSchema: removeOrganizationalUnit.environment,
        environment: {},
      }),
      'close-accounts': make('CloseAccounts', {
        step: 'close-accounts',
        description: "appvend: closes the application's accounts, within the closure quota",
        environmentSchema: closeAccounts.environment,
        environment: {
          ...ledger,
          ...(env.closureShare !== undefined && { APPVEND_CLOSURE_SHARE: env.closureShare.toString() }),
        },
      }),
      'summarize-offboarding': make('SummarizeOffboarding', {
        step: 'summarize-offboarding',
        description: 'appvend: the summary of an offboarding, recorded in the ledger',
        environmentSchema: summarizeOffboarding.environment,
        environment: ledger,
      }),
    };

    const lambdas = {
      ...Object.fromEntries(OFFBOARD_FUNCTIONS.map((fn) => [fn, this.functions[fn].function])),
      'check-stack-set-operation': props.checkStackSetOperation,
    } as Record<OffboardFunctionName | 'check-stack-set-operation', IFunction>;
    const workflow = new OffboardWorkflow(this, lambdas);
    ({ stateMachine: this.stateMachine, logGroup: this.logGroup } = tracedStateMachine(this, {
      name: OFFBOARD_STATE_MACHINE_NAME,
      definitionBody: workflow.definitionBody(),
      timeout: Duration.hours(6),
      logRetention: props.logRetention,
      functions: Object.values(lambdas),
      reasons: {
        loggingAndTracing:
          'Added by CDK for logging and tracing: CloudWatch Logs log-delivery actions and X-Ray trace actions support no resource-level permissions.',
        invokeFunctions:
          'Added by CDK for each Lambda task: lambda:InvokeFunction on the function and its versions/aliases (<arn>:*), only the offboarding functions.',
      },
    }));
  }
}
