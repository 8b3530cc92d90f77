import { Aws, CfnParameter, Fn, Validations, type Stack } from 'aws-cdk-lib';
import { CfnRule } from 'aws-cdk-lib/aws-events';
import { CfnRole } from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import { TOPICS_KEY_ALIAS } from '../../shared/domain/naming';
import {
  PARTITION,
  VAR,
  complianceNotifierRoleName,
  complianceRuleName,
  configRecorderRoleName,
} from './names';
import { memberAccessRole } from './member-access-role';
import { VendedTemplateStack, appNameParameter, policy, sub, serviceTrust } from './support';

export const GUARDRAILS_PARAMETERS = ['AppName', 'NotificationTopicArn'] as const;

/**
 * The service's account: the security topic's (the ARN's fifth field). The management account in
 * one-account mode, the platform account in the two-account layout.
 */
const managementAccountOf = (topicArn: string): string => Fn.select(4, Fn.split(':', topicArn));

/**
 * Every application account (tooling and stages), wave 1: the role an AWS Config recorder uses when
 * the workflow has to create one, and an EventBridge rule that tells the security team (an SNS topic
 * in the management account, same Region) when a Config rule finds a resource NON_COMPLIANT. The
 * conformance pack itself is registered by the workflow through the Config API
 * (`shared/domain/conformance-pack.ts`), through the member access role this template also makes
 * (`appvend-member-access`, infra/templates/member-access-role.ts).
 */
