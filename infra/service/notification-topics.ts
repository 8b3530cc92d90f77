import { Aws, RemovalPolicy } from 'aws-cdk-lib';
import { AnyPrincipal, PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import { complianceNotifierRoleName } from '../../shared/domain/naming';
import { TOPICS_KEY_ALIAS } from '../../shared/domain/naming';

export const NOTIFICATIONS_TOPIC_NAME = 'appvend-notifications';
export const SECURITY_FINDINGS_TOPIC_NAME = 'appvend-security-findings';
/** Alarms of the service are named `appvend-…`; only they may publish to the notifications topic. */
export const ALARM_NAME_PREFIX = 'appvend-';

export interface NotificationTopicsProps {
  /** The organization (`o-…`) whose application accounts report non-compliance. */
  organizationId: string;
  notificationEmails: readonly string[];
  securityEmails: readonly string[];
}

/**
 * Two topics encrypted with one customer managed key (a custom key, because the application
 * accounts' publishers and CloudWatch must be allowed to use it):
 * - notifications: what the platform team hears (vend results, the service's alarms);
 * - security findings: AWS Config non-compliance, sent by each application account's guardrails
 *   stack (its `appvend-<app>-compliance-notifier` role, through EventBridge).
 */
export class NotificationTopics extends Construct {
  public readonly key: Key;
  public readonly notifications: Topic;
  public readonly securityFindings: Topic;

  public constructor(scope: Construct, id: string, props: NotificationTopicsProps) {
    super(scope, id);
    this.key = new Key(this, 'Key', {
      alias: TOPICS_KEY_ALIAS,
      description: 'appvend: encrypts the notifications and security findings topics',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.notifications = new Topic(this, 'Notifications', {
      topicName: NOTIFICATIONS_TOPIC_NAME,
      displayName: 'appvend notifications',
      masterKey: this.key,
      enforceSSL: true,
    });
    this.securityFindings = new Topic(this, 'SecurityFindings', {
      topicName: SECURITY_FINDINGS_TOPIC_NAME,
      displayName: 'appvend security findings',
      masterKey: this.key,
      enforceSSL: true,
    });

    // CloudWatch alarms of this account publish to the notifications topic.
    const alarms = {
      StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID },
      ArnLike: {
        'aws:SourceArn': `arn:${Aws.PARTITION}:cloudwatch:${Aws.REGION}:${Aws.ACCOUNT_ID}:alarm:${ALARM_NAME_PREFIX}*`,
      },
    };
    this.notifications.addToResourcePolicy(
      new PolicyStatement({
        sid: 'ServiceAlarmsPublish',
        principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [this.notifications.topicArn],
        conditions: alarms,
      }),
    );
    this.key.addToResourcePolicy(
      new PolicyStatement({
        sid: 'ServiceAlarmsUseKey',
        principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: alarms,
      }),
    );

    // Each application account's compliance notifier role, and no other principal of the organization.
    const notifiers = {
      StringEquals: { 'aws:PrincipalOrgID': props.organizationId },
      ArnLike: {
        'aws:PrincipalArn': `arn:${Aws.PARTITION}:iam::*:role/${complianceNotifierRoleName('*')}`,
      },
    };
    this.securityFindings.addToResourcePolicy(
      new PolicyStatement({
        sid: 'ApplicationAccountsReportNonCompliance',
        principals: [new AnyPrincipal()],
        actions: ['sns:Publish'],
        resources: [this.securityFindings.topicArn],
        conditions: notifiers,
      }),
    );
    this.key.addToResourcePolicy(
      new PolicyStatement({
        sid: 'ApplicationAccountsUseKeyThroughSns',
        principals: [new AnyPrincipal()],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: {
          ...notifiers,
          StringEquals: {
            ...notifiers.StringEquals,
            'kms:ViaService': `sns.${Aws.REGION}.${Aws.URL_SUFFIX}`,
          },
        },
      }),
    );

    for (const email of props.notificationEmails) {
      this.notifications.addSubscription(new EmailSubscription(email));
    }
    for (const email of props.securityEmails) {
      this.securityFindings.addSubscription(new EmailSubscription(email));
    }
  }
}
