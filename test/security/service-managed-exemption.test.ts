/**
 * The SCPs with service-managed stack sets, answered by an IAM policy evaluator
 * (@cloud-copilot/iam-simulate): StackSets deploys through a role it creates in each account,
 * named `stacksets-exec-*`, to which SCPs apply (it is no service-linked role). The quarantine and
 * the application SCP exempt that name pattern so that the baseline deploys and stays in its
 * desired state; a hostile administrator of a vended account must not be able to use the
 * exemption: make a role of that name, or take over StackSets' own.
 */
import { runSimulation } from '@cloud-copilot/iam-simulate';
import { SERVICE_MANAGED_EXECUTION_ROLES } from '../../shared/domain/naming';
import { renderQuarantinePolicy } from '../../shared/domain/quarantine';
import {
  DEFAULT_SCP_SIZE_QUOTA,
  policySize,
  renderServiceControlPolicy,
  type ExemptRoles,
} from '../../shared/domain/scp';
import { exemptRolesFrom } from '../../shared/workflow/settings';

const ACCOUNT = '222222222222';
const ADMIN = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] };
/** What StackSets names the role in each target (the suffix is StackSets'; this one is made up). */
const EXEC_ROLE = 'stacksets-exec-c1b3f87d2a5e4b6f9d8c7a6b5e4d3c2b';
const MEMBER_ROLE = 'OrganizationAccountAccessRole';
const roleArn = (name: string) => `arn:aws:iam::${ACCOUNT}:role/${name}`;

const serviceManaged: ExemptRoles = exemptRolesFrom({
  APPVEND_MEMBER_ROLE: MEMBER_ROLE,
  APPVEND_STACKSET_EXECUTION_ROLE_NAME: MEMBER_ROLE,
  APPVEND_STACKSETS_MODE: 'SERVICE_MANAGED',
});
const selfManaged: ExemptRoles = exemptRolesFrom({
  APPVEND_MEMBER_ROLE: MEMBER_ROLE,
  APPVEND_STACKSET_EXECUTION_ROLE_NAME: MEMBER_ROLE,
  APPVEND_STACKSETS_MODE: 'SELF_MANAGED',
});
const request = { name: 'orders', profile: 'regulated' as const };

