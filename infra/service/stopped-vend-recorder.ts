import { Rule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import * as recordStoppedVend from '../../services/record-stopped-vend/handler';
import { AppvendFunction } from './appvend-function';
import { frontDoorPermissions, type PermissionScope } from './step-permissions';

export interface StoppedVendRecorderProps {
  projectRoot: string;
  logRetention: RetentionDays;
  permissions: PermissionScope;
  ledgerTableName: string;
  stateMachine: IStateMachine;
}

/**
 * Step Functions' `Execution Status Change` events of the vend state machine (FAILED, TIMED_OUT,
 * ABORTED) go to `appvend-record-stopped-vend`, which records the vend as FAILED in the ledger when
 * the workflow could not do it itself: no application is left IN_PROGRESS for ever.
 */
export class StoppedVendRecorder extends Construct {
  public readonly handler: AppvendFunction;
  public readonly rule: Rule;

  public constructor(scope: Construct, id: string, props: StoppedVendRecorderProps) {
    super(scope, id);
    this.handler = new AppvendFunction(this, 'Handler', {
      step: 'record-stopped-vend',
      description:
        'appvend: records in the ledger a vend whose execution stopped without recording its outcome',
      environmentSchema: recordStoppedVend.environment,
      environment: { APPVEND_LEDGER_TABLE: props.ledgerTableName },
      permissions: frontDoorPermissions('record-stopped-vend', props.permissions),
      projectRoot: props.projectRoot,
      logRetention: props.logRetention,
    });
    this.rule = new Rule(this, 'VendStopped', {
      description: 'appvend: a vend execution failed, timed out or was aborted',
      eventPattern: {
        source: ['aws.states'],
        detailType: ['Step Functions Execution Status Change'],
        detail: {
          stateMachineArn: [props.stateMachine.stateMachineArn],
          status: ['FAILED', 'TIMED_OUT', 'ABORTED'],
        },
      },
      targets: [new LambdaFunction(this.handler.function, { retryAttempts: 2 })],
    });
  }
}
