import { configRecorderRoleName } from './naming';

/**
 * The policy of the S3 bucket AWS Config delivers to (`ConfigDeliveryBucket`, in the management
 * account), as the README shows it: the recorder roles appvend creates in the organization's
 * accounts (aws:PrincipalOrgID and the role's name) may check the bucket and write their account's
 * prefix. AWS Config delivers as the recorder's role first; the service principal, which it falls
 * back to, is no member of the organization, so an organization condition never admits it.
 */
export function configDeliveryBucketPolicy(bucket: string, organizationId: string): object {
  const recorderRoles = {
    StringEquals: { 'aws:PrincipalOrgID': organizationId },
    ArnLike: { 'aws:PrincipalArn': `arn:aws:iam::*:role/${configRecorderRoleName('*')}` },
  };
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'AppvendConfigRecordersCheckBucket',
        Effect: 'Allow',
        Principal: { AWS: '*' },
        Action: ['s3:GetBucketAcl', 's3:ListBucket'],
        Resource: `arn:aws:s3:::${bucket}`,
        Condition: recorderRoles,
      },
      {
        Sid: 'AppvendConfigRecordersDeliver',
        Effect: 'Allow',
        Principal: { AWS: '*' },
        Action: 's3:PutObject',
        Resource: `arn:aws:s3:::${bucket}/AWSLogs/*/Config/*`,
        Condition: {
          ...recorderRoles,
          StringEquals: { ...recorderRoles.StringEquals, 's3:x-amz-acl': 'bucket-owner-full-control' },
        },
      },
    ],
  };
}
