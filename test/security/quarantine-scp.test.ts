/**
 * The quarantine SCP, answered by an IAM policy evaluator (@cloud-copilot/iam-simulate): while it
 * is attached to a new account, nobody but the vending roles can do anything there.
 */
import { runSimulation } from '@cloud-copilot/iam-simulate';
import { MEMBER_ACCESS_ROLE_NAME } from '../../shared/domain/member-access';
import { renderQuarantinePolicy } from '../../shared/domain/quarantine';

const ACCOUNT = '222222222222';
const ADMIN = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] };
const FULL_AWS_ACCESS = ADMIN;
const VENDING_ROLES = ['OrganizationAccountAccessRole', 'AWSCloudFormationStackSetExecutionRole'];
/** The baseline's roles of an application (`orders`), which the quarantine lets through too. */
const BASELINE_ROLES = ['appvend-orders-config-recorder', 'appvend-orders-compliance-notifier'];
/** What the baseline roles do while the account is quarantined: record, deliver, publish. */
const BASELINE_CALLS: [string, string][] = [
  ['s3:ListAllMyBuckets', '*'],
  ['s3:PutObject', `arn:aws:s3:::appvend-config-111111111111/AWSLogs/${ACCOUNT}/Config/x.json.gz`],
  ['config:PutEvaluations', '*'],
  ['sns:Publish', 'arn:aws:sns:us-east-1:111111111111:appvend-security-notifications'],
];

async function decide(roleName: string, action: string, resource: string): Promise<string> {
  const principal = `arn:aws:iam::${ACCOUNT}:role/${roleName}`;
  const result = await runSimulation(
    {
      request: {
        principal,
        action,
        resource: { resource, accountId: ACCOUNT },
        contextVariables: { 'aws:PrincipalArn': principal, 'aws:PrincipalAccount': ACCOUNT },
      },
      identityPolicies: [{ name: 'AdministratorAccess', policy: ADMIN }],
      serviceControlPolicies: [
        { orgIdentifier: 'r-ab12', policies: [{ name: 'FullAWSAccess', policy: FULL_AWS_ACCESS }] },
        { orgIdentifier: 'ou-ab12-cdef3456', policies: [{ name: 'FullAWSAccess', policy: FULL_AWS_ACCESS }] },
        {
          orgIdentifier: ACCOUNT,
          policies: [
            { name: 'FullAWSAccess', policy: FULL_AWS_ACCESS },
            { name: 'appvend-quarantine', policy: JSON.parse(renderQuarantinePolicy(VENDING_ROLES)) },
          ],
        },
      ],
      resourceControlPolicies: [],
    },
    { simulationMode: 'Strict' },
  );
  if (result.resultType === 'error') throw new Error(JSON.stringify(result.errors));
  const single = result.resultType === 'single' ? result.result : result.results[0]!;
  return single.analysis.result;
}

const CALLS: [string, string][] = [
  ['s3:CreateBucket', 'arn:aws:s3:::any-bucket'],
  ['iam:CreateRole', `arn:aws:iam::${ACCOUNT}:role/anything`],
  ['lambda:CreateFunction', `arn:aws:lambda:us-east-1:${ACCOUNT}:function:anything`],
  ['ec2:RunInstances', `arn:aws:ec2:us-east-1:${ACCOUNT}:instance/*`],
];

describe('Quarantine SCP', () => {
  it.each(CALLS)('denies %s to an administrator of the new account', async (action, resource) => {
    expect(await decide('Admin', action, resource)).toBe('ExplicitlyDenied');
  });

  it.each(CALLS)(
    'denies %s to a role merely named like a vending role elsewhere in a path',
    async (action, resource) => {
      expect(await decide('team/OrganizationAccountAccessRoleCopy', action, resource)).toBe(
        'ExplicitlyDenied',
      );
    },
  );

  it.each(
    VENDING_ROLES.flatMap((role) => CALLS.map(([action, resource]) => [role, action, resource] as const)),
  )('lets the vending role %s do %s', async (role, action, resource) => {
    expect(await decide(role, action, resource)).toBe('Allowed');
  });

  it.each(
    BASELINE_ROLES.flatMap((role) =>
      BASELINE_CALLS.map(([action, resource]) => [role, action, resource] as const),
    ),
  )("lets the baseline's role %s do %s, so Config records and notifies", async (role, action, resource) => {
    expect(await decide(role, action, resource)).toBe('Allowed');
  });

  it.each([
    ['config:PutConfigurationRecorder', '*'],
    ['config:PutConformancePack', '*'],
    ['iam:PassRole', `arn:aws:iam::${ACCOUNT}:role/appvend-orders-config-recorder`],
  ])(
    'lets the member access role the baseline makes do %s, so the guardrails are registered before the release',
    async (action, resource) => {
      expect(await decide(MEMBER_ACCESS_ROLE_NAME, action, resource)).toBe('Allowed');
    },
  );

  it.each(['team/appvend-member-access', 'appvend-member-access-copy'])(
    'denies a role named like the member access role under a path or with a suffix: %s',
    async (role) => {
      expect(await decide(role, 's3:CreateBucket', 'arn:aws:s3:::any-bucket')).toBe('ExplicitlyDenied');
    },
  );

  it.each([
    'team/appvend-orders-config-recorder',
    'appvend-orders/x-config-recorder',
    'appvend-orders/x-compliance-notifier',
    'appvend-orders-config-recorder-copy',
  ])('denies a role named like a baseline role under a path or with a suffix: %s', async (role) => {
    expect(await decide(role, 's3:CreateBucket', 'arn:aws:s3:::any-bucket')).toBe('ExplicitlyDenied');
  });
});
