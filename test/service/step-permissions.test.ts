/**
 * What each step's function may do, answered by an IAM policy evaluator (@cloud-copilot/iam-simulate)
 * over the statements `stepPermissions` gives it (the same data the stack turns into the role's
 * policy). Every call the step makes is allowed; every call of another step is refused; the scoping
 * (organization, appvend tags, appvend-* stack sets, the member role in the organization) holds.
 */
import { runSimulation } from '@cloud-copilot/iam-simulate';
import { STEP_FUNCTIONS, type StepFunctionName } from '../../infra/workflow/step-functions';
import { stepPermissions, type PermissionScope } from '../../infra/service/step-permissions';

const ORG = 'o-a1b2c3d4e5';
const OTHER_ORG = 'o-z9y8x7w6v5';
const MANAGEMENT = '111111111111';
const MEMBER = '222222222222';
const REGION = 'eu-west-1';
const SCOPE: PermissionScope = {
  organizationId: '${OrganizationId}',
  managementAccountId: '${AWS::AccountId}',
  memberRoleName: 'OrganizationAccountAccessRole',
  stackSetAdministrationRoleName: 'appvend-stackset-administration',
};
const VARIABLES: Record<string, string> = {
  'AWS::Partition': 'aws',
  'AWS::AccountId': MANAGEMENT,
  'AWS::Region': REGION,
  OrganizationId: ORG,
};

const organizations = (path: string, org = ORG) =>
  `arn:aws:organizations::${MANAGEMENT}:${path.replace('{org}', org)}`;
const ROOT = organizations('root/{org}/r-ab12');
const OU = organizations('ou/{org}/ou-ab12-cdef3456');
const ACCOUNT = organizations(`account/{org}/${MEMBER}`);
const SCP = organizations('policy/{org}/service_control_policy/p-abcd1234');
const STACK_SET = `arn:aws:cloudformation:${REGION}:${MANAGEMENT}:stackset/appvend-shop-pipeline:8f3b1c2e-1111-4222-8333-444455556666`;
const ADMIN_ROLE = `arn:aws:iam::${MANAGEMENT}:role/appvend-stackset-administration`;
const MEMBER_ROLE = `arn:aws:iam::${MEMBER}:role/OrganizationAccountAccessRole`;

const TAG_ON_CREATE = {
  'aws:RequestTag/appvend:application': 'shop',
  'aws:TagKeys': ['appvend:application'],
};
const TAGGED = { 'aws:ResourceTag/appvend:application': 'shop' };
const SCP_TYPE = { 'organizations:PolicyType': 'SERVICE_CONTROL_POLICY' };

interface Call {
  action: string;
  resource: string;
  context?: Record<string, string | string[]>;
}

