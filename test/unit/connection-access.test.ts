import { connectionAccess } from '../../shared/domain/connection';
import { shareClientToken } from '../../shared/aws/connection-share';
import { ConnectionNotUsableError } from '../../shared/errors';

const MANAGEMENT = '111111111111';
const TOOLING = '200000000001';
const OTHER = '222222222222';
const connection = (service: string, account: string) =>
  `arn:aws:${service}:us-east-1:${account}:connection/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0`;

describe("connectionAccess: how the tooling account's pipeline reaches the connection", () => {
  it('shares a codeconnections connection of the account appvend runs in (share)', () => {
    // Act
    const access = connectionAccess(connection('codeconnections', MANAGEMENT), TOOLING, MANAGEMENT);

    // Assess
    expect(access).toEqual({ kind: 'share', owner: MANAGEMENT });
  });

  it('shares it for a tooling account still to be created too', () => {
    // Act
    const access = connectionAccess(connection('codeconnections', MANAGEMENT), undefined, MANAGEMENT);

    // Assess
    expect(access.kind).toBe('share');
  });

  it("leaves another account's codeconnections connection to a share by hand (shared, with the note)", () => {
    // Act
    const access = connectionAccess(connection('codeconnections', OTHER), TOOLING, MANAGEMENT);

    // Assess
    expect(access).toEqual({
      kind: 'shared',
      owner: OTHER,
      message: expect.stringContaining('share this one by hand'),
    });
  });

  it("does not share a codestar-connections connection, even the management account's: RAM cannot (unusable)", () => {
    // Act
    const access = connectionAccess(connection('codestar-connections', MANAGEMENT), TOOLING, MANAGEMENT);

    // Assess
    expect(access).toMatchObject({ kind: 'unusable', owner: MANAGEMENT });
  });

  it('needs no share when the tooling account owns the connection (owned)', () => {
    // Act
    const access = connectionAccess(connection('codestar-connections', TOOLING), TOOLING, MANAGEMENT);

    // Assess
    expect(access).toEqual({ kind: 'owned' });
  });

  it('without the account appvend runs in, every other account’s connection is shared by hand', () => {
    // Act
    const access = connectionAccess(connection('codeconnections', MANAGEMENT), TOOLING);

    // Assess
    expect(access.kind).toBe('shared');
  });

  it('refuses what is not a connection ARN, naming the field', () => {
    // Act
    const act = () => connectionAccess('arn:aws:s3:::bucket', TOOLING, MANAGEMENT);

    // Assess
    expect(act).toThrow(ConnectionNotUsableError);
    expect(act).toThrow(/^source\.connectionArn: /);
  });
});

describe('shareClientToken: the idempotency token of a RAM call', () => {
  it('is the same for the same parameters, so a retry after a lost answer is recognized', () => {
    // Act
    const first = shareClientToken('CreateResourceShare', ['appvend-orders-connection', 'arn', TOOLING]);
    const again = shareClientToken('CreateResourceShare', ['appvend-orders-connection', 'arn', TOOLING]);

    // Assess
    expect(again).toBe(first);
    expect(first).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-8[0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('differs when a parameter differs, so RAM never sees one token with two sets of parameters', () => {
    // Act
    const one = shareClientToken('CreateResourceShare', ['appvend-orders-connection', 'arn', TOOLING]);
    const other = shareClientToken('CreateResourceShare', ['appvend-orders-connection', 'arn', OTHER]);

    // Assess
    expect(other).not.toBe(one);
  });
});
