import {
  accessLogsBucketName,
  accountName,
  appStackName,
  approvalTopicName,
  artifactBucketName,
  artifactKeyAlias,
  boundaryPolicyName,
  buildProjectName,
  buildRoleName,
  complianceNotifierRoleName,
  complianceRuleName,
  configRecorderRoleName,
  conformancePackName,
  ouName,
  pipelineName,
  pipelineRoleName,
  pipelineStageName,
  scpName,
  stackSetName,
  TEMPLATE_KEYS,
} from './naming';

/**
 * The names appvend derives from a request, each with the limit AWS puts on it. The request's
 * length limits are computed from this table, so a name that fits the request fits every resource,
 * and the error names the resource that sets the limit.
 */
export interface DerivedName {
  /** What the name is, as a person reads it: "artifact bucket name". */
  what: string;
  /** AWS's limit on its length. */
  limit: number;
  /** Who sets the limit. */
  service: string;
  /** The name for an application and a stage; application-wide names ignore the stage. */
  render(app: string, stage: string): string;
}

/** Account ids are always 12 digits: the longest id is the only id length. */
const ANY_ACCOUNT_ID = '000000000000';
const LONGEST_TEMPLATE_KEY = [...TEMPLATE_KEYS].sort((a, b) => b.length - a.length)[0]!;

/** Names that depend on the application name only. */
export const APPLICATION_NAMES: readonly DerivedName[] = [
  {
    what: 'artifact bucket name',
    limit: 63,
    service: 'S3',
    render: (a) => artifactBucketName(a, ANY_ACCOUNT_ID),
  },
  {
    what: 'access log bucket name',
    limit: 63,
    service: 'S3',
    render: (a) => accessLogsBucketName(a, ANY_ACCOUNT_ID),
  },
  { what: 'pipeline role name', limit: 64, service: 'IAM', render: pipelineRoleName },
  { what: 'build role name', limit: 64, service: 'IAM', render: buildRoleName },
  { what: 'Config recorder role name', limit: 64, service: 'IAM', render: configRecorderRoleName },
  { what: 'compliance notifier role name', limit: 64, service: 'IAM', render: complianceNotifierRoleName },
  { what: 'compliance rule name', limit: 64, service: 'EventBridge', render: complianceRuleName },
  { what: 'permissions boundary name', limit: 128, service: 'IAM', render: boundaryPolicyName },
  { what: 'OU name', limit: 128, service: 'AWS Organizations', render: ouName },
  { what: 'SCP name', limit: 128, service: 'AWS Organizations', render: scpName },
  {
    what: 'stack set name',
    limit: 128,
    service: 'CloudFormation',
    render: (a) => stackSetName(a, LONGEST_TEMPLATE_KEY),
  },
  { what: 'pipeline name', limit: 100, service: 'CodePipeline', render: pipelineName },
  { what: 'build project name', limit: 150, service: 'CodeBuild', render: buildProjectName },
  { what: 'approval topic name', limit: 256, service: 'SNS', render: approvalTopicName },
  { what: 'conformance pack name', limit: 256, service: 'AWS Config', render: conformancePackName },
  { what: 'artifact key alias', limit: 256, service: 'KMS', render: artifactKeyAlias },
];

/** Names that depend on a stage (and the application name). */
export const STAGE_NAMES: readonly DerivedName[] = [
  { what: 'account name', limit: 50, service: 'AWS Organizations', render: accountName },
  { what: 'application stack name', limit: 128, service: 'CloudFormation', render: appStackName },
  {
    what: 'pipeline stage name',
    limit: 100,
    service: 'CodePipeline',
    render: (_a, s) => pipelineStageName(s),
  },
];

/** The longest value of one part (the application name or the stage) that keeps every name within its limit. */
export interface LengthLimit {
  max: number;
  /** The name that sets the limit. */
  binding: DerivedName;
  /** How the binding name is built, for the error message: `appvend-{name}-artifacts-{account id}`. */
  pattern: string;
}

function tightest(
  names: readonly DerivedName[],
  lengthOf: (name: DerivedName, n: number) => number,
): LengthLimit {
  let best: LengthLimit | undefined;
  for (const name of names) {
    // Each part appears at most once in a name: the length grows by one per character.
    const fixed = lengthOf(name, 0);
    const grows = lengthOf(name, 1) - fixed;
    if (grows === 0) continue;
    const max = Math.floor((name.limit - fixed) / grows);
    if (!best || max < best.max) {
      const pattern = name.render('{name}', '{stage}').replaceAll(ANY_ACCOUNT_ID, '{account id}');
      best = { max, binding: name, pattern };
    }
  }
  if (!best) throw new Error('No derived name depends on this part');
  return best;
}

/** The longest application name every application-wide and stage name allows (with the shortest stage). */
export const NAME_LENGTH_LIMIT = tightest(
  [...APPLICATION_NAMES, ...STAGE_NAMES],
  (name, n) => name.render('a'.repeat(n), '').length,
);

/** The longest stage name every stage name allows next to the longest application name. */
export const STAGE_LENGTH_LIMIT = tightest(
  STAGE_NAMES,
  (name, n) => name.render('a'.repeat(NAME_LENGTH_LIMIT.max), 'a'.repeat(n)).length,
);

/** "…must be at most 32 characters: the S3 artifact bucket name appvend-{name}-artifacts-{account id} is limited to 63". */
export function lengthLimitReason(limit: LengthLimit): string {
  return `the ${limit.binding.service} ${limit.binding.what} ${limit.pattern} is limited to ${limit.binding.limit}`;
}