/** How AWS decides a call by an administrator-access role `roleName` of the account under `scp`. */
async function decide(scp: string, roleName: string, action: string, resource: string): Promise<string> {
  const principal = roleArn(roleName);
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
        { orgIdentifier: 'r-ab12', policies: [{ name: 'FullAWSAccess', policy: ADMIN }] },
        { orgIdentifier: 'ou-ab12-cdef3456', policies: [{ name: 'FullAWSAccess', policy: ADMIN }] },
        {
          orgIdentifier: ACCOUNT,
          policies: [
            { name: 'FullAWSAccess', policy: ADMIN },
            { name: 'appvend-scp', policy: JSON.parse(scp) },
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

describe('SCPs with service-managed stack sets: the stacksets-exec-* exemption', () => {
  it('exempts StackSets’ own role pattern, and only with service-managed stack sets', () => {
    expect(serviceManaged).toEqual({
      memberRoleName: MEMBER_ROLE,
      executionRoleName: SERVICE_MANAGED_EXECUTION_ROLES,
    });
    expect(selfManaged.executionRoleName).toBe(MEMBER_ROLE);
  });

  describe('the quarantine', () => {
    const quarantine = renderQuarantinePolicy([
      serviceManaged.memberRoleName,
      serviceManaged.executionRoleName,
    ]);

    it.each([
      [
        'cloudformation:CreateStack',
        `arn:aws:cloudformation:us-east-1:${ACCOUNT}:stack/StackSet-appvend-orders-guardrails-x/1`,
      ],
      ['iam:CreateRole', roleArn('appvend-orders-config-recorder')],
      ['s3:CreateBucket', 'arn:aws:s3:::appvend-orders-artifacts'],
    ])(
      'lets StackSets’ execution role deploy the baseline while the account is quarantined: %s',
      async (action, resource) => {
        expect(await decide(quarantine, EXEC_ROLE, action, resource)).toBe('Allowed');
      },
    );

    it.each([
      ['Admin', 'iam:CreateRole', roleArn('stacksets-exec-escape')],
      ['Admin', 'iam:UpdateAssumeRolePolicy', roleArn(EXEC_ROLE)],
      // A role of that name under a path (ArnLike's * matches '/'), or with it inside its name.
      ['stacksets-exec-x/escape', 's3:CreateBucket', 'arn:aws:s3:::any-bucket'],
      ['team-stacksets-exec-x', 's3:CreateBucket', 'arn:aws:s3:::any-bucket'],
    ])('denies %s %s on %s', async (role, action, resource) => {
      expect(await decide(quarantine, role, action, resource)).toBe('ExplicitlyDenied');
    });
  });

  describe('the application SCP, once the quarantine is released', () => {
    const scp = renderServiceControlPolicy(request, serviceManaged);
    const STACK = `arn:aws:cloudformation:us-east-1:${ACCOUNT}:stack/StackSet-appvend-orders-pipeline-0f1e/1`;

    it('lets StackSets’ execution role keep the baseline: update its stacks and their roles', async () => {
      expect(
        await Promise.all([
          decide(scp, EXEC_ROLE, 'cloudformation:UpdateStack', STACK),
          decide(scp, EXEC_ROLE, 'iam:PutRolePolicy', roleArn('appvend-orders-pipeline')),
          decide(scp, EXEC_ROLE, 'iam:CreateRole', roleArn('appvend-orders-deploy')),
        ]),
      ).toEqual(['Allowed', 'Allowed', 'Allowed']);
    });

    it('denies an administrator of the account every way into the exemption: making a role of that name (with or without a path), or taking over StackSets’ own', async () => {
      const attempts: Array<[string, string]> = [
        ['iam:CreateRole', roleArn('stacksets-exec-escape')],
        ['iam:CreateRole', roleArn('stacksets-exec-x/escape')],
        ['iam:UpdateAssumeRolePolicy', roleArn(EXEC_ROLE)],
        ['iam:AttachRolePolicy', roleArn(EXEC_ROLE)],
        ['iam:PutRolePolicy', roleArn(EXEC_ROLE)],
        ['iam:DeleteRole', roleArn(EXEC_ROLE)],
        // Nor what the exemption guards.
        ['cloudformation:UpdateStack', STACK],
        ['iam:PutRolePolicy', roleArn('appvend-orders-pipeline')],
      ];
      const answers = await Promise.all(
        attempts.map(([action, resource]) => decide(scp, 'Admin', action, resource)),
      );
      expect(answers).toEqual(attempts.map(() => 'ExplicitlyDenied'));
    });

    it('fits the default quota with both exempt roles, for the longest name, member role and approvers', () => {
      const size = policySize(
        renderServiceControlPolicy(
          {
            name: 'a'.repeat(32),
            profile: 'regulated',
            approvers: { group: 'g', permissionSet: 'p'.repeat(32) },
          },
          { memberRoleName: 'm'.repeat(64), executionRoleName: SERVICE_MANAGED_EXECUTION_ROLES },
        ),
      );
      expect(size).toBeLessThanOrEqual(DEFAULT_SCP_SIZE_QUOTA);
    });

    it('does not exempt stacksets-exec-* roles when the stack sets are self-managed', async () => {
      const selfManagedScp = renderServiceControlPolicy(request, selfManaged);
      expect(await decide(selfManagedScp, EXEC_ROLE, 'cloudformation:UpdateStack', STACK)).toBe(
        'ExplicitlyDenied',
      );
      expect(await decide(selfManagedScp, MEMBER_ROLE, 'cloudformation:UpdateStack', STACK)).toBe('Allowed');
    });
  });
});
