import { CfnCondition, CfnParameter, Fn, type Stack } from 'aws-cdk-lib';
import { CfnManagedPolicy, type CfnRole } from 'aws-cdk-lib/aws-iam';
import { EXTRA_SERVICES, extraServiceParameter, type ExtraService } from '../../shared/domain/extra-services';
import { NAME_PREFIX } from '../../shared/domain/naming';
import { PARTITION, VAR, appResourcePrefix } from './names';
import { acknowledgeWildcardResources, policy, sub, type PolicyStatement } from './support';

const app = appResourcePrefix(VAR.app);
const arn = (service: string, resource: string): string =>
  `arn:${PARTITION}:${service}:${VAR.region}:${VAR.account}:${resource}`;
const appRoles = `arn:${PARTITION}:iam::${VAR.account}:role/${app}*`;

interface ExtraServicePolicy {
  /** What the service's resources are called in the reasons a reviewer reads. */
  resources: string;
  /** `Fn::Sub` bodies of the resource ARNs, all under the application's name prefix. */
  arns: string[];
  /** What CloudFormation needs to create, update, tag and delete them. */
  actions: string[];
  /** The service principal the application's own roles may be passed to, when the service takes a role. */
  passRoleTo?: string;
  /**
   * For services whose names are global (S3): the create action, allowed on its own, while every
   * other action is limited to resources this account owns, since a name under the prefix may be
   * another account's.
   */
  createdWithoutOwner?: string;
}

/**
 * The vetted statements behind each service an application may ask for (`allowedServices`). Each
 * is what CloudFormation needs to manage that service's resources named under the application's
 * prefix, and nothing that opens data to others: no bucket policies or ACLs, no resource sharing.
 */
const EXTRA_SERVICE_POLICIES: Record<ExtraService, ExtraServicePolicy> = {
  dynamodb: {
    resources: 'DynamoDB tables',
    arns: [arn('dynamodb', `table/${app}*`)],
    actions: [
      'dynamodb:CreateTable',
      'dynamodb:DeleteTable',
      'dynamodb:DescribeContinuousBackups',
      'dynamodb:DescribeTable',
      'dynamodb:DescribeTimeToLive',
      'dynamodb:ListTagsOfResource',
      'dynamodb:TagResource',
      'dynamodb:UntagResource',
      'dynamodb:UpdateContinuousBackups',
      'dynamodb:UpdateTable',
      'dynamodb:UpdateTimeToLive',
    ],
  },
  sqs: {
    resources: 'SQS queues',
    arns: [arn('sqs', `${app}*`)],
    actions: [
      'sqs:CreateQueue',
      'sqs:DeleteQueue',
      'sqs:GetQueueAttributes',
      'sqs:ListQueueTags',
      'sqs:SetQueueAttributes',
      'sqs:TagQueue',
      'sqs:UntagQueue',
    ],
  },
  sns: {
    resources: 'SNS topics and their subscriptions',
    arns: [arn('sns', `${app}*`)],
    actions: [
      'sns:CreateTopic',
      'sns:DeleteTopic',
      'sns:GetSubscriptionAttributes',
      'sns:GetTopicAttributes',
      'sns:ListSubscriptionsByTopic',
      'sns:ListTagsForResource',
      'sns:SetTopicAttributes',
      'sns:Subscribe',
      'sns:TagResource',
      'sns:Unsubscribe',
      'sns:UntagResource',
    ],
  },
  stepfunctions: {
    resources: 'Step Functions state machines',
    arns: [arn('states', `stateMachine:${app}*`)],
    actions: [
      'states:CreateStateMachine',
      'states:DeleteStateMachine',
      'states:DescribeStateMachine',
      'states:ListTagsForResource',
      'states:TagResource',
      'states:UntagResource',
      'states:UpdateStateMachine',
    ],
    passRoleTo: 'states.amazonaws.com',
  },
  eventbridge: {
    resources: 'EventBridge rules on the default bus',
    arns: [arn('events', `rule/${app}*`)],
    actions: [
      'events:DeleteRule',
      'events:DescribeRule',
      'events:DisableRule',
      'events:EnableRule',
      'events:ListTagsForResource',
      'events:ListTargetsByRule',
      'events:PutRule',
      'events:PutTargets',
      'events:RemoveTargets',
      'events:TagResource',
      'events:UntagResource',
    ],
    passRoleTo: 'events.amazonaws.com',
  },
  s3: {
    resources: 'S3 buckets of this account',
    arns: [`arn:${PARTITION}:s3:::${app}*`],
    createdWithoutOwner: 's3:CreateBucket',
    actions: [
      's3:DeleteBucket',
      's3:GetBucketNotification',
      's3:GetBucketOwnershipControls',
      's3:GetBucketPublicAccessBlock',
      's3:GetBucketTagging',
      's3:GetBucketVersioning',
      's3:GetEncryptionConfiguration',
      's3:GetLifecycleConfiguration',
      's3:PutBucketNotification',
      's3:PutBucketOwnershipControls',
      's3:PutBucketPublicAccessBlock',
      's3:PutBucketTagging',
      's3:PutBucketVersioning',
      's3:PutEncryptionConfiguration',
      's3:PutLifecycleConfiguration',
    ],
  },
};