export function guardrailsTemplate(scope: Construct, id: string): Stack {
  const stack = new VendedTemplateStack(scope, id, {
    description:
      'appvend guardrails: AWS Config recorder role and non-compliance notifications (every application account)',
  });
  appNameParameter(stack);
  const topicArn = new CfnParameter(stack, 'NotificationTopicArn', {
    type: 'String',
    description:
      'ARN of the SNS topic (management account, same Region) that tells the security team of non-compliance',
    allowedPattern: '^arn:aws[a-z-]*:sns:[a-z0-9-]+:\\d{12}:[A-Za-z0-9_-]{1,256}(?:\\.fifo)?$',
    constraintDescription: 'must be an SNS topic ARN',
  }).valueAsString;

  const recorderRole = new CfnRole(stack, 'ConfigRecorderRole', {
    roleName: sub(configRecorderRoleName(VAR.app)),
    description:
      'Used by the AWS Config configuration recorder that appvend creates when the account has none.',
    assumeRolePolicyDocument: serviceTrust('config.amazonaws.com'),
    managedPolicyArns: [`arn:${PARTITION}:iam::aws:policy/service-role/AWS_ConfigRole`],
    // AWS Config delivers "as the IAM role" first: with S3 write here and the delivery bucket's
    // policy admitting the role (aws:PrincipalOrgID), delivery never falls back to the service
    // principal, which organization conditions do not admit. The delivery bucket is in the
    // management account (the security topic's account): only that account's buckets, and only
    // this account's prefix.
    policies: [
      {
        policyName: 'DeliverToConfigBucket',
        policyDocument: policy(
          {
            Sid: 'DeliverConfigurationItems',
            Effect: 'Allow',
            Action: 's3:PutObject',
            Resource: sub(`arn:${PARTITION}:s3:::*/AWSLogs/${VAR.account}/Config/*`),
            Condition: {
              StringEquals: {
                's3:ResourceAccount': managementAccountOf(topicArn),
                's3:x-amz-acl': 'bucket-owner-full-control',
              },
            },
          },
          {
            Sid: 'CheckDeliveryBucket',
            Effect: 'Allow',
            Action: ['s3:GetBucketAcl', 's3:ListBucket'],
            Resource: `arn:${PARTITION}:s3:::*`,
            Condition: { StringEquals: { 's3:ResourceAccount': managementAccountOf(topicArn) } },
          },
        ),
      },
    ],
  });
  Validations.of(recorderRole).acknowledge({
    id: `AwsSolutions-IAM5[Resource::arn:${PARTITION}:s3:::*/AWSLogs/<AWS::AccountId>/Config/*]`,
    reason:
      "The delivery bucket's name is the service's setting, not the template's: writes are narrowed to this account's Config prefix in buckets of the management account (s3:ResourceAccount).",
  });
  Validations.of(recorderRole).acknowledge({
    id: `AwsSolutions-IAM5[Resource::arn:${PARTITION}:s3:::*]`,
    reason:
      "GetBucketAcl and ListBucket (HeadBucket) are AWS Config's checks of the delivery bucket; narrowed to the management account's buckets (s3:ResourceAccount).",
  });
  Validations.of(recorderRole).acknowledge({
    id: `AwsSolutions-IAM4[Policy::arn:${PARTITION}:iam::aws:policy/service-role/AWS_ConfigRole]`,
    reason:
      'AWS_ConfigRole is the AWS-maintained policy for Config recorders; AWS extends it as resource types become recordable.',
  });

  const ruleName = sub(complianceRuleName(VAR.app));
  // Cross-account targets other than event buses need an execution role in the rule's account;
  // the topic's policy must allow this role (for example by aws:PrincipalOrgID) to publish.
  const notifierRole = new CfnRole(stack, 'ComplianceNotifierRole', {
    roleName: sub(complianceNotifierRoleName(VAR.app)),
    description: 'Assumed by EventBridge to publish non-compliance events to the security team topic.',
    assumeRolePolicyDocument: serviceTrust('events.amazonaws.com', {
      ArnEquals: {
        'aws:SourceArn': sub(
          `arn:${PARTITION}:events:${VAR.region}:${VAR.account}:rule/${complianceRuleName(VAR.app)}`,
        ),
      },
    }),
    policies: [
      {
        policyName: 'PublishToSecurityTopic',
        policyDocument: policy(
          { Sid: 'Publish', Effect: 'Allow', Action: 'sns:Publish', Resource: topicArn },
          {
            // The topic is encrypted with the service's key: SNS uses it on the publisher's behalf.
            Sid: 'EncryptForTheTopic',
            Effect: 'Allow',
            Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
            Resource: Fn.join('', [
              'arn:',
              Aws.PARTITION,
              ':kms:',
              Aws.REGION,
              ':',
              managementAccountOf(topicArn),
              ':key/*',
            ]),
            Condition: {
              StringEquals: { 'kms:ViaService': sub(`sns.${VAR.region}.amazonaws.com`) },
              'ForAnyValue:StringEquals': { 'kms:ResourceAliases': TOPICS_KEY_ALIAS },
            },
          },
        ),
      },
    ],
  });

  Validations.of(notifierRole).acknowledge({
    id: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:kms:<AWS::Region>:{"Fn::Select":[4,{"Fn::Split":[":",{"Ref":"NotificationTopicArn"}]}]}:key/*]',
    reason:
      "Keys of the topic's account only, narrowed to the service's topics key by kms:ResourceAliases and to use through SNS by kms:ViaService; the key id is not known to the vended account.",
  });

  new CfnRule(stack, 'NonComplianceRule', {
    name: ruleName,
    description: 'Sends AWS Config NON_COMPLIANT evaluation results to the security team.',
    state: 'ENABLED',
    eventPattern: {
      source: ['aws.config'],
      'detail-type': ['Config Rules Compliance Change'],
      detail: {
        messageType: ['ComplianceChangeNotification'],
        newEvaluationResult: { complianceType: ['NON_COMPLIANT'] },
      },
    },
    targets: [{ id: 'SecurityTeamTopic', arn: topicArn, roleArn: notifierRole.attrArn }],
  });

  // The service's functions work in the account through this role once the baseline is in place;
  // the service runs in the topic's account.
  memberAccessRole(stack, managementAccountOf(topicArn));
  return stack;
}
