/**
 * The AWS Config conformance pack appvend registers in every application account (DESIGN.md §1.5).
 *
 * Plain TypeScript with no dependency: Lambda handlers use it to call PutConformancePack, and the CDK
 * synth step writes the same body next to the vended templates.
 */

export type ConformancePackProfile = 'serverless' | 'regulated';

/** The pack parameter that carries the digest of the template it was deployed from. */
export const CONFORMANCE_PACK_DIGEST_PARAMETER = 'AppvendTemplateDigest';

type Frequency = 'One_Hour' | 'Three_Hours' | 'Six_Hours' | 'Twelve_Hours' | 'TwentyFour_Hours';

/** One AWS managed Config rule of a pack. */
export interface ManagedConfigRule {
  /** Rule name inside the pack (Config suffixes it with `-conformance-pack-<id>`). */
  name: string;
  /** The AWS managed rule identifier, for example `S3_BUCKET_VERSIONING_ENABLED`. */
  identifier: string;
  description: string;
  /** Change-triggered rules: the resource types they evaluate. */
  resourceTypes?: readonly string[];
  /** Periodic rules: how often they run. */
  frequency?: Frequency;
}

const SERVERLESS_RULES: readonly ManagedConfigRule[] = [
  {
    name: 's3-bucket-versioning-enabled',
    identifier: 'S3_BUCKET_VERSIONING_ENABLED',
    description: 'S3 buckets have versioning enabled.',
    resourceTypes: ['AWS::S3::Bucket'],
  },
  {
    name: 's3-bucket-server-side-encryption-enabled',
    identifier: 'S3_BUCKET_SERVER_SIDE_ENCRYPTION_ENABLED',
    description: 'S3 buckets have default server-side encryption.',
    resourceTypes: ['AWS::S3::Bucket'],
  },
  {
    name: 's3-bucket-public-read-prohibited',
    identifier: 'S3_BUCKET_PUBLIC_READ_PROHIBITED',
    description: 'S3 buckets do not allow public read access.',
    resourceTypes: ['AWS::S3::Bucket'],
  },
  {
    name: 's3-bucket-public-write-prohibited',
    identifier: 'S3_BUCKET_PUBLIC_WRITE_PROHIBITED',
    description: 'S3 buckets do not allow public write access.',
    resourceTypes: ['AWS::S3::Bucket'],
  },
  {
    name: 's3-bucket-ssl-requests-only',
    identifier: 'S3_BUCKET_SSL_REQUESTS_ONLY',
    description: 'S3 bucket policies deny requests that do not use TLS.',
    resourceTypes: ['AWS::S3::Bucket'],
  },
  {
    name: 'iam-policy-no-statements-with-admin-access',
    identifier: 'IAM_POLICY_NO_STATEMENTS_WITH_ADMIN_ACCESS',
    description: 'Customer managed IAM policies do not allow "*" actions on "*" resources.',
    resourceTypes: ['AWS::IAM::Policy'],
  },
  {
    name: 'iam-policy-no-statements-with-full-access',
    identifier: 'IAM_POLICY_NO_STATEMENTS_WITH_FULL_ACCESS',
    description: 'Customer managed IAM policies do not allow "service:*" actions.',
    resourceTypes: ['AWS::IAM::Policy'],
  },
  {
    name: 'lambda-function-public-access-prohibited',
    identifier: 'LAMBDA_FUNCTION_PUBLIC_ACCESS_PROHIBITED',
    description: 'Lambda function policies do not allow public invocation.',
    resourceTypes: ['AWS::Lambda::Function'],
  },
  {
    name: 'cmk-backing-key-rotation-enabled',
    identifier: 'CMK_BACKING_KEY_ROTATION_ENABLED',
    description: 'Customer managed KMS keys have automatic rotation enabled.',
    frequency: 'TwentyFour_Hours',
  },
  {
    name: 'cloudtrail-enabled',
    identifier: 'CLOUD_TRAIL_ENABLED',
    description: 'A CloudTrail trail (for example the organization trail) records the account.',
    frequency: 'TwentyFour_Hours',
  },
];

/**
 * Regulated data: the serverless rules, and checks that the data stores and logs an application
 * makes are encrypted with KMS keys and that no root access key exists.
 */
const REGULATED_RULES: readonly ManagedConfigRule[] = [
  ...SERVERLESS_RULES,
  {
    name: 'iam-root-access-key-check',
    identifier: 'IAM_ROOT_ACCESS_KEY_CHECK',
    description: 'The root user has no access key.',
    frequency: 'TwentyFour_Hours',
  },
  {
    name: 'cloudwatch-log-group-encrypted',
    identifier: 'CLOUDWATCH_LOG_GROUP_ENCRYPTED',
    description: 'CloudWatch Logs log groups are encrypted with a KMS key.',
    frequency: 'TwentyFour_Hours',
  },
  {
    name: 'dynamodb-table-encrypted-kms',
    identifier: 'DYNAMODB_TABLE_ENCRYPTED_KMS',
    description: 'DynamoDB tables are encrypted with a KMS key.',
    resourceTypes: ['AWS::DynamoDB::Table'],
  },
];

const PROFILES: Record<ConformancePackProfile, readonly ManagedConfigRule[]> = {
  serverless: SERVERLESS_RULES,
  regulated: REGULATED_RULES,
};

/** The managed rules of a profile, in pack order. */
export const conformancePackRules = (profile: ConformancePackProfile): readonly ManagedConfigRule[] =>
  PROFILES[profile];

/** `Logical-Id` of a rule: its name in PascalCase, as conformance pack templates want. */
const logicalId = (name: string): string =>
  name
    .split('-')
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');

/**
 * The YAML template body of the conformance pack of `profile` (PutConformancePack `TemplateBody`,
 * well under its 51,200-byte limit).
 *
 * @example
 * await config.send(new PutConformancePackCommand({
 *   ConformancePackName: conformancePackName(app),
 *   TemplateBody: conformancePackTemplate('serverless'),
 * }));
 */
export function conformancePackTemplate(profile: ConformancePackProfile): string {
  const lines = [
    `# appvend conformance pack: ${profile} profile (AWS managed Config rules)`,
    // Declared so that PutConformancePack accepts the input parameter through which appvend
    // remembers which template a pack was deployed from (compare before update).
    'Parameters:',
    `  ${CONFORMANCE_PACK_DIGEST_PARAMETER}:`,
    '    Type: String',
    '    Default: none',
    'Resources:',
  ];
  for (const rule of conformancePackRules(profile)) {
    lines.push(
      `  ${logicalId(rule.name)}:`,
      '    Type: AWS::Config::ConfigRule',
      '    Properties:',
      `      ConfigRuleName: ${rule.name}`,
      // The digest in each description says which appvend template a deployed rule came from.
      `      Description: !Sub ${JSON.stringify(`${rule.description} [appvend \${${CONFORMANCE_PACK_DIGEST_PARAMETER}}]`)}`,
      '      Source:',
      '        Owner: AWS',
      `        SourceIdentifier: ${rule.identifier}`,
    );
    if (rule.resourceTypes) {
      lines.push(
        '      Scope:',
        '        ComplianceResourceTypes:',
        ...rule.resourceTypes.map((t) => `          - ${t}`),
      );
    }
    if (rule.frequency) lines.push(`      MaximumExecutionFrequency: ${rule.frequency}`);
  }
  return `${lines.join('\n')}\n`;
}
