import { Aws, CfnElement, CfnOutput, CfnParameter, Stack, type StackProps } from 'aws-cdk-lib';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct, IConstruct } from 'constructs';
import { ApplicationRequestedIntake } from './application-requested-intake';
import { FrontDoorFunctions } from './front-door-functions';
import { LedgerTable } from './ledger-table';
import { NotificationTopics } from './notification-topics';
import { OFFBOARD_STATE_MACHINE_NAME, OffboardService } from './offboard-service';
import { AccountLineSweep } from './account-line-sweep';
import { DriftReconciler } from './drift-reconciler';
import type { PlanProps } from './plan-settings';
import { PortalApi } from './portal-api';
import { StoppedVendRecorder } from './stopped-vend-recorder';
import { ServiceAlarms } from './service-alarms';
import { ServiceCatalogDoor } from './service-catalog';
import { ServiceDashboard } from './service-dashboard';
import type { ServiceSettings } from './service-settings';
import { useManagementAccess, type ManagementAccessGrants } from './management-access';
import {
  STACK_SET_ADMINISTRATION_ROLE_NAME,
  StackSetAdministrationRole,
} from './stack-set-administration-role';
import { STATE_MACHINE_NAME, VendStateMachine } from './state-machine';
import type { PermissionScope } from './step-permissions';
import { WorkflowFunctions } from './workflow-functions';

export interface AppvendServiceStackProps extends StackProps {
  settings: ServiceSettings;
  /** The repository root: where `services/` and `package-lock.json` are. */
  projectRoot: string;
  /** The synthesized vended templates (`<key>.json`), bundled into the stack set function. */
  templatesDir: string;
  /**
   * Where the functions' management-account calls go: each function then assumes a role of the
   * AppvendManagementAccess stack for them, and its own role holds only sts:AssumeRole on it.
   */
  managementAccess: ManagementAccessGrants;
}

