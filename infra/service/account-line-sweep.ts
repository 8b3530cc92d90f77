import { Duration } from 'aws-cdk-lib';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import * as releaseAccountSlots from '../../services/release-account-slots/handler';
import { ACCOUNT_SWEEP_SECONDS } from '../../shared/domain/polling';
import { AppvendFunction } from './appvend-function';
import { frontDoorPermissions, type PermissionScope } from './step-permissions';

export interface AccountLineSweepProps {
  projectRoot: string;
  logRetention: RetentionDays;
  permissions: PermissionScope;
  ledgerTableName: string;
}

/**
 * The CreateAccount line's sweep (README "The CreateAccount line"): `appvend-release-account-slots`
 * every {@link ACCOUNT_SWEEP_SECONDS}, which hands slots freed by any request's end (other tools'
 * included) to the first in line and sends heartbeats to the waiting tokens.
 */
export class AccountLineSweep extends Construct {
  public readonly handler: AppvendFunction;

  public constructor(scope: Construct, id: string, props: AccountLineSweepProps) {
    super(scope, id);
    this.handler = new AppvendFunction(this, 'Handler', {
      step: 'release-account-slots',
      description: "appvend: hands free CreateAccount slots to appvend's line and keeps its tokens alive",
      environmentSchema: releaseAccountSlots.environment,
      environment: { APPVEND_LEDGER_TABLE: props.ledgerTableName },
      permissions: frontDoorPermissions('release-account-slots', props.permissions),
      projectRoot: props.projectRoot,
      logRetention: props.logRetention,
    });
    new Rule(this, 'Schedule', {
      description: 'appvend: sweep of the CreateAccount line',
      schedule: Schedule.rate(Duration.seconds(ACCOUNT_SWEEP_SECONDS)),
      targets: [new LambdaFunction(this.handler.function, { retryAttempts: 0 })],
    });
  }
}