/** The calls each step makes (shared/workflow/steps, shared/aws), with what AWS puts in the request. */
const CALLS: Record<StepFunctionName, Call[]> = {
  'validate-request': [],
  'ensure-organizational-unit': [
    { action: 'organizations:ListRoots', resource: '*' },
    { action: 'organizations:ListOrganizationalUnitsForParent', resource: ROOT },
    { action: 'organizations:CreateOrganizationalUnit', resource: ROOT, context: TAG_ON_CREATE },
    { action: 'organizations:ListTagsForResource', resource: OU },
    { action: 'organizations:TagResource', resource: OU, context: TAG_ON_CREATE },
  ],
  'ensure-service-control-policy': [
    { action: 'organizations:ListPolicies', resource: '*', context: SCP_TYPE },
    { action: 'organizations:CreatePolicy', resource: SCP, context: { ...SCP_TYPE, ...TAG_ON_CREATE } },
    { action: 'organizations:DescribePolicy', resource: SCP, context: SCP_TYPE },
    { action: 'organizations:UpdatePolicy', resource: SCP, context: { ...SCP_TYPE, ...TAGGED } },
    { action: 'organizations:ListPoliciesForTarget', resource: OU, context: SCP_TYPE },
    { action: 'organizations:AttachPolicy', resource: SCP, context: { ...SCP_TYPE, ...TAGGED } },
  ],
  'start-account-creation': [
    { action: 'organizations:ListAccounts', resource: '*' },
    { action: 'organizations:ListCreateAccountStatus', resource: '*' },
    { action: 'organizations:CreateAccount', resource: '*', context: TAG_ON_CREATE },
    { action: 'organizations:TagResource', resource: ACCOUNT, context: TAG_ON_CREATE },
  ],
  'check-account-creation': [{ action: 'organizations:DescribeCreateAccountStatus', resource: '*' }],
  'move-account': [
    { action: 'organizations:ListParents', resource: ACCOUNT },
    { action: 'organizations:MoveAccount', resource: ACCOUNT },
    { action: 'organizations:MoveAccount', resource: ROOT },
    { action: 'organizations:MoveAccount', resource: OU },
  ],
  'deploy-stack-set': [
    { action: 'cloudformation:CreateStackSet', resource: '*', context: TAG_ON_CREATE },
    { action: 'cloudformation:DescribeStackSet', resource: STACK_SET },
    { action: 'cloudformation:ListStackSetOperations', resource: STACK_SET },
    { action: 'cloudformation:UpdateStackSet', resource: STACK_SET },
    { action: 'cloudformation:ListStackInstances', resource: STACK_SET },
    { action: 'cloudformation:CreateStackInstances', resource: STACK_SET },
    {
      action: 'iam:PassRole',
      resource: ADMIN_ROLE,
      context: { 'iam:PassedToService': 'cloudformation.amazonaws.com' },
    },
  ],
  'check-stack-set-operation': [
    { action: 'cloudformation:DescribeStackSetOperation', resource: STACK_SET },
    { action: 'cloudformation:ListStackSetOperationResults', resource: STACK_SET },
  ],
  'register-guardrails': [
    { action: 'sts:AssumeRole', resource: MEMBER_ROLE, context: { 'aws:ResourceOrgID': ORG } },
  ],
  'summarize-vend': [],
};

/** The identity policy of a step's function, with the stack's Fn::Sub variables resolved. */
function policyOf(step: StepFunctionName) {
  const resolve = (body: string) =>
    body.replace(/\$\{([A-Za-z:]+)\}/g, (match, name: string) => VARIABLES[name] ?? match);
  return {
    Version: '2012-10-17',
    Statement: stepPermissions(step, SCOPE).map((p) => ({
      Sid: p.sid,
      Effect: 'Allow',
      Action: [...p.actions],
      Resource: p.resources.map(resolve),
      ...(p.conditions ? { Condition: p.conditions } : {}),
    })),
  };
}

/** `Allowed`, `ImplicitlyDenied` or `ExplicitlyDenied` for the step's function making the call. */
async function decide(step: StepFunctionName, call: Call): Promise<string> {
  const principal = `arn:aws:iam::${MANAGEMENT}:role/appvend-${step}-role`;
  const crossAccount = call.action === 'sts:AssumeRole' && call.resource.includes(`::${MEMBER}:`);
  const result = await runSimulation(
    {
      request: {
        principal,
        action: call.action,
        resource: { resource: call.resource, accountId: crossAccount ? MEMBER : MANAGEMENT },
        contextVariables: {
          'aws:PrincipalArn': principal,
          'aws:PrincipalAccount': MANAGEMENT,
          'aws:PrincipalOrgID': ORG,
          ...call.context,
        },
      },
      identityPolicies: [{ name: step, policy: policyOf(step) }],
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      // The member role's trust policy, as CreateAccount makes it: the management account.
      ...(crossAccount
        ? {
            resourcePolicy: {
              Version: '2012-10-17',
              Statement: [
                {
                  Effect: 'Allow',
                  Principal: { AWS: `arn:aws:iam::${MANAGEMENT}:root` },
                  Action: 'sts:AssumeRole',
                },
              ],
            },
          }
        : {}),
    },
    { simulationMode: 'Strict' },
  );
  if (result.resultType === 'error') throw new Error(`${call.action}: ${JSON.stringify(result.errors)}`);
  return result.overallResult;
}

const describeCall = (step: string, call: Call) => `${step} ${call.action} ${call.resource}`;