/**
 * The appvend service, for a platform account of the organization (or, in one-account mode, the
 * management account): the workflow's functions and state machine, the EventBridge door and its
 * front door function, the ledger table, the topics and the alarms. What AWS allows only from the
 * management account goes through the roles of {@link AppvendManagementAccessStack}.
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
    useManagementAccess(this, props.managementAccess);

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

    // Self-managed stack sets need an administration role here; service-managed ones use
    // StackSets' own roles (the two-account layout's default, see service-settings.ts).
    const selfManaged = settings.stackSetsMode === 'SELF_MANAGED';
    const administrationRoleName =
      settings.stackSetAdministrationRoleName ??
      (selfManaged
        ? new StackSetAdministrationRole(this, 'StackSetAdministration', {
            executionRoleName: settings.stackSetExecutionRoleName,
          }).roleName
        : STACK_SET_ADMINISTRATION_ROLE_NAME);
    // The management account, as the functions name it (APPVEND_MANAGEMENT_ACCOUNT_ID): service-managed
    // calls are made as SELF there and as DELEGATED_ADMIN from anywhere else.
    const managementAccountId = settings.managementAccountId ?? Aws.ACCOUNT_ID;
    const ledger = new LedgerTable(this, 'Ledger');
    // The bus first: the summary step announces outcomes on it; the rule's target comes last.
    const intake = new ApplicationRequestedIntake(this, 'Intake');

    // Fn::Sub bodies (the same data cdk-nag reads): references to the resources already defined;
    // the state machine, defined after its functions, by its fixed name.
    const permissions: PermissionScope = {
      organizationId: '${OrganizationId}',
      // Organizations ARNs name the management account. Every statement that uses them goes through
      // the management roles (management-access.ts), whose stack is in that account.
      managementAccountId: '${AWS::AccountId}',
      memberRoleName: settings.memberRoleName,
      ...(settings.parentOuId !== undefined && { parentOuId: settings.parentOuId }),
      ...(settings.suspendedOuId !== undefined && { suspendedOuId: settings.suspendedOuId }),
      stackSetAdministrationRoleName: administrationRoleName,
      stackSets: selfManaged
        ? { mode: 'SELF_MANAGED' }
        : {
            mode: 'SERVICE_MANAGED',
            // Where service-managed stack sets live, whoever creates them.
            ownerAccountId: settings.managementAccountId ?? '${AWS::AccountId}',
            delegatedAdministrator: settings.managementAccountId !== undefined,
          },
      ledgerTableArn: this.subReference(ledger.table, 'Arn'),
      eventBusArn: this.subReference(intake.bus, 'Arn'),
      notificationsTopicArn: this.subReference(topics.notifications, 'TopicArn'),
      topicsKeyArn: this.subReference(topics.key, 'Arn'),
      snsEndpoint: `sns.${Aws.REGION}.${Aws.URL_SUFFIX}`,
      stateMachineArn: `arn:\${AWS::Partition}:states:\${AWS::Region}:\${AWS::AccountId}:stateMachine:${STATE_MACHINE_NAME}`,
      deadLetterQueueArn: this.subReference(intake.deadLetterQueue, 'Arn'),
      offboardStateMachineArn: `arn:\${AWS::Partition}:states:\${AWS::Region}:\${AWS::AccountId}:stateMachine:${OFFBOARD_STATE_MACHINE_NAME}`,
    };

    const workflow = new WorkflowFunctions(this, 'Workflow', {
      projectRoot: props.projectRoot,
      templatesDir: props.templatesDir,
      logRetention,
      permissions,
      environment: {
        parentOuId: settings.parentOuId,
        identityCenterInstanceArn: settings.identityCenterInstanceArn,
        scpSizeQuota: settings.scpSizeQuota,
        scpAttachmentQuota: settings.scpAttachmentQuota,
        memberRoleName: settings.memberRoleName,
        managementAccountId,
        stackSetsMode: settings.stackSetsMode,
        stackSetAdministrationRoleName: administrationRoleName,
        stackSetExecutionRoleName: settings.stackSetExecutionRoleName,
        securityTopicArn: topics.securityFindings.topicArn,
        configDeliveryBucket: configDeliveryBucket.valueAsString,
        ledgerTableName: ledger.table.tableName,
        eventBusName: intake.bus.eventBusName,
        notificationsTopicArn: topics.notifications.topicArn,
      },
    });

    const vend = new VendStateMachine(this, 'Vend', {
      functions: workflow.lambdaFunctions(),
      logRetention,
    });
    const offboard = new OffboardService(this, 'Offboard', {
      projectRoot: props.projectRoot,
      logRetention,
      permissions,
      checkStackSetOperation: workflow.functions['check-stack-set-operation'].function,
      environment: {
        ledgerTableName: ledger.table.tableName,
        managementAccountId,
        stackSetsMode: settings.stackSetsMode,
        suspendedOuId: settings.suspendedOuId,
        closureShare: settings.closureShare,
      },
    });
    const frontDoors = new FrontDoorFunctions(this, 'FrontDoors', {
      projectRoot: props.projectRoot,
      logRetention,
      permissions,
      ledgerTableName: ledger.table.tableName,
      stateMachineArn: vend.stateMachine.stateMachineArn,
      deadLetterQueue: intake.deadLetterQueue,
    });
    intake.deliverTo(frontDoors.submitApplication.function);
    const serviceCatalog = new ServiceCatalogDoor(this, 'ServiceCatalog', {
      projectRoot: props.projectRoot,
      logRetention,
      permissions,
      ledgerTableName: ledger.table.tableName,
      stateMachineArn: vend.stateMachine.stateMachineArn,
      bus: intake.bus,
      deadLetterQueue: intake.deadLetterQueue,
    });

    // What the portal's dry run and the scheduled reconcile plan with: the vend's own settings.
    const plan: PlanProps = {
      templatesDir: props.templatesDir,
      securityTopicArn: topics.securityFindings.topicArn,
      parentOuId: settings.parentOuId,
      scpSizeQuota: settings.scpSizeQuota,
      scpAttachmentQuota: settings.scpAttachmentQuota,
      memberRoleName: settings.memberRoleName,
      stackSetExecutionRoleName: settings.stackSetExecutionRoleName,
      accountQuota: settings.accountQuota,
      managementAccountId,
      stackSetsMode: settings.stackSetsMode,
    };
    const portal = new PortalApi(this, 'Portal', {
      projectRoot: props.projectRoot,
      logRetention,
      permissions,
      ledgerTableName: ledger.table.tableName,
      stateMachineArn: vend.stateMachine.stateMachineArn,
      organizationId: organizationId.valueAsString,
      principals: settings.apiPrincipals,
      platformAdmins: settings.platformAdmins,
      offboardStateMachineArn: offboard.stateMachine.stateMachineArn,
      ...(settings.suspendedOuId !== undefined && { suspendedOuId: settings.suspendedOuId }),
      plan,
    });

    new DriftReconciler(this, 'Reconcile', {
      projectRoot: props.projectRoot,
      logRetention,
      permissions,
      ledgerTableName: ledger.table.tableName,
      stateMachineArn: vend.stateMachine.stateMachineArn,
      eventBusName: intake.bus.eventBusName,
      schedule: settings.reconcileSchedule,
      apply: settings.reconcileApply,
      plan,
    });

    new AccountLineSweep(this, 'AccountLine', {
      projectRoot: props.projectRoot,
      logRetention,
      permissions,
      ledgerTableName: ledger.table.tableName,
    });

    new StoppedVendRecorder(this, 'StoppedVends', {
      projectRoot: props.projectRoot,
      logRetention,
      permissions,
      ledgerTableName: ledger.table.tableName,
      stateMachine: vend.stateMachine,
    });

    const alarms = new ServiceAlarms(this, 'Alarms', {
      stateMachine: vend.stateMachine,
      deadLetterQueue: intake.deadLetterQueue,
      topic: topics.notifications,
    });
    const dashboard = new ServiceDashboard(this, 'Dashboard', {
      stateMachine: vend.stateMachine,
      topic: topics.notifications,
      otherAlarms: [alarms.failedVends, alarms.undeliveredRequests],
    });

    const outputs: Record<string, [string, string]> = {
      EventBusName: [
        intake.bus.eventBusName,
        'Put Application Requested events (source appvend) here; Application Vended and Application Vending Failed come out here',
      ],
      SubmitApplicationFunctionName: [
        frontDoors.submitApplication.function.functionName,
        'Records each Application Requested event in the ledger and starts its vend',
      ],
      ServiceCatalogPortfolioId: [
        serviceCatalog.portfolio.portfolioId,
        'The appvend portfolio: associate the principals who may launch the New application environment product',
      ],
      ServiceCatalogProductId: [serviceCatalog.product.productId, 'The New application environment product'],
      PortalApiUrl: [
        portal.api.url,
        'The portal API (IAM authorization): POST /applications, GET /applications/{name}, GET /applications',
      ],
      PortalApiId: [
        portal.api.restApiId,
        'The portal API id (for its OpenAPI servers entry and aws apigateway calls)',
      ],
      StateMachineArn: [vend.stateMachine.stateMachineArn, 'The vend workflow'],
      OffboardStateMachineArn: [
        offboard.stateMachine.stateMachineArn,
        'The offboarding workflow (input: { application, executionName }, as the ledger starts it)',
      ],
      LedgerTableName: [ledger.table.tableName, 'One item per application'],
      NotificationTopicArn: [topics.notifications.topicArn, 'Vend results and alarms'],
      SecurityFindingsTopicArn: [
        topics.securityFindings.topicArn,
        'Config non-compliance from application accounts',
      ],
      DashboardName: [
        dashboard.dashboard.dashboardName,
        'The CloudWatch dashboard: vends, failures by step, the CreateAccount queue, drift',
      ],
      DeadLetterQueueUrl: [
        intake.deadLetterQueue.queueUrl,
        'Application Requested events that could not be delivered or processed',
      ],
    };
    // The settings `appvend --aws` and `appvend doctor --aws` read (cli/stack-outputs.ts), so that the
    // CLI works with what this stack deployed instead of guessed names. Unset optional settings
    // have no output: CloudFormation refuses an output with an empty value.
    Object.assign(outputs, {
      // Not `OrganizationId` and `ConfigDeliveryBucket`: those are the parameters' logical ids.
      Organization: [organizationId.valueAsString, 'The organization the service was deployed for'],
      ConfigDeliveryBucketName: [
        configDeliveryBucket.valueAsString,
        'The bucket AWS Config delivers to where appvend creates an account recorder',
      ],
      StackSetsMode: [
        settings.stackSetsMode,
        'How the stack sets get their permissions (APPVEND_STACKSETS_MODE)',
      ],
      ...(selfManaged && {
        StackSetAdministrationRoleName: [administrationRoleName, 'The administration role of the stack sets'],
      }),
      MemberRoleName: [settings.memberRoleName, 'The role appvend assumes in member accounts'],
      StackSetExecutionRoleName: [
        settings.stackSetExecutionRoleName,
        'The role StackSets assumes in member accounts',
      ],
      ...(settings.parentOuId !== undefined && {
        ParentOuId: [settings.parentOuId, 'Where application OUs are created'],
      }),
      ...(settings.suspendedOuId !== undefined && {
        SuspendedOuId: [settings.suspendedOuId, 'Where offboarded accounts are moved'],
      }),
      ...(settings.accountQuota !== undefined && {
        AccountQuota: [String(settings.accountQuota), 'The account quota plan checks new accounts against'],
      }),
      ...(settings.scpSizeQuota !== undefined && {
        ScpSizeQuota: [String(settings.scpSizeQuota), 'The SCP size quota'],
      }),
      ...(settings.scpAttachmentQuota !== undefined && {
        ScpAttachmentQuota: [String(settings.scpAttachmentQuota), 'The SCP attachment quota'],
      }),
      ...(settings.closureShare !== undefined && {
        ClosureShare: [String(settings.closureShare), 'The share of member accounts closable per 30 days'],
      }),
      ...(settings.platformAdmins.length > 0 && {
        PlatformAdmins: [settings.platformAdmins.join(','), 'Platform administrators'],
      }),
    } satisfies Record<string, [string, string]>);
    for (const [id, [value, description]] of Object.entries(outputs)) {
      new CfnOutput(this, id, { value, description });
    }
  }

  /** `${LogicalId.Attribute}`: an attribute of the construct's resource, in an Fn::Sub body. */
  private subReference(construct: IConstruct, attribute: string): string {
    return `\${${this.getLogicalId(construct.node.defaultChild as CfnElement)}.${attribute}}`;
  }
}
