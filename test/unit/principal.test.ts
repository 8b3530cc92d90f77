import {
  accountPrincipal,
  actorOf,
  parsePlatformAdmins,
  principalMatches,
  principalOf,
} from '../../shared/ledger/principal';

describe('Function: principalOf — the principal an ARN stands for', () => {
  it.each([
    ['arn:aws:sts::123456789012:assumed-role/Deployer/alice', 'arn:aws:iam::123456789012:role/Deployer'],
    ['arn:aws:iam::123456789012:role/team/a/Deployer', 'arn:aws:iam::123456789012:role/Deployer'],
    ['arn:aws:iam::123456789012:role/Deployer', 'arn:aws:iam::123456789012:role/Deployer'],
    ['arn:aws:iam::123456789012:user/ops/carol', 'arn:aws:iam::123456789012:user/carol'],
    ['arn:aws:iam::123456789012:root', 'arn:aws:iam::123456789012:root'],
    ['arn:aws-us-gov:sts::123456789012:assumed-role/R/s1', 'arn:aws-us-gov:iam::123456789012:role/R'],
    [
      'arn:aws:cloudformation:us-east-1:123456789012:stack/SC-123456789012-pp-abc/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0',
      'arn:aws:cloudformation:us-east-1:123456789012:stack/SC-123456789012-pp-abc/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0',
    ],
  ])('normalizes %s to %s', (arn, principal) => {
    expect(principalOf(arn)).toBe(principal);
  });

  it.each([
    'orders-team@example.com',
    'arn:aws:iam::12345678901:role/Short',
    'arn:aws:s3:::bucket',
    'arn:aws:sts::123456789012:federated-user/bob',
    'arn:aws:iam::123456789012:role/',
  ])('refuses %s', (arn) => {
    expect(principalOf(arn)).toBeUndefined();
  });
});

describe('Function: principalMatches — who acts for an owner', () => {
  it('matches a session of the role, whatever the role path, and not another role or account', () => {
    // Prepare
    const owner = 'arn:aws:iam::123456789012:role/team/Deployer';

    // Act / Assess
    expect(
      principalMatches(owner, principalOf('arn:aws:sts::123456789012:assumed-role/Deployer/alice')!),
    ).toBe(true);
    expect(principalMatches(owner, 'arn:aws:iam::123456789012:role/Other')).toBe(false);
    expect(principalMatches(owner, 'arn:aws:iam::210987654321:role/Deployer')).toBe(false);
  });

  it('lets any principal of an owning account act, as IAM treats an account principal', () => {
    // Prepare
    const owner = accountPrincipal('123456789012', 'eu-west-1');

    // Act / Assess
    expect(principalMatches(owner, 'arn:aws:iam::123456789012:role/Deployer')).toBe(true);
    expect(principalMatches(owner, 'arn:aws:iam::210987654321:root')).toBe(false);
    expect(
      principalMatches(accountPrincipal('123456789012', 'cn-north-1'), 'arn:aws:iam::123456789012:root'),
    ).toBe(false);
  });
});

describe('Function: parsePlatformAdmins — the platform administrators setting', () => {
  it('reads comma-separated role ARNs, normalized, and none when unset', () => {
    // Act
    const admins = parsePlatformAdmins(
      ' arn:aws:iam::111111111111:role/platform/Admin ,arn:aws:iam::111111111111:role/Ops',
    );

    // Assess
    expect(admins).toEqual(['arn:aws:iam::111111111111:role/Admin', 'arn:aws:iam::111111111111:role/Ops']);
    expect(parsePlatformAdmins(undefined)).toEqual([]);
    expect(actorOf('arn:aws:iam::111111111111:role/Admin', admins).admin).toBe(true);
    expect(actorOf('arn:aws:iam::222222222222:role/Admin', admins).admin).toBe(false);
  });

  it('refuses an entry that is no role ARN, naming it', () => {
    expect(() => parsePlatformAdmins('arn:aws:iam::111111111111:role/Admin,111111111111')).toThrow(
      /"111111111111" must be IAM role ARNs/,
    );
  });
});