const PREFIX_REASON =
  'Scoped to the application name prefix "${AppName}-": the application stack names these resources, generated names included, under it.';

/** The name of the managed policy that grants a service to the deployer role. */
export const extraServicePolicyName = (appName: string, service: ExtraService): string =>
  `${NAME_PREFIX}-${appName}-deploy-${service}`;

/**
 * One `Allow<Service>` parameter per service and, when it is "true", a managed policy with that
 * service's statements attached to the deployer role. Parameters rather than a list: CloudFormation
 * conditions cannot test membership of a list.
 */
export function addExtraServicePolicies(stack: Stack, deployer: CfnRole): void {
  for (const service of EXTRA_SERVICES) {
    const spec = EXTRA_SERVICE_POLICIES[service];
    const parameter = new CfnParameter(stack, extraServiceParameter(service), {
      type: 'String',
      description: `"true" lets the deployer role manage the application's ${spec.resources} (allowedServices contains "${service}").`,
      allowedValues: ['true', 'false'],
      default: 'false',
    });
    const condition = new CfnCondition(stack, `${extraServiceParameter(service)}Condition`, {
      expression: Fn.conditionEquals(parameter.valueAsString, 'true'),
    });
    const statements: PolicyStatement[] = [];
    if (spec.createdWithoutOwner) {
      // The resource does not exist yet, so it has no owner to compare; it can only be created here.
      statements.push({
        Sid: 'CreateResources',
        Effect: 'Allow',
        Action: spec.createdWithoutOwner,
        Resource: spec.arns.map(sub),
      });
    }
    statements.push({
      Sid: 'ManageResources',
      Effect: 'Allow',
      Action: spec.actions,
      Resource: spec.arns.map(sub),
      ...(spec.createdWithoutOwner
        ? { Condition: { StringEquals: { 'aws:ResourceAccount': sub(VAR.account) } } }
        : {}),
    });
    if (spec.passRoleTo) {
      statements.push({
        Sid: 'PassApplicationRoles',
        Effect: 'Allow',
        Action: 'iam:PassRole',
        Resource: sub(appRoles),
        Condition: { StringEquals: { 'iam:PassedToService': spec.passRoleTo } },
      });
    }
    const managed = new CfnManagedPolicy(stack, `${extraServiceParameter(service)}Policy`, {
      managedPolicyName: sub(extraServicePolicyName(VAR.app, service)),
      description: `Lets the deployer role manage the application's ${spec.resources}.`,
      roles: [deployer.ref],
      policyDocument: policy(...statements),
    });
    managed.cfnOptions.condition = condition;
    acknowledgeWildcardResources(managed, {
      ...Object.fromEntries(spec.arns.map((a) => [a, PREFIX_REASON])),
      ...(spec.passRoleTo
        ? { [appRoles]: `${PREFIX_REASON} Passed only to ${spec.passRoleTo}; the roles carry the boundary.` }
        : {}),
    });
  }
}
