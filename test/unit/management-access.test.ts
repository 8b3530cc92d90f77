import {
  MANAGEMENT_READ_ROLE_NAME,
  MANAGEMENT_WRITE_ROLE_NAME,
  isManagementPermission,
  managementRoleFor,
  splitPermissions,
} from '../../infra/service/management-access';
import { mergeGrants } from '../../infra/service/management-access-stack';
import type { StepPermission } from '../../infra/service/step-permissions';
import { identityOfRole, principalArnOf } from '../../shared/domain/management-access';

const permission = (sid: string, ...actions: string[]): StepPermission => ({
  sid,
  actions,
  resources: ['*'],
});

describe('Function: splitPermissions', () => {
  it("puts Organizations, Account Management, Identity Center and the member role's statements on the management side", () => {
    // Prepare
    const all = [
      permission('Org', 'organizations:CreateAccount'),
      permission('Contacts', 'account:PutAlternateContact'),
      permission('Sso', 'sso:ListInstances', 'identitystore:GetGroupId'),
      permission('AssumeMemberRoleInOrganization', 'sts:AssumeRole'),
      permission('Ledger', 'dynamodb:GetItem'),
      permission('Other', 'sts:AssumeRole'),
    ];

    // Act
    const { service, management } = splitPermissions(all);

    // Assess
    expect(management.map((p) => p.sid)).toEqual([
      'Org',
      'Contacts',
      'Sso',
      'AssumeMemberRoleInOrganization',
    ]);
    expect(service.map((p) => p.sid)).toEqual(['Ledger', 'Other']);
  });

  it('refuses a statement that mixes management calls with others, naming it', () => {
    expect(() =>
      isManagementPermission(permission('Mixed', 'organizations:ListAccounts', 's3:GetObject')),
    ).toThrow(/Mixed mixes management-account calls/);
  });

  it('sends a function that only reads to the read role, any other to the write role, none without management calls', () => {
    expect(
      managementRoleFor([permission('R', 'organizations:ListAccounts', 'sso:DescribePermissionSet')]),
    ).toBe(MANAGEMENT_READ_ROLE_NAME);
    expect(
      managementRoleFor([
        permission('R', 'organizations:ListAccounts'),
        permission('W', 'organizations:TagResource'),
      ]),
    ).toBe(MANAGEMENT_WRITE_ROLE_NAME);
    expect(managementRoleFor([permission('AssumeMemberRoleInOrganization', 'sts:AssumeRole')])).toBe(
      MANAGEMENT_WRITE_ROLE_NAME,
    );
    expect(managementRoleFor([])).toBeUndefined();
  });
});

describe('Function: mergeGrants', () => {
  it('keeps a statement shared by two functions once, for both, and renames a reused id of another statement', () => {
    // Prepare
    const arn = (name: string) => `arn:aws:iam::222222222222:role/${name}`;
    const grants = [
      { functionRoleName: 'appvend-a', permissions: [permission('Read', 'organizations:ListRoots')] },
      {
        functionRoleName: 'appvend-b-c',
        permissions: [
          permission('Read', 'organizations:ListRoots'),
          permission('Read', 'organizations:ListAccounts'),
        ],
      },
    ];

    // Act
    const merged = mergeGrants(grants, arn);

    // Assess
    expect(
      merged.map((p) => [p.sid, p.conditions?.StringEquals?.['aws:PrincipalTag/appvend:function']]),
    ).toEqual([
      ['Read', [arn('appvend-a'), arn('appvend-b-c')]],
      ['ReadForBC', [arn('appvend-b-c')]],
    ]);
  });
});

describe('Function: principalArnOf', () => {
  it("names a role session by its role's ARN, as aws:PrincipalArn does, and leaves a user's ARN as it is", () => {
    expect(
      principalArnOf('arn:aws:sts::111111111111:assumed-role/appvend-move-account/appvend-move-account'),
    ).toBe('arn:aws:iam::111111111111:role/appvend-move-account');
    expect(principalArnOf('arn:aws:iam::111111111111:user/admin')).toBe(
      'arn:aws:iam::111111111111:user/admin',
    );
  });
});

describe('Function: identityOfRole', () => {
  it('reads the account from a role ARN, with or without a path, and keeps the ARN as the principal', () => {
    expect(identityOfRole('arn:aws:iam::111111111111:role/appvend-move-account')).toEqual({
      account: '111111111111',
      principalArn: 'arn:aws:iam::111111111111:role/appvend-move-account',
    });
    expect(identityOfRole('arn:aws-us-gov:iam::222222222222:role/service/appvend-x').account).toBe(
      '222222222222',
    );
  });

  it('refuses what is no role ARN, naming the variable', () => {
    for (const wrong of [
      '',
      'arn:aws:iam::111111111111:user/admin',
      'arn:aws:sts::111111111111:assumed-role/r/s',
      'arn:aws:iam::11111111111:role/short-account',
    ]) {
      expect(() => identityOfRole(wrong)).toThrow(/APPVEND_FUNCTION_ROLE_ARN must be an IAM role ARN/);
    }
  });
});
