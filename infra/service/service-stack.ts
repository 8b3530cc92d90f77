import { Aws, CfnOutput, CfnParameter, Stack, type StackProps } from 'aws-cdk-lib';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { ApplicationRequestedIntake } from './application-requested-intake';
import { LedgerTable } from './ledger-table';
import { NotificationTopics } from './notification-topics';
import { ServiceAlarms } from './service-alarms';
import type { ServiceSettings } from './service-settings';
import { StackSetAdministrationRole } from './stack-set-administration-role';
import { VendStateMachine } from './state-machine';
import { WorkflowFunctions } from './workflow-functions';

export interface AppvendServiceStackProps extends StackProps {
  settings: ServiceSettings;
  /** The repository root: where `services/` and `package-lock.json` are. */
  projectRoot: string;
  /** The synthesized vended templates (`<key>.json`), bundled into the stack set function. */
  templatesDir: string;
}

/**
 * The appvend service, for the organization's management account: the workflow's functions and
 * state machine, the EventBridge door, the ledger table, the topics and the alarms.
 *
 * Deployment parameters: `OrganizationId` and `ConfigDeliveryBucket` (no sensible default).
 * Everything else is CDK context (see `service-settings.ts` and the README).
 */
export class AppvendServiceStack extends Stack {
  public constructor(scope: Construct, id: string, props: AppvendServiceStackProps) {
    super(scope, id, {
      description:
        'appvend: AWS Organizations account vending service (workflow, event door, ledger, topics, alarms)',
      ...props,
    });
    const { settings } = props;

    // Logical id `OrganizationId`: the permissions refer to it as ${OrganizationId} in Fn::Sub bodies.
    const organizationId = new CfnParameter(this, 'OrganizationId', {
      type: 'String',
      description:
        'The AWS Organizations organization id (o-...): scopes Organizations ARNs and who may publish findings.',
      allowedPattern: '^o-[a-z0-9]{10,32}$',
      constraintDescription: 'must be an organization id such as o-a1b2c3d4e5',
    });
    const configDeliveryBucket = new CfnParameter(this, 'ConfigDeliveryBucket', {
      type: 'String',
      description:
        'The S3 bucket AWS Config delivers to from application accounts where appvend creates the recorder (its policy must allow them).',
      minLength: 3,
      maxLength: 63,
      allowedPattern: '^[a-z0-9][a-z0-9.-]*[a-z0-9]$',
      constraintDescription: 'must be an S3 bucket name',
    });

    const logRetention = settings.logRetentionDays as RetentionDays;
    const topics = new NotificationTopics(this, 'Topics', {
      organizationId: organizationId.valueAsString,
      notificationEmails: settings.notificationEmails,
      securityEmails: settings.securityEmails,
    });

    const administrationRoleName =
      settings.stackSetAdministrationRoleName ??
      new StackSetAdministrationRole(this, 'StackSetAdministration', {
        executionRoleName: settings.stackSetExecutionRoleName,
      }).roleName;

    const workflow = new WorkflowFunctions(this, 'Workflow', {
      projectRoot: props.projectRoot,
      templatesDir: props.templatesDir,
      logRetention,
      permissions: {
        organizationId: '${OrganizationId}',
        managementAccountId: settings.managementAccountId ?? '${AWS::AccountId}',
        memberRoleName: settings.memberRoleName,
        stackSetAdministrationRoleName: administrationRoleName,
      },
      environment: {
        parentOuId: settings.parentOuId,
        scpSizeQuota: settings.scpSizeQuota,
        scpAttachmentQuota: settings.scpAttachmentQuota,
        memberRoleName: settings.memberRoleName,
        // The stack sets are administered from this account, where their administration role is.
        managementAccountId: Aws.ACCOUNT_ID,
        stackSetAdministrationRoleName: administrationRoleName,
        stackSetExecutionRoleName: settings.stackSetExecutionRoleName,
        securityTopicArn: topics.securityFindings.topicArn,
        configDeliveryBucket: configDeliveryBucket.valueAsString,
      },
    });

    const vend = new VendStateMachine(this, 'Vend', {
      functions: workflow.lambdaFunctions(),
      logRetention,
    });
    const intake = new ApplicationRequestedIntake(this, 'Intake', { stateMachine: vend.stateMachine });
    const ledger = new LedgerTable(this, 'Ledger');
    new ServiceAlarms(this, 'Alarms', {
      stateMachine: vend.stateMachine,
      deadLetterQueue: intake.deadLetterQueue,
      topic: topics.notifications,
    });

    const outputs: Record<string, [string, string]> = {
      EventBusName: [intake.bus.eventBusName, 'Put Application Requested events (source appvend) here'],
      StateMachineArn: [vend.stateMachine.stateMachineArn, 'The vend workflow'],
      LedgerTableName: [ledger.table.tableName, 'One item per application'],
      NotificationTopicArn: [topics.notifications.topicArn, 'Vend results and alarms'],
      SecurityFindingsTopicArn: [
        topics.securityFindings.topicArn,
        'Config non-compliance from application accounts',
      ],
      DeadLetterQueueUrl: [
        intake.deadLetterQueue.queueUrl,
        'Application Requested events that could not be delivered',
      ],
    };
    for (const [id, [value, description]] of Object.entries(outputs)) {
      new CfnOutput(this, id, { value, description });
    }
  }
}