describe('Function: stepPermissions', () => {
  it('allows every call each step makes', async () => {
    // Prepare
    const calls = STEP_FUNCTIONS.flatMap((step) => CALLS[step].map((call) => ({ step, call })));

    // Act
    const decisions = await Promise.all(
      calls.map(async ({ step, call }) => `${describeCall(step, call)}: ${await decide(step, call)}`),
    );

    // Assess
    expect(decisions).toEqual(calls.map(({ step, call }) => `${describeCall(step, call)}: Allowed`));
  });

  it('refuses each step every call of the other steps', async () => {
    // Prepare
    const foreign = STEP_FUNCTIONS.flatMap((step) =>
      STEP_FUNCTIONS.filter((other) => other !== step).flatMap((other) =>
        CALLS[other].map((call) => ({ step, call })),
      ),
    );

    // Act
    const allowed = (
      await Promise.all(
        foreign.map(async ({ step, call }) =>
          (await decide(step, call)) === 'Allowed' ? describeCall(step, call) : '',
        ),
      )
    ).filter(Boolean);

    // Assess
    expect(allowed).toEqual([]);
  });

  it('gives the validation and summary steps no AWS permission at all', () => {
    expect(stepPermissions('validate-request', SCOPE)).toEqual([]);
    expect(stepPermissions('summarize-vend', SCOPE)).toEqual([]);
  });

  it.each<[string, StepFunctionName, Call]>([
    [
      'an account without the appvend tag',
      'start-account-creation',
      { action: 'organizations:CreateAccount', resource: '*' },
    ],
    [
      'an OU in another organization',
      'ensure-organizational-unit',
      {
        action: 'organizations:TagResource',
        resource: organizations('ou/{org}/ou-ab12-cdef3456', OTHER_ORG),
      },
    ],
    [
      'an SCP appvend did not tag',
      'ensure-service-control-policy',
      { action: 'organizations:UpdatePolicy', resource: SCP, context: SCP_TYPE },
    ],
    [
      'a policy that is not an SCP',
      'ensure-service-control-policy',
      {
        action: 'organizations:UpdatePolicy',
        resource: organizations('policy/{org}/tag_policy/p-abcd1234'),
        context: { 'organizations:PolicyType': 'TAG_POLICY', ...TAGGED },
      },
    ],
    [
      'a stack set that is not appvend-*',
      'deploy-stack-set',
      {
        action: 'cloudformation:UpdateStackSet',
        resource: STACK_SET.replace('appvend-shop', 'landing-zone'),
      },
    ],
    [
      'a stack set without the appvend tag',
      'deploy-stack-set',
      { action: 'cloudformation:CreateStackSet', resource: '*' },
    ],
    [
      'the administration role passed to another service',
      'deploy-stack-set',
      {
        action: 'iam:PassRole',
        resource: ADMIN_ROLE,
        context: { 'iam:PassedToService': 'lambda.amazonaws.com' },
      },
    ],
    [
      'another role of the account',
      'deploy-stack-set',
      {
        action: 'iam:PassRole',
        resource: `arn:aws:iam::${MANAGEMENT}:role/Admin`,
        context: { 'iam:PassedToService': 'cloudformation.amazonaws.com' },
      },
    ],
    [
      'the member role in an account of another organization',
      'register-guardrails',
      { action: 'sts:AssumeRole', resource: MEMBER_ROLE, context: { 'aws:ResourceOrgID': OTHER_ORG } },
    ],
    [
      'another role in a member account',
      'register-guardrails',
      {
        action: 'sts:AssumeRole',
        resource: `arn:aws:iam::${MEMBER}:role/Admin`,
        context: { 'aws:ResourceOrgID': ORG },
      },
    ],
  ])('refuses %s', async (_what, step, call) => {
    // Act
    const decision = await decide(step, call);

    // Assess
    expect(decision).not.toBe('Allowed');
  });

  it('explains every wildcard it grants', () => {
    for (const step of STEP_FUNCTIONS) {
      for (const permission of stepPermissions(step, SCOPE)) {
        const wildcard = permission.resources.some((r) => r.includes('*'));
        expect({
          step,
          sid: permission.sid,
          explained: !wildcard || (permission.wildcardReason ?? '').length > 40,
        }).toEqual({
          step,
          sid: permission.sid,
          explained: true,
        });
      }
    }
  });
});
