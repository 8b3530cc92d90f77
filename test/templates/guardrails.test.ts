import { Template } from 'aws-cdk-lib/assertions';
import { synthesizeVendedTemplates } from '../../infra/templates';
import { PSEUDO, evaluate, resourcesOfType, type Loose } from './helpers';

const TOPIC = 'arn:aws:sns:eu-west-1:444444444444:security-findings';
const PARAMETERS = { AppName: 'shop', NotificationTopicArn: TOPIC };
const ACCOUNT = PSEUDO['AWS::AccountId'];

describe('Template: guardrails', () => {
  let json: Loose;
  let resolved: Loose;
  const roleNamed = (name: string): Loose => {
    const found = Object.entries(resourcesOfType(resolved, 'AWS::IAM::Role')).find(
      ([, r]) => r.Properties.RoleName === name,
    );
    if (!found) throw new Error(`no role ${name}`);
    return { id: found[0], ...found[1].Properties };
  };

  beforeAll(() => {
    json = synthesizeVendedTemplates().guardrails;
    resolved = evaluate(json, PARAMETERS);
  });

  it('creates the Config recorder role with the AWS managed Config policy and write to its delivery prefix', () => {
    // Prepare
    const name = 'appvend-shop-config-recorder';

    // Act
    const role = roleNamed(name);

    // Assess
    expect(role.AssumeRolePolicyDocument.Statement).toEqual([
      {
        Effect: 'Allow',
        Principal: { Service: 'config.amazonaws.com' },
        Action: 'sts:AssumeRole',
        Condition: { StringEquals: { 'aws:SourceAccount': ACCOUNT } },
      },
    ]);
    expect(role.ManagedPolicyArns).toEqual(['arn:aws:iam::aws:policy/service-role/AWS_ConfigRole']);
    // AWS Config delivers as this role: this account's prefix, buckets of the management account only
    expect(role.Policies).toEqual([
      {
        PolicyName: 'DeliverToConfigBucket',
        PolicyDocument: {
          Version: '2012-10-17',
          Statement: [
            {
              Sid: 'DeliverConfigurationItems',
              Effect: 'Allow',
              Action: 's3:PutObject',
              Resource: `arn:aws:s3:::*/AWSLogs/${ACCOUNT}/Config/*`,
              Condition: {
                StringEquals: {
                  's3:ResourceAccount': '444444444444',
                  's3:x-amz-acl': 'bucket-owner-full-control',
                },
              },
            },
            {
              Sid: 'CheckDeliveryBucket',
              Effect: 'Allow',
              Action: ['s3:GetBucketAcl', 's3:ListBucket'],
              Resource: 'arn:aws:s3:::*',
              Condition: { StringEquals: { 's3:ResourceAccount': '444444444444' } },
            },
          ],
        },
      },
    ]);
  });

  it('sends NON_COMPLIANT Config evaluations to the security topic', () => {
    // Prepare
    const template = Template.fromJSON(json);
    const notifier = roleNamed('appvend-shop-compliance-notifier');

    // Act
    const [rule] = Object.values(resourcesOfType(resolved, 'AWS::Events::Rule'));

    // Assess
    template.resourceCountIs('AWS::Events::Rule', 1);
    expect(rule!.Properties).toEqual(
      expect.objectContaining({
        Name: 'appvend-shop-noncompliance',
        State: 'ENABLED',
        EventPattern: {
          source: ['aws.config'],
          'detail-type': ['Config Rules Compliance Change'],
          detail: {
            messageType: ['ComplianceChangeNotification'],
            newEvaluationResult: { complianceType: ['NON_COMPLIANT'] },
          },
        },
        Targets: [{ Id: 'SecurityTeamTopic', Arn: TOPIC, RoleArn: `<${notifier.id}.Arn>` }],
      }),
    );
  });

  it('lets EventBridge, for this rule only, publish to the security topic (and use its key through SNS) and nothing else', () => {
    // Prepare
    const role = roleNamed('appvend-shop-compliance-notifier');

    // Act
    const statements = role.Policies.flatMap((p: Loose) => p.PolicyDocument.Statement);

    // Assess
    expect(role.AssumeRolePolicyDocument.Statement).toEqual([
      {
        Effect: 'Allow',
        Principal: { Service: 'events.amazonaws.com' },
        Action: 'sts:AssumeRole',
        Condition: {
          StringEquals: { 'aws:SourceAccount': ACCOUNT },
          ArnEquals: {
            'aws:SourceArn': `arn:aws:events:eu-west-1:${ACCOUNT}:rule/appvend-shop-noncompliance`,
          },
        },
      },
    ]);
    expect(statements).toEqual([
      { Sid: 'Publish', Effect: 'Allow', Action: 'sns:Publish', Resource: TOPIC },
      {
        Sid: 'EncryptForTheTopic',
        Effect: 'Allow',
        Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
        // The topic's account (444444444444), its topics key only, through SNS only.
        Resource: 'arn:aws:kms:eu-west-1:444444444444:key/*',
        Condition: {
          StringEquals: { 'kms:ViaService': 'sns.eu-west-1.amazonaws.com' },
          'ForAnyValue:StringEquals': { 'kms:ResourceAliases': 'alias/appvend-topics' },
        },
      },
    ]);
  });

  it("makes the member access role, trusted only by the service's named function roles in the topic's account, for an hour", () => {
    // Act
    const role = roleNamed('appvend-member-access');
    const actions = (role.Policies as Loose[]).flatMap((p: Loose) =>
      (p.PolicyDocument.Statement as Loose[]).flatMap((s: Loose) => [s.Action].flat()),
    );

    // Assess: the service's account is the topic's (444444444444), never this account.
    expect(role.AssumeRolePolicyDocument.Statement).toEqual([
      {
        Sid: 'AppvendServiceFunctions',
        Effect: 'Allow',
        Principal: { AWS: 'arn:aws:iam::444444444444:root' },
        Action: 'sts:AssumeRole',
        Condition: {
          ArnEquals: {
            'aws:PrincipalArn': [
              'register-guardrails',
              'check-guardrails',
              'reconcile-drift',
              'remove-guardrails',
              'remove-stack-set',
            ].map((step) => `arn:aws:iam::444444444444:role/appvend-${step}`),
          },
          StringEquals: { 'aws:PrincipalOrgID': '${aws:ResourceOrgID}' },
        },
      },
    ]);
    expect(role.MaxSessionDuration).toBe(3600);
    // IAM: only passing the recorder role and Config's conformance pack service-linked role.
    expect(actions.filter((a: string) => a.startsWith('iam:')).sort()).toEqual([
      'iam:CreateServiceLinkedRole',
      'iam:PassRole',
    ]);
    expect(actions.every((a: string) => /^(config|iam|cloudformation|s3):/.test(a))).toBe(true);
  });
});
