import { Fn, Validations, type Stack } from 'aws-cdk-lib';
import { CfnRole } from 'aws-cdk-lib/aws-iam';
import { MEMBER_ACCESS_FUNCTION_ROLES, MEMBER_ACCESS_ROLE_NAME } from '../../shared/domain/member-access';
import { PARTITION, VAR, configRecorderRoleName } from './names';
import { acknowledgeWildcardResources, policy, sub } from './support';

/** The longest session: a function's session of it is a chained one, which AWS caps at an hour. */
const ONE_HOUR = 3600;

/**
 * The member access role (shared/domain/member-access.ts): made by the guardrails stack set in
 * every vended account, so it exists once the account's baseline does. Trusted by exactly the
 * service functions that work in the account after the baseline, by role ARN in the service
 * account (`aws:PrincipalArn`: a role of the same name in any other account does not match), and
 * only from within the account's own organization (`aws:PrincipalOrgID` equal to the role's own
 * `aws:ResourceOrgID`); no principal of the vended account itself. Its permissions are the calls
 * those functions make there and nothing else: AWS Config's recorder, delivery channel and the
 * application's conformance pack; emptying the application's buckets before their stacks are
 * deleted (CloudFormation's list of the stack's buckets, then versions, deletions and access
 * logging off). No IAM but passing the application's Config recorder role to AWS Config.
 *
 * `serviceAccount` is the account the service stack runs in (the notification topic's account).
 */
export function memberAccessRole(stack: Stack, serviceAccount: string): CfnRole {
  const functionRoleArns = MEMBER_ACCESS_FUNCTION_ROLES.map((name) =>
    Fn.join('', ['arn:', PARTITION, ':iam::', serviceAccount, `:role/${name}`]),
  );
  const appBuckets = `arn:${PARTITION}:s3:::appvend-${VAR.app}-*`;
  const appStacks = `arn:${PARTITION}:cloudformation:${VAR.region}:${VAR.account}:stack/StackSet-appvend-${VAR.app}-*`;
  const role = new CfnRole(stack, 'MemberAccessRole', {
    roleName: MEMBER_ACCESS_ROLE_NAME,
    description:
      "Assumed by the appvend service's guardrail, drift and offboarding functions (service account, same organization) after the account's baseline.",
    maxSessionDuration: ONE_HOUR,
    assumeRolePolicyDocument: policy({
      Sid: 'AppvendServiceFunctions',
      Effect: 'Allow',
      Principal: { AWS: Fn.join('', ['arn:', PARTITION, ':iam::', serviceAccount, ':root']) },
      Action: 'sts:AssumeRole',
      Condition: {
        ArnEquals: { 'aws:PrincipalArn': functionRoleArns },
        // A policy variable, not a CloudFormation one: the organization this role's account is in.
        StringEquals: { 'aws:PrincipalOrgID': '${aws:ResourceOrgID}' },
      },
    }),
    policies: [
      {
        policyName: 'AppvendGuardrailsAndOffboarding',
        policyDocument: policy(
          {
            Sid: 'ConfigGuardrails',
            Effect: 'Allow',
            Action: [
              'config:DescribeConfigurationRecorders',
              'config:DescribeConfigurationRecorderStatus',
              'config:DescribeDeliveryChannels',
              'config:DescribeConformancePacks',
              'config:DescribeConformancePackStatus',
              'config:PutConfigurationRecorder',
              'config:PutDeliveryChannel',
              'config:StartConfigurationRecorder',
              'config:StopConfigurationRecorder',
              'config:DeleteDeliveryChannel',
              'config:DeleteConfigurationRecorder',
              'config:PutConformancePack',
              'config:DeleteConformancePack',
            ],
            Resource: '*',
          },
          {
            Sid: 'PassConfigRecorderRole',
            Effect: 'Allow',
            Action: 'iam:PassRole',
            Resource: sub(`arn:${PARTITION}:iam::${VAR.account}:role/${configRecorderRoleName(VAR.app)}`),
            Condition: { StringEquals: { 'iam:PassedToService': 'config.amazonaws.com' } },
          },
          {
            // PutConformancePack makes AWS Config's conformance pack service-linked role if the
            // account has none yet.
            Sid: 'ConformancePackServiceLinkedRole',
            Effect: 'Allow',
            Action: 'iam:CreateServiceLinkedRole',
            Resource: `arn:${PARTITION}:iam::*:role/aws-service-role/config-conforms.config.amazonaws.com/AWSServiceRoleForConfigConforms`,
            Condition: { StringEquals: { 'iam:AWSServiceName': 'config-conforms.config.amazonaws.com' } },
          },
          {
            Sid: 'ListApplicationStackBuckets',
            Effect: 'Allow',
            Action: 'cloudformation:ListStackResources',
            Resource: sub(`${appStacks}/*`),
          },
          {
            Sid: 'EmptyApplicationBuckets',
            Effect: 'Allow',
            Action: ['s3:ListBucketVersions', 's3:PutBucketLogging'],
            Resource: sub(appBuckets),
          },
          {
            Sid: 'DeleteApplicationObjects',
            Effect: 'Allow',
            Action: ['s3:DeleteObject', 's3:DeleteObjectVersion'],
            Resource: sub(`${appBuckets}/*`),
          },
        ),
      },
    ],
  });
  Validations.of(role).acknowledge({
    id: 'AwsSolutions-IAM5[Resource::*]',
    reason:
      "AWS Config's recorder, delivery channel and conformance pack actions take no resource ARN the template could name (the recorder and channel have none; a pack's ARN ends in an id AWS assigns).",
  });
  Validations.of(role).acknowledge({
    id: `AwsSolutions-IAM5[Resource::arn:${PARTITION}:iam::*:role/aws-service-role/config-conforms.config.amazonaws.com/AWSServiceRoleForConfigConforms]`,
    reason:
      "AWS Config's own service-linked role, in this account only (a role ARN's account is the caller's).",
  });
  acknowledgeWildcardResources(role, {
    [`${appStacks}/*`]: "The application's StackSets stacks: their names end in an id StackSets assigns.",
    [appBuckets]: "The application's buckets (appvend-<application>-…), named by the artifact store stack.",
    [`${appBuckets}/*`]: "Objects of the application's buckets, emptied before their stacks are deleted.",
  });
  return role;
}
