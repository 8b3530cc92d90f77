import { ConnectionNotUsableError } from '../errors';

/**
 * The pipeline's source connection (`source.connectionArn`) and whether the tooling account's
 * pipeline can use it. A connection belongs to the account that created it, and a freshly created
 * tooling account owns none, so the connection comes from another account and must be shared with
 * the tooling account through AWS RAM. AWS: "Connection sharing is not supported for
 * codestar-connections resources. This is only supported for codeconnections resources."
 * (Developer Tools console User Guide, "Share connections with AWS accounts").
 */
export interface ConnectionArn {
  service: 'codeconnections' | 'codestar-connections';
  region: string;
  accountId: string;
  id: string;
}

const CONNECTION_ARN =
  /^arn:aws[a-z-]*:(codeconnections|codestar-connections):([a-z0-9-]+):(\d{12}):connection\/(.+)$/;

/** The parts of a connection ARN the schema accepted; undefined for anything else. */
export function parseConnectionArn(arn: string): ConnectionArn | undefined {
  const match = CONNECTION_ARN.exec(arn);
  if (!match) return undefined;
  const [, service, region, accountId, id] = match;
  return { service: service as ConnectionArn['service'], region: region!, accountId: accountId!, id: id! };
}

/** What the tooling account's pipeline needs for the connection to work. */
export type ConnectionAccess =
  /** The tooling account owns the connection (an adopted account that created it). */
  | { kind: 'owned' }
  /**
   * The account appvend runs in (the management account) owns a codeconnections connection:
   * appvend shares it with the tooling account through AWS RAM before the pipeline is deployed.
   */
  | { kind: 'share'; owner: string }
  /** Another account owns it: it must be shared with the tooling account through AWS RAM by hand. */
  | { kind: 'shared'; owner: string; message: string }
  /** Another account owns a codestar-connections connection, which RAM cannot share. */
  | { kind: 'unusable'; owner: string; message: string };

/**
 * How the pipeline in `toolingAccountId` (undefined: an account still to be created) can reach the
 * connection. appvend shares only a codeconnections connection of `appvendAccountId`, the account it
 * runs in (RAM shares only what the caller owns); any other account's connection is shared by hand
 * (see README, "The pipeline's connection").
 */
export function connectionAccess(
  arn: string,
  toolingAccountId: string | undefined,
  appvendAccountId?: string,
): ConnectionAccess {
  const connection = parseConnectionArn(arn);
  if (!connection)
    throw new ConnectionNotUsableError(`source.connectionArn: "${arn}" is not a connection ARN`);
  if (connection.accountId === toolingAccountId) return { kind: 'owned' };
  const owner = connection.accountId;
  const tooling = toolingAccountId ? `the tooling account ${toolingAccountId}` : 'the new tooling account';
  if (connection.service === 'codestar-connections') {
    return {
      kind: 'unusable',
      owner,
      message:
        `source.connectionArn: the connection belongs to account ${owner}, not ${tooling}, and a ` +
        'codestar-connections connection cannot be shared through AWS RAM (only codeconnections ' +
        'connections can); create a CodeConnections connection (arn:aws:codeconnections:…), share it ' +
        'with the organization or the parent OU through AWS RAM, and put its ARN in the request',
    };
  }
  if (owner === appvendAccountId) return { kind: 'share', owner };
  return {
    kind: 'shared',
    owner,
    message:
      `source.connectionArn: the connection belongs to account ${owner}, not ${tooling}: the pipeline ` +
      'can use it only once it is shared with the tooling account (or its OU, or the organization) ' +
      'through AWS RAM; appvend shares only a connection of the account it runs in, so share this one by hand ' +
      '(README, "The pipeline\'s connection")',
  };
}

/** Refuses, before the pipeline is deployed, a connection the tooling account's pipeline can never use. */
export function assertConnectionUsable(
  arn: string,
  toolingAccountId: string,
  appvendAccountId?: string,
): ConnectionAccess {
  const access = connectionAccess(arn, toolingAccountId, appvendAccountId);
  if (access.kind === 'unusable') {
    throw new ConnectionNotUsableError(access.message, { connectionArn: arn, owner: access.owner });
  }
  return access;
}
