import { RemovalPolicy, Validations } from 'aws-cdk-lib';
import {
  AccessLogFormat,
  AuthorizationType,
  EndpointType,
  LambdaIntegration,
  LogGroupLogDestination,
  ResponseType,
  RestApi,
  type JsonSchema,
} from 'aws-cdk-lib/aws-apigateway';
import { AnyPrincipal, ArnPrincipal, Effect, PolicyDocument, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import * as portalApi from '../../services/portal-api/handler';
import { AppvendFunction } from './appvend-function';
import {
  PORTAL_API_NAME,
  PORTAL_API_STAGE,
  offboardRequestModelSchema,
  portalRequestModelSchema,
} from './portal-api-schema';
import { planFunctionSettings, type PlanProps } from './plan-settings';
import { frontDoorPermissions, type PermissionScope } from './step-permissions';

export interface PortalApiProps {
  projectRoot: string;
  logRetention: RetentionDays;
  permissions: PermissionScope;
  /** The ledger table every request is recorded in. */
  ledgerTableName: string;
  /** The vend state machine the API starts. */
  stateMachineArn: string;
  /** The organization whose principals may call the API (`aws:PrincipalOrgID`). */
  organizationId: string;
  /** IAM role or user ARNs outside the organization that may call it too. */
  principals: readonly string[];
  /** IAM role ARNs that may act on every application (`APPVEND_PLATFORM_ADMINS`); none by default. */
  platformAdmins?: readonly string[];
  /** The offboarding state machine `DELETE /applications/{name}` starts; without it, DELETE answers 501. */
  offboardStateMachineArn?: string;
  /** `APPVEND_SUSPENDED_OU_ID`, checked before an offboarding starts; unset, DELETE answers 503. */
  suspendedOuId?: string;
  /** What a dry run (`POST /applications?dryRun=true`) plans with: the settings the vend's steps use. */
  plan: PlanProps;
  /** Requests per second, steady and burst, for the whole stage. @default 10 and 20 */
  throttling?: { rateLimit: number; burstLimit: number };
}

/**
 * The internal portal's door: the `appvend-portal` REST API (regional, stage `v1`) in front of
 * `appvend-portal-api`. Every method requires IAM authorization (Signature Version 4), and the
 * API's resource policy lets only principals of the organization, and the configured principals,
 * invoke it; everyone else is denied explicitly. API Gateway validates the body of
 * `POST /applications` against the request model (JSON Schema draft 4 from the one zod schema)
 * and the parameters of each method; the function validates everything again. Access logs go to
 * a log group with retention; requests are traced with X-Ray; the stage is throttled.
 */
export class PortalApi extends Construct {
  public readonly api: RestApi;
  public readonly handler: AppvendFunction;
  public readonly accessLogs: LogGroup;

  public constructor(scope: Construct, id: string, props: PortalApiProps) {
    super(scope, id);
    const planning = planFunctionSettings(props.plan);
    this.handler = new AppvendFunction(this, 'Handler', {
      step: 'portal-api',
      description:
        'appvend: the portal API (submit an application request or plan its vend, read where it stands, list)',
      environmentSchema: portalApi.environment,
      environment: {
        APPVEND_LEDGER_TABLE: props.ledgerTableName,
        APPVEND_STATE_MACHINE_ARN: props.stateMachineArn,
        ...planning.environment,
        ...(props.offboardStateMachineArn && {
          APPVEND_OFFBOARD_STATE_MACHINE_ARN: props.offboardStateMachineArn,
        }),
        ...(props.platformAdmins?.length && { APPVEND_PLATFORM_ADMINS: props.platformAdmins.join(',') }),
        ...(props.suspendedOuId !== undefined && { APPVEND_SUSPENDED_OU_ID: props.suspendedOuId }),
      },
      permissions: frontDoorPermissions('portal-api', props.permissions),
      projectRoot: props.projectRoot,
      logRetention: props.logRetention,
      bundledDirectories: planning.bundledDirectories,
    });

    this.accessLogs = new LogGroup(this, 'AccessLogs', {
      logGroupName: `/aws/apigateway/${PORTAL_API_NAME}`,
      retention: props.logRetention,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    const throttling = props.throttling ?? { rateLimit: 10, burstLimit: 20 };
    this.api = new RestApi(this, 'Api', {
      restApiName: PORTAL_API_NAME,
      description:
        'appvend portal API: POST /applications, GET and DELETE /applications/{name}, GET /applications',
      endpointConfiguration: { types: [EndpointType.REGIONAL] },
      policy: resourcePolicy(props.organizationId, props.principals),
      cloudWatchRole: false,
      defaultMethodOptions: { authorizationType: AuthorizationType.IAM },
      deployOptions: {
        stageName: PORTAL_API_STAGE,
        tracingEnabled: true,
        throttlingRateLimit: throttling.rateLimit,
        throttlingBurstLimit: throttling.burstLimit,
        accessLogDestination: new LogGroupLogDestination(this.accessLogs),
        accessLogFormat: AccessLogFormat.jsonWithStandardFields({
          caller: true,
          httpMethod: true,
          ip: true,
          protocol: true,
          requestTime: true,
          resourcePath: true,
          responseLength: true,
          status: true,
          user: true,
        }),
      },
    });

    const validator = this.api.addRequestValidator('Validator', {
      requestValidatorName: 'body-and-parameters',
      validateRequestBody: true,
      validateRequestParameters: true,
    });
    const model = this.api.addModel('ApplicationRequestModel', {
      modelName: 'ApplicationRequest',
      contentType: 'application/json',
      description: 'An application request (shared/request/schema.ts)',
      schema: portalRequestModelSchema() as JsonSchema,
    });
    const integration = new LambdaIntegration(this.handler.function, { proxy: true, allowTestInvoke: false });

    const applications = this.api.root.addResource('applications');
    applications.addMethod('POST', integration, {
      operationName: 'SubmitApplication',
      requestValidator: validator,
      requestModels: { 'application/json': model },
      // `?dryRun=true` plans the vend instead of starting it; the function checks the value.
      requestParameters: { 'method.request.querystring.dryRun': false },
    });
    applications.addMethod('GET', integration, {
      operationName: 'ListApplications',
      requestValidator: validator,
      requestParameters: {
        'method.request.querystring.limit': false,
        'method.request.querystring.cursor': false,
      },
    });
    const application = applications.addResource('{name}');
    application.addMethod('GET', integration, {
      operationName: 'GetApplication',
      requestValidator: validator,
      requestParameters: { 'method.request.path.name': true },
    });
    application.addMethod('DELETE', integration, {
      operationName: 'OffboardApplication',
      requestValidator: validator,
      requestParameters: { 'method.request.path.name': true },
      requestModels: {
        'application/json': this.api.addModel('OffboardRequestModel', {
          modelName: 'OffboardRequest',
          contentType: 'application/json',
          description: 'The confirmation an offboarding needs: the application name, repeated',
          schema: offboardRequestModelSchema() as JsonSchema,
        }),
      },
    });

    // API Gateway's own refusals in the handler's shape: `{ problems: [{ field, message }] }`.
    const problem = (field: string) => ({
      'application/json': `{"problems":[{"field":"${field}","message":"$util.escapeJavaScript($context.error.validationErrorString)"}]}`,
    });
    this.api.addGatewayResponse('BadRequestBody', {
      type: ResponseType.BAD_REQUEST_BODY,
      statusCode: '400',
      templates: problem('(body)'),
    });
    this.api.addGatewayResponse('BadRequestParameters', {
      type: ResponseType.BAD_REQUEST_PARAMETERS,
      statusCode: '400',
      templates: problem('(parameters)'),
    });

    Validations.of(this.api).acknowledge(
      {
        id: 'AwsSolutions-APIG3',
        reason:
          'No WAF web ACL: the API takes only SigV4-signed calls of the organization and the configured principals (resource policy, explicit deny for others), and the stage is throttled.',
      },
      {
        id: 'AwsSolutions-COG4',
        reason:
          'Callers are AWS principals, not end users: every method uses IAM authorization (SigV4), which a Cognito user pool authorizer would replace, not add to.',
      },
      {
        id: 'AwsSolutions-APIG6',
        reason:
          "Execution logging needs the account-wide API Gateway CloudWatch role (AWS::ApiGateway::Account), which this stack does not own; access logs record every request and the function logs one audit line per request with the caller's ARN.",
      },
    );
  }
}

/**
 * Invoke only for principals of the organization and the configured ones; an explicit deny for
 * everyone else, so that no identity policy elsewhere can open the API wider.
 */
function resourcePolicy(organizationId: string, principals: readonly string[]): PolicyDocument {
  const everything = ['execute-api:/*'];
  const statements = [
    new PolicyStatement({
      sid: 'OrganizationMayInvoke',
      effect: Effect.ALLOW,
      principals: [new AnyPrincipal()],
      actions: ['execute-api:Invoke'],
      resources: everything,
      conditions: { StringEquals: { 'aws:PrincipalOrgID': organizationId } },
    }),
    new PolicyStatement({
      sid: 'OthersMayNotInvoke',
      effect: Effect.DENY,
      principals: [new AnyPrincipal()],
      actions: ['execute-api:Invoke'],
      resources: everything,
      conditions: {
        StringNotEquals: { 'aws:PrincipalOrgID': organizationId },
        ...(principals.length > 0 && { ArnNotEquals: { 'aws:PrincipalArn': [...principals] } }),
      },
    }),
  ];
  if (principals.length > 0) {
    statements.splice(
      1,
      0,
      new PolicyStatement({
        sid: 'ConfiguredPrincipalsMayInvoke',
        effect: Effect.ALLOW,
        principals: principals.map((arn) => new ArnPrincipal(arn)),
        actions: ['execute-api:Invoke'],
        resources: everything,
      }),
    );
  }
  return new PolicyDocument({ statements });
}
