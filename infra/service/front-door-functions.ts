import { Duration } from 'aws-cdk-lib';
import type { IDestination } from 'aws-cdk-lib/aws-lambda';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import * as submitApplication from '../../services/submit-application/handler';
import { AppvendFunction } from './appvend-function';
import { frontDoorPermissions, type PermissionScope } from './step-permissions';

export interface FrontDoorFunctionsProps {
  projectRoot: string;
  logRetention: RetentionDays;
  permissions: PermissionScope;
  /** The ledger table every request is recorded in. */
  ledgerTableName: string;
  /** The vend state machine the front door starts (it does not depend on the front door). */
  stateMachineArn: string;
  /** Where an event the function could not process lands after Lambda's own retries. */
  deadLetterQueue: IQueue;
}

/**
 * The functions through which requests reach the workflow; not steps of the state machine. Today
 * `appvend-submit-application`, the target of the `Application Requested` rule: it records the
 * request in the ledger and starts the vend once (a repeated delivery is the same vend), with the
 * permissions of `frontDoorPermissions` only.
 */
export class FrontDoorFunctions extends Construct {
  public readonly submitApplication: AppvendFunction;

  public constructor(scope: Construct, id: string, props: FrontDoorFunctionsProps) {
    super(scope, id);
    this.submitApplication = new AppvendFunction(this, 'SubmitApplication', {
      step: 'submit-application',
      description: 'appvend: records an application request in the ledger and starts its vend once',
      environmentSchema: submitApplication.environment,
      environment: {
        APPVEND_LEDGER_TABLE: props.ledgerTableName,
        APPVEND_STATE_MACHINE_ARN: props.stateMachineArn,
      },
      permissions: frontDoorPermissions('submit-application', props.permissions),
      projectRoot: props.projectRoot,
      logRetention: props.logRetention,
    });

    // EventBridge invokes the function asynchronously: an event it failed on (the ledger or Step
    // Functions unavailable) is retried by Lambda, then parked beside the undelivered ones. The
    // right to send it there is in the function's permissions (`ParkUnprocessedRequest`).
    const parkInDeadLetterQueue: IDestination = {
      bind: () => ({ destination: props.deadLetterQueue.queueArn }),
    };
    this.submitApplication.function.configureAsyncInvoke({
      onFailure: parkInDeadLetterQueue,
      retryAttempts: 2,
      maxEventAge: Duration.hours(6),
    });
  }
}
