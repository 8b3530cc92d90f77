/**
 * Who asked: the principal a front door records as an application's owner, taken only from what
 * AWS itself vouches for (API Gateway's verified caller, EventBridge's `account`, CloudFormation's
 * `StackId`), never from the request body. The `owner` email of a request is a contact only.
 *
 * Principals are compared as normalized ARNs:
 * - an STS assumed-role session `arn:aws:sts::123456789012:assumed-role/Role/session` is the role
 *   `arn:aws:iam::123456789012:role/Role`. The session ARN does not carry the role's path, so an
 *   IAM role ARN with a path (`role/team/Role`) is normalized to `role/Role` too: the match is on
 *   partition, account and role name (a role name is unique in its account, whatever its path);
 * - an IAM user likewise on account and user name (`user/Name`);
 * - an account (`arn:aws:iam::123456789012:root`, what an EventBridge event vouches for) owns as IAM
 *   treats an account principal: any principal of that account matches it;
 * - a CloudFormation stack (`arn:aws:cloudformation:…:stack/name/id`, the Service Catalog door) is
 *   matched exactly: only the provisioned product that launched the application acts on it.
 */

/** The caller of a door: its normalized principal, and whether it is a platform administrator. */
export interface Actor {
  principal: string;
  admin: boolean;
}

const PARTITION = 'aws(?:-[a-z]+)*';
const ACCOUNT = '\\d{12}';
/** IAM names: role and user names (`[\w+=,.@-]`, 1-64). */
const IAM_NAME = '[\\w+=,.@-]{1,64}';
const IAM_PATH = '(?:[\\x21-\\x7e]+/)?';

const ASSUMED_ROLE = new RegExp(
  `^arn:(${PARTITION}):sts::(${ACCOUNT}):assumed-role/(${IAM_NAME})/[\\w+=,.@-]{2,64}$`,
);
const ROLE_OR_USER = new RegExp(
  `^arn:(${PARTITION}):iam::(${ACCOUNT}):(role|user)/${IAM_PATH}(${IAM_NAME})$`,
);
const ACCOUNT_ROOT = new RegExp(`^arn:(${PARTITION}):iam::(${ACCOUNT}):root$`);
const STACK = new RegExp(
  `^arn:(${PARTITION}):cloudformation:[a-z0-9-]+:(${ACCOUNT}):stack/[A-Za-z][A-Za-z0-9-]{0,127}/[\\w-]{1,64}$`,
);

/** An IAM role ARN, with or without a path: the format of `managers` and of platform administrators. */
export const ROLE_ARN_PATTERN = new RegExp(`^arn:${PARTITION}:iam::${ACCOUNT}:role/${IAM_PATH}${IAM_NAME}$`);

/**
 * The principal an ARN stands for, normalized (see the module's comment); undefined for what is
 * not an IAM role, user, account, assumed-role session or CloudFormation stack.
 */
export function principalOf(arn: string): string | undefined {
  const session = ASSUMED_ROLE.exec(arn);
  if (session) return `arn:${session[1]}:iam::${session[2]}:role/${session[3]}`;
  const iam = ROLE_OR_USER.exec(arn);
  if (iam) return `arn:${iam[1]}:iam::${iam[2]}:${iam[3]}/${iam[4]}`;
  if (ACCOUNT_ROOT.test(arn) || STACK.test(arn)) return arn;
  return undefined;
}

/** The account principal of an account id, in the partition of `region` (EventBridge's `account`). */
export function accountPrincipal(accountId: string, region = 'us-east-1'): string {
  return `arn:${partitionOf(region)}:iam::${accountId}:root`;
}

/** The partition a region belongs to. */
export function partitionOf(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}

const accountOf = (principal: string): string | undefined =>
  /^arn:[^:]+:[^:]+:[^:]*:(\d{12}):/.exec(principal)?.[1];
const partitionOfArn = (principal: string): string | undefined => /^arn:([^:]+):/.exec(principal)?.[1];

/** Whether `caller` is `owner`, or a principal of the account `owner` names. */
export function principalMatches(owner: string, caller: string): boolean {
  const normalizedOwner = principalOf(owner) ?? owner;
  if (normalizedOwner === caller) return true;
  return (
    ACCOUNT_ROOT.test(normalizedOwner) &&
    accountOf(normalizedOwner) === accountOf(caller) &&
    partitionOfArn(normalizedOwner) === partitionOfArn(caller)
  );
}

/**
 * Platform administrators, from a comma-separated list of role ARNs (`APPVEND_PLATFORM_ADMINS`,
 * the `platformAdmins` context value). An entry that is not a role ARN is an error naming it: a
 * misspelt administrator must not go unnoticed.
 */
export function parsePlatformAdmins(value: string | undefined): string[] {
  const entries = (value ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
  const wrong = entries.filter((entry) => !ROLE_ARN_PATTERN.test(entry));
  if (wrong.length > 0) {
    throw new Error(
      `APPVEND_PLATFORM_ADMINS: ${wrong.map((w) => `"${w}"`).join(', ')} must be IAM role ARNs (arn:aws:iam::ACCOUNT:role/NAME)`,
    );
  }
  return entries.map((entry) => principalOf(entry)!);
}

/** The actor of a normalized principal, administrator when it is one of `admins`. */
export function actorOf(principal: string, admins: readonly string[]): Actor {
  return { principal, admin: admins.some((admin) => principalMatches(admin, principal)) };
}
