import { Duration } from 'aws-cdk-lib';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import * as reconcileDrift from '../../services/reconcile-drift/handler';
import { AppvendFunction } from './appvend-function';
import { planFunctionSettings, type PlanProps } from './plan-settings';
import { frontDoorPermissions, type PermissionScope } from './step-permissions';

export interface DriftReconcilerProps {
  projectRoot: string;
  logRetention: RetentionDays;
  permissions: PermissionScope;
  ledgerTableName: string;
  stateMachineArn: string;
  eventBusName: string;
  /** An EventBridge schedule expression, e.g. `rate(1 day)` or `cron(0 6 * * ? *)`. */
  schedule: string;
  /** Fix drift (start the vend again), or only report it. */
  apply: boolean;
  /** The settings a plan compares with: those the vend's steps use. */
  plan: PlanProps;
}

/**
 * The scheduled reconcile: `appvend-reconcile-drift` runs on `schedule`, compares every vended
 * application with its request, announces drift on the bus and, when `apply` is set, starts the
 * vend again to fix it. Its permissions are `frontDoorPermissions('reconcile-drift')`: reads, the
 * ledger, StartExecution, drift events only, and invoking itself (a run goes on in a new invocation
 * when one has not the time for the whole ledger).
 */
export class DriftReconciler extends Construct {
  public readonly handler: AppvendFunction;
  public readonly rule: Rule;

  public constructor(scope: Construct, id: string, props: DriftReconcilerProps) {
    super(scope, id);
    const planning = planFunctionSettings(props.plan);
    this.handler = new AppvendFunction(this, 'Handler', {
      step: 'reconcile-drift',
      description: 'appvend: compares vended applications with their requests, reports drift and may fix it',
      environmentSchema: reconcileDrift.environment,
      environment: {
        APPVEND_LEDGER_TABLE: props.ledgerTableName,
        APPVEND_STATE_MACHINE_ARN: props.stateMachineArn,
        APPVEND_EVENT_BUS_NAME: props.eventBusName,
        APPVEND_RECONCILE_APPLY: props.apply ? 'true' : 'false',
        // The plan's settings carry the member role (APPVEND_MEMBER_ROLE), which reconcile assumes too.
        ...planning.environment,
      },
      permissions: frontDoorPermissions('reconcile-drift', props.permissions),
      projectRoot: props.projectRoot,
      logRetention: props.logRetention,
      // Pages of applications are planned in turn, each plan a few dozen reads; with less than
      // RECONCILE_RESERVE_MS left, the invocation hands the rest of the ledger to a new one.
      timeout: Duration.minutes(5),
      bundledDirectories: planning.bundledDirectories,
    });
    this.rule = new Rule(this, 'Schedule', {
      description: 'appvend: reconcile vended applications with their requests',
      schedule: Schedule.expression(props.schedule),
      targets: [new LambdaFunction(this.handler.function, { retryAttempts: 0 })],
    });
  }
}
