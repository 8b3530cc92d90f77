import type * as sts from '@aws-sdk/client-sts';
import { DEFAULT_SESSION_SECONDS, MAX_SESSION_SECONDS, MIN_SESSION_SECONDS } from './aws-constants';
import type { CallContext, HandlerTable, Out } from './context';
import { awsError } from './errors';
import { issueSession, roleId } from './identity';

/** STS: role sessions whose credentials later calls are attributed by. */

const ROLE_ARN = /^arn:aws[\w-]*:iam::(\d{12}):role\/(?:[\w+=,.@/-]*\/)?([\w+=,.@-]{1,64})$/;
const SESSION_NAME = /^[\w+=,.@-]{2,64}$/;

const validationError = (message: string) => awsError('sts', 'ValidationError', message);

function assumeRole(input: sts.AssumeRoleCommandInput, ctx: CallContext): Out<sts.AssumeRoleCommandOutput> {
  const { state, caller, now } = ctx;
  const match = typeof input.RoleArn === 'string' ? ROLE_ARN.exec(input.RoleArn) : null;
  if (!match)
    throw validationError(
      `1 validation error detected: Value '${input.RoleArn}' at 'roleArn' failed to satisfy constraint: Member must be a valid IAM role ARN`,
    );
  const [, accountId, roleName] = match as unknown as [string, string, string];
  const sessionName = input.RoleSessionName ?? '';
  if (!SESSION_NAME.test(sessionName)) {
    throw validationError(
      `1 validation error detected: Value '${sessionName}' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*`,
    );
  }
  const seconds = input.DurationSeconds ?? DEFAULT_SESSION_SECONDS;
  if (seconds < MIN_SESSION_SECONDS) {
    throw validationError(
      `1 validation error detected: Value '${seconds}' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to ${MIN_SESSION_SECONDS}`,
    );
  }
  if (seconds > MAX_SESSION_SECONDS) {
    throw validationError('The requested DurationSeconds exceeds the MaxSessionDuration set for this role.');
  }
  // An account still being created has no roles yet, so it is denied exactly like a wrong role;
  // so is a created account's role before it has propagated.
  const account = state.accounts[accountId];
  const role = account?.roles[roleName];
  const propagated =
    account?.joinedMethod !== 'CREATED' ||
    now >= account.joinedAt + ctx.settings.latency.accessRolePropagation;
  const trusted =
    propagated &&
    role !== undefined &&
    (role.trustedAccounts === '*' || role.trustedAccounts.includes(caller.accountId)) &&
    principalTrusted(role.trustedPrincipalArns, caller, state) &&
    sessionTagsTrusted(role.principalSessionTag, input.Tags, caller);
  if (!trusted) {
    throw awsError(
      'sts',
      'AccessDenied',
      `User: ${caller.arn} is not authorized to perform: sts:AssumeRole on resource: ${input.RoleArn}`,
      { status: 403 },
    );
  }
  const session = issueSession(state, { accountId, roleName, sessionName, expiresAt: now + seconds * 1000 });
  return {
    Credentials: {
      AccessKeyId: session.accessKeyId,
      SecretAccessKey: session.secretAccessKey,
      SessionToken: session.sessionToken,
      Expiration: new Date(session.expiresAt),
    },
    AssumedRoleUser: {
      AssumedRoleId: `${roleId(accountId, roleName)}:${sessionName}`,
      Arn: `arn:aws:sts::${accountId}:assumed-role/${roleName}/${sessionName}`,
    },
  };
}

/**
 * A trust narrowed to named roles (`aws:PrincipalArn`, which for a role session is the role's ARN,
 * not the session's) within the organization (`aws:PrincipalOrgID`); no narrowing when unset.
 */
function principalTrusted(
  arns: string[] | undefined,
  caller: CallContext['caller'],
  state: CallContext['state'],
): boolean {
  if (arns === undefined) return true;
  const inOrganization = state.accounts[caller.accountId] !== undefined;
  return inOrganization && arns.includes(principalArnOf(caller.arn));
}

/** `aws:PrincipalArn` of a caller: for a role session, the role's ARN (roles without a path). */
function principalArnOf(callerArn: string): string {
  const session = /^arn:(aws[\w-]*):sts::(\d{12}):assumed-role\/([\w+=,.@-]+)\/[\w+=,.@-]+$/.exec(callerArn);
  return session ? `arn:${session[1]}:iam::${session[2]}:role/${session[3]}` : callerArn;
}

/**
 * A trust that requires the caller to name itself in a session tag: exactly that tag, its value
 * the caller's own `aws:PrincipalArn` (AssumeRole's `Tags` need sts:TagSession in the trust too,
 * which such a trust grants). No requirement when unset.
 */
function sessionTagsTrusted(
  key: string | undefined,
  tags: sts.AssumeRoleCommandInput['Tags'],
  caller: CallContext['caller'],
): boolean {
  if (key === undefined) return true;
  const given = tags ?? [];
  return given.length === 1 && given[0]?.Key === key && given[0]?.Value === principalArnOf(caller.arn);
}

function getCallerIdentity(
  _input: sts.GetCallerIdentityCommandInput,
  ctx: CallContext,
): Out<sts.GetCallerIdentityCommandOutput> {
  return { UserId: ctx.caller.userId, Account: ctx.caller.accountId, Arn: ctx.caller.arn };
}

export const STS_HANDLERS: HandlerTable = {
  AssumeRole: assumeRole,
  GetCallerIdentity: getCallerIdentity,
};
