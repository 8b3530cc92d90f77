import { DEFAULT_ACCESS_ROLE, PARTITION } from './aws-constants';
import type { Caller } from './context';
import { awsError, type ServiceName } from './errors';
import { managementAccessKeyId, next, sessionAccessKeyId } from './ids';
import type { SandboxStateJson, SessionState } from './state';

/**
 * Credentials and principals. The sandbox never checks signatures: the access key id alone says
 * who is calling, which is all the model needs to attribute a call to an account.
 */

/** The name of the management account's administrator, whose static keys callers start from. */
export const MANAGEMENT_USER = 'sandbox-admin';

/** Static, fake credentials of the management account's administrator. */
export function managementCredentials(managementAccountId: string): {
  accessKeyId: string;
  secretAccessKey: string;
} {
  const accessKeyId = managementAccessKeyId(managementAccountId);
  return { accessKeyId, secretAccessKey: secretFor(accessKeyId) };
}

const secretFor = (accessKeyId: string): string => `sandbox-secret-${accessKeyId}`;

/** JSON-protocol services and query-protocol services name the same failures differently. */
const QUERY_PROTOCOL: ReadonlySet<ServiceName> = new Set(['sts', 'cloudformation']);

/** The caller behind an access key id, or the error AWS answers for a key it does not know. */
export function resolveCaller(
  state: SandboxStateJson,
  accessKeyId: string | undefined,
  now: number,
  service: ServiceName,
): Caller {
  const management = state.organization.managementAccountId;
  if (accessKeyId === managementAccessKeyId(management)) {
    return {
      accountId: management,
      arn: `arn:${PARTITION}:iam::${management}:user/${MANAGEMENT_USER}`,
      userId: `AIDA${management}ADMIN`,
    };
  }
  const session = accessKeyId === undefined ? undefined : state.sessions[accessKeyId];
  if (!session) {
    const name =
      service === 's3'
        ? 'InvalidAccessKeyId'
        : QUERY_PROTOCOL.has(service)
          ? 'InvalidClientTokenId'
          : 'UnrecognizedClientException';
    throw awsError(service, name, 'The security token included in the request is invalid.', { status: 403 });
  }
  if (now >= session.expiresAt) {
    const name = service === 'cloudformation' || service === 's3' ? 'ExpiredToken' : 'ExpiredTokenException';
    throw awsError(service, name, 'The security token included in the request is expired');
  }
  return sessionPrincipal(session);
}

/** The assumed-role principal of a session, as GetCallerIdentity reports it. */
export function sessionPrincipal(session: SessionState): Caller {
  return {
    accountId: session.accountId,
    arn: `arn:${PARTITION}:sts::${session.accountId}:assumed-role/${session.roleName}/${session.sessionName}`,
    userId: `${roleId(session.accountId, session.roleName)}:${session.sessionName}`,
  };
}

/** A stable `AROA…` role id (real role ids are random; this one is a hash of the role's ARN). */
export function roleId(accountId: string, roleName: string): string {
  let hash = 0x811c9dc5;
  for (const char of `${accountId}/${roleName}`) {
    hash = Math.imul(hash ^ char.charCodeAt(0), 0x01000193) >>> 0;
  }
  return `AROA${accountId}${hash.toString(36).toUpperCase().padStart(7, '0')}`;
}

/** Issues temporary credentials for a role session and remembers them. */
export function issueSession(
  state: SandboxStateJson,
  session: Omit<SessionState, 'accessKeyId'>,
): SessionState & { secretAccessKey: string; sessionToken: string } {
  const accessKeyId = sessionAccessKeyId(session.accountId, next(state, 'session'));
  const stored: SessionState = { accessKeyId, ...session };
  state.sessions[accessKeyId] = stored;
  return {
    ...stored,
    secretAccessKey: secretFor(accessKeyId),
    sessionToken: `sandbox-session-token-${accessKeyId}`,
  };
}

/** The role CreateAccount makes: full access, trusted by the management account only. */
export function accessRole(managementAccountId: string, name = DEFAULT_ACCESS_ROLE) {
  return { name, trustedAccounts: [managementAccountId] };
}
