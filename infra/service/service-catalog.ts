import { Aws, CfnOutput, CfnParameter, CustomResource, Duration, Fn, Validations } from 'aws-cdk-lib';
import type { IEventBus } from 'aws-cdk-lib/aws-events';
import { Rule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { Effect, PolicyDocument, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import {
  CloudFormationProduct,
  CloudFormationTemplate,
  Portfolio,
  ProductStack,
} from 'aws-cdk-lib/aws-servicecatalog';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import * as productDoor from '../../services/service-catalog-product/handler';
import * as outcomeDoor from '../../services/service-catalog-outcome/handler';
import { PROFILES } from '../../shared/request/schema';
import { DETAIL_TYPE, EVENT_SOURCE } from '../../shared/workflow/announce';
import { wildcardResourceFinding } from '../templates/support';
import { functionName } from '../workflow/step-functions';
import { AppvendFunction } from './appvend-function';
import { frontDoorPermissions, type PermissionScope } from './step-permissions';

export const PRODUCT_NAME = 'New application environment';
export const PORTFOLIO_NAME = 'appvend';
/** The custom resource's type in the product's template. */
export const APPLICATION_ENVIRONMENT_TYPE = 'Custom::ApplicationEnvironment';

export const PRODUCT_DESCRIPTION =
  'Vends an application environment with appvend: an OU with its SCP, a tooling account and one account per stage, ' +
  'a cross-account delivery pipeline and AWS Config guardrails. The provisioned product turns green with the ' +
  'account ids as outputs when the vend ends, or red with the failed step and the reason. Updating it re-runs the ' +
  'vend with the new parameters. Terminating it removes the product only: the accounts, OU and pipeline are kept.';

/**
 * Stack names Service Catalog gives provisioned products (`SC-<account>-pp-<id>`): the only stacks
 * the launch role may create, change or delete.
 */
const PROVISIONED_STACKS = 'arn:${AWS::Partition}:cloudformation:${AWS::Region}:${AWS::AccountId}:stack/SC-*';

export interface ServiceCatalogDoorProps {
  projectRoot: string;
  logRetention: RetentionDays;
  permissions: PermissionScope;
  ledgerTableName: string;
  stateMachineArn: string;
  /** The `appvend` bus, which carries the vend outcome events. */
  bus: IEventBus;
  /** Where outcome events that could not be delivered to the outcome function land. */
  deadLetterQueue: IQueue;
}

/**
 * The Service Catalog door: the `appvend` portfolio with the "New application environment" product
 * and its launch role, the product's custom-resource function `appvend-service-catalog-product`
 * (the intake; it keeps a started vend's request on the ledger item) and
 * `appvend-service-catalog-outcome`, which answers those requests when the vend's outcome event
 * arrives on the bus.
 */
export class ServiceCatalogDoor extends Construct {
  public readonly productFunction: AppvendFunction;
  public readonly outcomeFunction: AppvendFunction;
  public readonly portfolio: Portfolio;
  public readonly product: CloudFormationProduct;
  public readonly launchRole: Role;
  public readonly outcomeRule: Rule;

  public constructor(scope: Construct, id: string, props: ServiceCatalogDoorProps) {
    super(scope, id);
    this.productFunction = new AppvendFunction(this, 'Product', {
      step: 'service-catalog-product',
      description:
        'appvend: the Service Catalog product custom resource; records the request and starts its vend once',
      environmentSchema: productDoor.environment,
      environment: {
        APPVEND_LEDGER_TABLE: props.ledgerTableName,
        APPVEND_STATE_MACHINE_ARN: props.stateMachineArn,
      },
      permissions: frontDoorPermissions('service-catalog-product', props.permissions),
      projectRoot: props.projectRoot,
      logRetention: props.logRetention,
    });
    this.outcomeFunction = new AppvendFunction(this, 'Outcome', {
      step: 'service-catalog-outcome',
      description: 'appvend: answers the Service Catalog product requests that waited for a vend to end',
      environmentSchema: outcomeDoor.environment,
      environment: { APPVEND_LEDGER_TABLE: props.ledgerTableName },
      permissions: frontDoorPermissions('service-catalog-outcome', props.permissions),
      projectRoot: props.projectRoot,
      logRetention: props.logRetention,
    });

    this.outcomeRule = new Rule(this, 'VendOutcome', {
      ruleName: 'appvend-service-catalog-outcome',
      description: 'Answers the Service Catalog product requests waiting for the vend that ended',
      eventBus: props.bus,
      eventPattern: { source: [EVENT_SOURCE], detailType: [DETAIL_TYPE.vended, DETAIL_TYPE.failed] },
    });
    // The response URLs are valid for about two hours: an older event answers nobody.
    this.outcomeRule.addTarget(
      new LambdaFunction(this.outcomeFunction.function, {
        deadLetterQueue: props.deadLetterQueue,
        retryAttempts: 8,
        maxEventAge: Duration.hours(2),
      }),
    );

    this.launchRole = this.createLaunchRole();
    this.portfolio = new Portfolio(this, 'Portfolio', {
      displayName: PORTFOLIO_NAME,
      providerName: 'Platform team (appvend)',
      description: 'Self-service AWS account environments for applications, vended by appvend',
    });
    this.product = new CloudFormationProduct(this, 'ApplicationEnvironment', {
      productName: PRODUCT_NAME,
      owner: 'Platform team (appvend)',
      description: PRODUCT_DESCRIPTION,
      productVersions: [
        {
          productVersionName: 'v1',
          description: 'The application request as parameters; the account ids as outputs',
          cloudFormationTemplate: CloudFormationTemplate.fromProductStack(
            new ApplicationEnvironmentProduct(this, 'Template'),
          ),
        },
      ],
    });
    this.portfolio.addProduct(this.product);
    this.portfolio.setLaunchRole(this.product, this.launchRole, {
      description: 'Launches, updates and terminates the product with the launch role only',
    });
  }

  /**
   * What launching, updating and terminating the product needs: the provisioned product's stack
   * (CloudFormation, on Service Catalog's `SC-*` stacks only), reading the product's template from
   * Service Catalog's bucket, and invoking the custom resource's function (CloudFormation invokes
   * it with the launch role's credentials).
   */
  private createLaunchRole(): Role {
    const productFunctionArn = `arn:\${AWS::Partition}:lambda:\${AWS::Region}:\${AWS::AccountId}:function:${functionName('service-catalog-product')}`;
    const role = new Role(this, 'LaunchRole', {
      assumedBy: new ServicePrincipal('servicecatalog.amazonaws.com'),
      description: `Launch role of the "${PRODUCT_NAME}" product: its stack and its custom resource only`,
      inlinePolicies: {
        LaunchApplicationEnvironment: new PolicyDocument({
          statements: [
            new PolicyStatement({
              sid: 'ManageProvisionedProductStack',
              effect: Effect.ALLOW,
              actions: [
                'cloudformation:CreateStack',
                'cloudformation:UpdateStack',
                'cloudformation:DeleteStack',
                'cloudformation:DescribeStacks',
                'cloudformation:DescribeStackEvents',
                'cloudformation:SetStackPolicy',
              ],
              resources: [Fn.sub(PROVISIONED_STACKS)],
            }),
            new PolicyStatement({
              sid: 'ReadTemplateSummary',
              effect: Effect.ALLOW,
              actions: ['cloudformation:GetTemplateSummary', 'cloudformation:ValidateTemplate'],
              resources: ['*'],
            }),
            new PolicyStatement({
              sid: 'ReadProductTemplate',
              effect: Effect.ALLOW,
              actions: ['s3:GetObject'],
              resources: ['*'],
              conditions: { StringEquals: { 's3:ExistingObjectTag/servicecatalog:provisioning': 'true' } },
            }),
            new PolicyStatement({
              sid: 'InvokeApplicationEnvironmentProvider',
              effect: Effect.ALLOW,
              actions: ['lambda:InvokeFunction'],
              resources: [Fn.sub(productFunctionArn)],
            }),
          ],
        }),
      },
    });
    Validations.of(role).acknowledge({
      id: wildcardResourceFinding(PROVISIONED_STACKS),
      reason:
        'Service Catalog names each provisioned product stack SC-<account>-pp-<id> at launch, so the stack is known only by that prefix; the stack ARN also ends in an id CloudFormation assigns.',
    });
    Validations.of(role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'cloudformation:GetTemplateSummary and ValidateTemplate support no resource-level permissions; s3:GetObject reads the template from the bucket Service Catalog owns, whose name is not known, only objects tagged servicecatalog:provisioning=true.',
    });
    return role;
  }
}

/**
 * The product's template: the request as parameters, one `Custom::ApplicationEnvironment`
 * resource handled by `appvend-service-catalog-product` in this account and Region, and the
 * account ids and request id as outputs.
 */
export class ApplicationEnvironmentProduct extends ProductStack {
  public constructor(scope: Construct, id: string) {
    super(scope, id, {
      description:
        'appvend: an application environment (OU, SCP, tooling and stage accounts, pipeline, guardrails); terminating keeps the accounts',
    });
    const text = (
      name: string,
      description: string,
      extra: Partial<ConstructorParameters<typeof CfnParameter>[2]> = {},
    ) => new CfnParameter(this, name, { type: 'String', description, ...extra });
    const list = (name: string, description: string, defaultValue: string) =>
      new CfnParameter(this, name, { type: 'CommaDelimitedList', description, default: defaultValue });

    const parameters = {
      AppName: text(
        'AppName',
        'Application name: 3-32 lowercase letters, digits and hyphens, starting with a letter',
        { minLength: 3, maxLength: 32 },
      ),
      Owner: text('Owner', "The owning team's email address"),
      AccountEmail: text(
        'AccountEmail',
        'Account email template with {name} and {stage}, e.g. aws+{name}-{stage}@example.com',
      ),
      Stages: list('Stages', 'Deployment stages (tooling is always added)', 'test,prod'),
      ConnectionArn: text('ConnectionArn', 'The CodeConnections (CodeStar) connection ARN to the repository'),
      Repository: text('Repository', 'The repository, owner/repo'),
      Branch: text('Branch', 'The branch the pipeline builds', { default: 'main' }),
      Profile: text('Profile', 'The guardrail profile', {
        default: 'serverless',
        allowedValues: [...PROFILES],
      }),
      AllowedServices: list(
        'AllowedServices',
        'Services the application may use beyond Lambda, API Gateway and logs (dynamodb, sqs, sns, stepfunctions, eventbridge, s3); empty for none',
        '',
      ),
      ...accessParameters(text),
    };

    const environment = new CustomResource(this, 'ApplicationEnvironment', {
      resourceType: APPLICATION_ENVIRONMENT_TYPE,
      serviceToken: `arn:${Aws.PARTITION}:lambda:${Aws.REGION}:${Aws.ACCOUNT_ID}:function:${functionName('service-catalog-product')}`,
      // The most CloudFormation waits for a custom resource; a longer vend fails the launch (see the README).
      serviceTimeout: Duration.hours(1),
      properties: {
        AppName: parameters.AppName.valueAsString,
        Owner: parameters.Owner.valueAsString,
        AccountEmail: parameters.AccountEmail.valueAsString,
        Stages: parameters.Stages.valueAsList,
        ConnectionArn: parameters.ConnectionArn.valueAsString,
        Repository: parameters.Repository.valueAsString,
        Branch: parameters.Branch.valueAsString,
        Profile: parameters.Profile.valueAsString,
        AllowedServices: parameters.AllowedServices.valueAsList,
        ...Object.fromEntries(
          ACCESS_PARAMETERS.map(([name]) => [name, parameters[name].valueAsString] as const),
        ),
      },
    });

    const outputs: Record<string, [string, string]> = {
      ToolingAccountId: ['ToolingAccountId', 'The tooling account (pipeline)'],
      AccountIds: ['AccountIds', 'Every account: stage=account id, comma-separated'],
      OrganizationalUnitId: ['OrganizationalUnitId', "The application's OU"],
      RequestId: ['RequestId', "appvend's request id (appvend status, GET /applications/{name})"],
    };
    for (const [id, [attribute, description]] of Object.entries(outputs)) {
      new CfnOutput(this, id, { value: environment.getAttString(attribute), description });
    }
  }
}

/**
 * The approvers and the alternate contacts as product parameters, all optional (blank: not asked
 * for). The request's `access` list is not one: a list of grants, each with its own list of
 * stages, has no CloudFormation parameter type (docs/service-catalog.md says how to ask for it).
 */
const ACCESS_PARAMETERS = [
  [
    'ApproversGroup',
    'Identity Center group allowed to approve production (its display name); blank for none',
  ],
  ['ApproversPermissionSet', "The approvers' permission set in the tooling account (its name)"],
  ...(['Security', 'Operations', 'Billing'] as const).flatMap((type) =>
    (['Name', 'Title', 'Email', 'Phone'] as const).map(
      (field) =>
        [
          `${type}Contact${field}`,
          `${type} alternate contact of every account: ${field.toLowerCase()}; blank for no ${type.toLowerCase()} contact`,
        ] as const,
    ),
  ),
] as const;

function accessParameters(
  text: (name: string, description: string, extra?: { default?: string }) => CfnParameter,
): Record<(typeof ACCESS_PARAMETERS)[number][0], CfnParameter> {
  return Object.fromEntries(
    ACCESS_PARAMETERS.map(([name, description]) => [name, text(name, description, { default: '' })]),
  ) as Record<(typeof ACCESS_PARAMETERS)[number][0], CfnParameter>;
}
