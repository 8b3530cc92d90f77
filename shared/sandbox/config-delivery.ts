import type { CallContext } from './context';
import { configError } from './config-common';
import type { ExternalBucketState } from './state';
import { policyWildcard } from './policy-wildcard';

/**
 * AWS Config's check, on PutDeliveryChannel, that it can deliver to the bucket: "When AWS Config
 * sends configuration information to an Amazon S3 bucket in another account, it first attempts to
 * use the IAM role, but this attempt fails if the access policy for the bucket does not grant WRITE
 * access to the IAM role. In this event, AWS Config sends the information again, this time as the
 * AWS Config service principal." (Permissions for the Amazon S3 Bucket, Config developer guide.)
 *
 * Modelled for buckets the sandbox knows a policy of (`Sandbox.putExternalBucket`):
 * - as the recorder's role: the role allows s3:PutObject (a stack-made role's inline policies), and
 *   the bucket is in the account or its policy lets the role put objects under
 *   `AWSLogs/<account>/` (Principal `*` or the account or role, conditions on aws:PrincipalOrgID and
 *   aws:PrincipalArn read, s3:x-amz-acl taken as met);
 * - as the service principal: the policy lets `config.amazonaws.com` put those objects with no
 *   condition or aws:SourceAccount naming the account. A condition on the organization
 *   (aws:PrincipalOrgID, aws:SourceOrgID, …) does not admit it: estimate, see
 *   docs/aws-behaviours.md.
 * Any other bucket is accepted as before (the sandbox has no S3 bucket policies of its own).
 */
export function checkDeliveryBucket(
  ctx: CallContext,
  bucketName: string,
  keyPrefix: string | undefined,
): void {
  const bucket = ctx.state.externalBuckets?.[bucketName];
  if (!bucket) return;
  const account = ctx.caller.accountId;
  const key = `arn:aws:s3:::${bucketName}/${keyPrefix ? `${keyPrefix}/` : ''}AWSLogs/${account}/Config/ConfigWritabilityCheckFile`;
  const recorder = ctx.state.config[`${account}/${ctx.region}`]?.recorder;
  const roleName = recorder?.roleARN.split('/').pop();
  const role = roleName === undefined ? undefined : ctx.state.accounts[account]?.roles[roleName];
  const roleMayWrite =
    role?.allowedActions?.some((a) => glob(a).test('s3:PutObject')) === true &&
    (bucket.account === account || bucketAdmits(ctx, bucket, key, { role: recorder!.roleARN }));
  if (roleMayWrite || bucketAdmits(ctx, bucket, key, { service: 'config.amazonaws.com' })) return;
  throw configError(
    'InsufficientDeliveryPolicyException',
    'Your Amazon S3 bucket policy does not allow Config to write to it.',
  );
}

type Caller = { role: string } | { service: string };

interface PolicyStatement {
  Effect?: unknown;
  Principal?: unknown;
  Action?: unknown;
  Resource?: unknown;
  Condition?: Record<string, Record<string, unknown>>;
}

const list = (value: unknown): string[] =>
  (Array.isArray(value) ? value : value === undefined ? [] : [value]).map(String);

const glob = (pattern: string): RegExp => policyWildcard(pattern, 'i');

/** Keys about the organization: a service principal is no member of it. */
const ORGANIZATION_KEYS = new Set([
  'aws:principalorgid',
  'aws:principalorgpaths',
  'aws:sourceorgid',
  'aws:sourceorgpaths',
]);

function bucketAdmits(ctx: CallContext, bucket: ExternalBucketState, key: string, caller: Caller): boolean {
  let statements: PolicyStatement[];
  try {
    const document = JSON.parse(bucket.policy ?? '{}') as { Statement?: unknown };
    statements = (Array.isArray(document.Statement) ? document.Statement : [document.Statement]).filter(
      Boolean,
    ) as PolicyStatement[];
  } catch {
    return false;
  }
  const account = ctx.caller.accountId;
  return statements.some((statement) => {
    if (statement.Effect !== 'Allow') return false;
    if (!list(statement.Action).some((a) => glob(a).test('s3:PutObject'))) return false;
    if (!list(statement.Resource).some((r) => glob(r).test(key))) return false;
    if (!principalMatches(statement.Principal, caller, account)) return false;
    return conditionsMet(ctx, statement.Condition ?? {}, caller, account);
  });
}

function principalMatches(principal: unknown, caller: Caller, account: string): boolean {
  if (principal === '*') return 'role' in caller;
  const { AWS, Service } = (principal ?? {}) as { AWS?: unknown; Service?: unknown };
  if ('service' in caller) return list(Service).includes(caller.service);
  return list(AWS).some(
    (p) => p === '*' || p === account || p === `arn:aws:iam::${account}:root` || p === caller.role,
  );
}

function conditionsMet(
  ctx: CallContext,
  conditions: Record<string, Record<string, unknown>>,
  caller: Caller,
  account: string,
): boolean {
  for (const [operator, keys] of Object.entries(conditions)) {
    for (const [rawKey, rawValues] of Object.entries(keys)) {
      const key = rawKey.toLowerCase();
      const values = list(rawValues);
      if (key === 's3:x-amz-acl') continue; // AWS Config writes with bucket-owner-full-control
      if (ORGANIZATION_KEYS.has(key)) {
        if ('service' in caller || !key.endsWith('orgid')) return false;
        if (!values.includes(ctx.state.organization.id)) return false;
        continue;
      }
      if (key === 'aws:sourceaccount' && 'service' in caller) {
        if (!values.includes(account)) return false;
        continue;
      }
      if (
        key === 'aws:principalarn' &&
        'role' in caller &&
        /^Arn(Like|Equals)$|^String(Like|Equals)$/.test(operator)
      ) {
        if (!values.some((v) => glob(v).test(caller.role))) return false;
        continue;
      }
      // A condition the model does not read: the statement is not counted on.
      return false;
    }
  }
  return true;
}
