/**
 * What each offboarding function may do, answered by an IAM policy evaluator
 * (@cloud-copilot/iam-simulate) over the statements `offboardPermissions` gives it, the same data
 * the stack turns into the role's policy: every call the function makes is allowed; every call of
 * another offboarding function, and the vend's creations, are refused; deletions and closures
 * only of what carries appvend's tag, only appvend-* stack sets, only this organization.
 */
import { decideCall, describeCall, type SimulatedCall } from '../support/permission-simulator';
import { offboardPermissions } from '../../infra/service/offboard-permissions';
import type { PermissionScope } from '../../infra/service/step-permissions';
import { OFFBOARD_FUNCTIONS, type OffboardFunctionName } from '../../infra/workflow/step-functions';

const ORG = 'o-a1b2c3d4e5';
const OTHER_ORG = 'o-z9y8x7w6v5';
const MANAGEMENT = '111111111111';
const MEMBER = '222222222222';
const REGION = 'eu-west-1';
const LEDGER = `arn:aws:dynamodb:${REGION}:${MANAGEMENT}:table/appvend-ledger`;
const SCOPE: PermissionScope = {
  organizationId: '${OrganizationId}',
  managementAccountId: '${AWS::AccountId}',
  memberRoleName: 'OrganizationAccountAccessRole',
  suspendedOuId: 'ou-ab12-susp1234',
  stackSetAdministrationRoleName: 'appvend-stackset-administration',
  ledgerTableArn: '${LedgerTable.Arn}',
  eventBusArn: '${IntakeBus.Arn}',
  notificationsTopicArn: '${TopicsNotifications.TopicArn}',
  topicsKeyArn: '${TopicsKey.Arn}',
  snsEndpoint: `sns.${REGION}.amazonaws.com`,
  stateMachineArn: 'arn:${AWS::Partition}:states:${AWS::Region}:${AWS::AccountId}:stateMachine:appvend-vend',
  deadLetterQueueArn: '${IntakeDeadLetterQueue.Arn}',
};
const VARIABLES: Record<string, string> = {
  'AWS::Partition': 'aws',
  'AWS::AccountId': MANAGEMENT,
  'AWS::Region': REGION,
  OrganizationId: ORG,
  'LedgerTable.Arn': LEDGER,
};

const organizations = (path: string, org = ORG) =>
  `arn:aws:organizations::${MANAGEMENT}:${path.replace('{org}', org)}`;
const ROOT = organizations('root/{org}/r-ab12');
const OU = organizations('ou/{org}/ou-ab12-cdef3456');
const SUSPENDED_OU = organizations('ou/{org}/ou-ab12-susp1234');
const ACCOUNT = organizations(`account/{org}/${MEMBER}`);
const SCP = organizations('policy/{org}/service_control_policy/p-abcd1234');
const CONNECTION_SHARE = `arn:aws:ram:us-east-1:${MANAGEMENT}:resource-share/7f1e2d3c-4b5a-4978-8796-a5b4c3d2e1f0`;
const STACK_SET = `arn:aws:cloudformation:${REGION}:${MANAGEMENT}:stackset/appvend-shop-pipeline:8f3b1c2e-1111-4222-8333-444455556666`;
const STACK_SET_TARGET = `arn:aws:cloudformation:${REGION}:${MANAGEMENT}:stackset-target/appvend-shop-pipeline:8f3b1c2e-1111-4222-8333-444455556666/${MEMBER}`;

const MEMBER_ROLE = `arn:aws:iam::${MEMBER}:role/OrganizationAccountAccessRole`;
/** The role the baseline makes for the functions that work in the account after it. */
const MEMBER_ACCESS_ROLE = `arn:aws:iam::${MEMBER}:role/appvend-member-access`;
/** An application account: the parent is the root here, so the application OUs are its children. */
const IN_APPLICATION_OU = {
  'aws:ResourceOrgID': ORG,
  'aws:ResourceOrgPaths': [`${ORG}/r-ab12/ou-ab12-cdef3456/`],
};
/** An OU appvend did not make. */
const OTHER_OU = organizations('ou/{org}/ou-ab12-other123');

const TAGGED = { 'aws:ResourceTag/appvend:application': 'shop' };
const SCP_TYPE = { 'organizations:PolicyType': 'SERVICE_CONTROL_POLICY' };

type Call = SimulatedCall;

const SSO_INSTANCE = 'arn:aws:sso:::instance/ssoins-1234567890abcdef';
const SSO_PERMISSION_SET = 'arn:aws:sso:::permissionSet/ssoins-1234567890abcdef/ps-1234567890abcdef';
const SSO_ACCOUNT = `arn:aws:sso:::account/${MEMBER}`;

/** The calls each offboarding function makes (shared/workflow/offboard and its adapters). */
const CALLS: Record<OffboardFunctionName, Call[]> = {
  'remove-access': [
    { action: 'sso:ListInstances', resource: '*' },
    { action: 'sso:ListPermissionSets', resource: SSO_INSTANCE },
    { action: 'sso:DescribePermissionSet', resource: SSO_PERMISSION_SET },
    {
      action: 'identitystore:GetGroupId',
      resource: `arn:aws:identitystore::${MANAGEMENT}:identitystore/d-1234567890`,
    },
    { action: 'sso:ListAccountAssignments', resource: SSO_ACCOUNT },
    { action: 'sso:DeleteAccountAssignment', resource: SSO_ACCOUNT },
    { action: 'sso:DescribeAccountAssignmentDeletionStatus', resource: SSO_INSTANCE },
  ],
  'prepare-offboarding': [
    { action: 'dynamodb:GetItem', resource: LEDGER },
    { action: 'organizations:DescribeOrganizationalUnit', resource: SUSPENDED_OU },
  ],
  'remove-guardrails': [
    { action: 'organizations:DescribeAccount', resource: ACCOUNT },
    { action: 'sts:AssumeRole', resource: MEMBER_ACCESS_ROLE, context: IN_APPLICATION_OU },
    // An offboarding run again after the accounts were suspended.
    {
      action: 'sts:AssumeRole',
      resource: MEMBER_ACCESS_ROLE,
      context: { 'aws:ResourceOrgID': ORG, 'aws:ResourceOrgPaths': [`${ORG}/r-ab12/ou-ab12-susp1234/`] },
    },
  ],
  'remove-stack-set': [
    { action: 'cloudformation:DescribeStackSet', resource: STACK_SET },
    { action: 'cloudformation:ListStackSetOperations', resource: STACK_SET },
    { action: 'cloudformation:ListStackInstances', resource: STACK_SET },
    { action: 'cloudformation:DeleteStackInstances', resource: STACK_SET },
    { action: 'cloudformation:DeleteStackInstances', resource: STACK_SET_TARGET },
    { action: 'cloudformation:DeleteStackSet', resource: STACK_SET },
    // Emptying the stack's buckets in the member account first.
    { action: 'sts:AssumeRole', resource: MEMBER_ACCESS_ROLE, context: IN_APPLICATION_OU },
  ],
  'remove-service-control-policy': [
    { action: 'organizations:ListPolicies', resource: '*', context: SCP_TYPE },
    { action: 'organizations:DescribePolicy', resource: SCP },
    { action: 'organizations:ListTagsForResource', resource: SCP },
    { action: 'organizations:ListTargetsForPolicy', resource: SCP, context: SCP_TYPE },
    { action: 'organizations:DetachPolicy', resource: SCP, context: { ...SCP_TYPE, ...TAGGED } },
    { action: 'organizations:DetachPolicy', resource: OU, context: { ...SCP_TYPE, ...TAGGED } },
    { action: 'organizations:DeletePolicy', resource: SCP, context: { ...SCP_TYPE, ...TAGGED } },
    // The pipeline's connection share (RAM: us-east-1), tagged by the vend.
    { action: 'ram:GetResourceShares', resource: '*' },
    { action: 'ram:DeleteResourceShare', resource: CONNECTION_SHARE, context: TAGGED },
  ],
  'suspend-accounts': [
    { action: 'organizations:ListParents', resource: ACCOUNT },
    // From the application OU (tagged) to the suspended OU (configured).
    { action: 'organizations:MoveAccount', resource: ACCOUNT },
    { action: 'organizations:MoveAccount', resource: OU, context: TAGGED },
    { action: 'organizations:MoveAccount', resource: SUSPENDED_OU },
  ],
  'remove-organizational-unit': [
    { action: 'organizations:DescribeOrganizationalUnit', resource: OU },
    { action: 'organizations:ListTagsForResource', resource: OU },
    { action: 'organizations:ListChildren', resource: OU },
    { action: 'organizations:DeleteOrganizationalUnit', resource: OU, context: TAGGED },
  ],
  'close-accounts': [
    { action: 'organizations:DescribeOrganization', resource: '*' },
    { action: 'organizations:ListAccounts', resource: '*' },
    { action: 'organizations:ListTagsForResource', resource: ACCOUNT },
    { action: 'organizations:CloseAccount', resource: ACCOUNT, context: TAGGED },
    { action: 'dynamodb:Scan', resource: LEDGER },
  ],
  'summarize-offboarding': [
    { action: 'dynamodb:GetItem', resource: LEDGER },
    { action: 'dynamodb:PutItem', resource: LEDGER },
  ],
};

const WORLD = { management: MANAGEMENT, member: MEMBER, organizationId: ORG, variables: VARIABLES };

const decide = (name: OffboardFunctionName, call: Call): Promise<string> =>
  decideCall(WORLD, name, offboardPermissions(name, SCOPE), call);

describe('Function: offboardPermissions', () => {
  it('allows every call each offboarding function makes', async () => {
    // Prepare
    const calls = OFFBOARD_FUNCTIONS.flatMap((fn) => CALLS[fn].map((call) => ({ fn, call })));

    // Act
    const decisions = await Promise.all(
      calls.map(async ({ fn, call }) => `${describeCall(fn, call)}: ${await decide(fn, call)}`),
    );

    // Assess
    expect(decisions).toEqual(calls.map(({ fn, call }) => `${describeCall(fn, call)}: Allowed`));
  });

  it('refuses each function the actions of the other offboarding functions that it does not use', async () => {
    // Prepare: an action two functions both use (DescribeOrganizationalUnit, GetItem) is shared, since
    // an OU id does not say which OU it is; every other action belongs to one function only.
    const foreign = OFFBOARD_FUNCTIONS.flatMap((fn) =>
      OFFBOARD_FUNCTIONS.filter((other) => other !== fn).flatMap((other) =>
        CALLS[other]
          .filter((call) => !CALLS[fn].some((own) => own.action === call.action))
          .map((call) => ({ fn, call })),
      ),
    );

    // Act
    const allowed = (
      await Promise.all(
        foreign.map(async ({ fn, call }) =>
          (await decide(fn, call)) === 'Allowed' ? describeCall(fn, call) : '',
        ),
      )
    ).filter(Boolean);

    // Assess
    expect(foreign.length).toBeGreaterThan(100);
    expect(allowed).toEqual([]);
  });

  it.each<[string, OffboardFunctionName, Call]>([
    [
      'an account without appvend’s tag',
      'close-accounts',
      { action: 'organizations:CloseAccount', resource: ACCOUNT },
    ],
    [
      'an account of another organization',
      'close-accounts',
      {
        action: 'organizations:CloseAccount',
        resource: organizations(`account/{org}/${MEMBER}`, OTHER_ORG),
        context: TAGGED,
      },
    ],
    [
      'an OU without appvend’s tag',
      'remove-organizational-unit',
      { action: 'organizations:DeleteOrganizationalUnit', resource: OU },
    ],
    [
      'an SCP without appvend’s tag',
      'remove-service-control-policy',
      { action: 'organizations:DeletePolicy', resource: SCP, context: SCP_TYPE },
    ],
    [
      'a resource share appvend did not tag',
      'remove-service-control-policy',
      { action: 'ram:DeleteResourceShare', resource: CONNECTION_SHARE },
    ],
    [
      'a stack set that is not appvend’s',
      'remove-stack-set',
      {
        action: 'cloudformation:DeleteStackSet',
        resource: `arn:aws:cloudformation:${REGION}:${MANAGEMENT}:stackset/landing-zone:8f3b1c2e-1111-4222-8333-444455556666`,
      },
    ],
    [
      'creating an account assignment, to the step that removes them',
      'remove-access',
      { action: 'sso:CreateAccountAssignment', resource: SSO_ACCOUNT },
    ],
    [
      'deleting an OU, to the step that moves accounts',
      'suspend-accounts',
      { action: 'organizations:DeleteOrganizationalUnit', resource: OU, context: TAGGED },
    ],
    [
      'moving the root’s children, to the closure step',
      'close-accounts',
      { action: 'organizations:MoveAccount', resource: ROOT },
    ],
    [
      'moving an account into or out of the root',
      'suspend-accounts',
      { action: 'organizations:MoveAccount', resource: ROOT },
    ],
    [
      'moving an account into or out of an OU appvend did not make',
      'suspend-accounts',
      { action: 'organizations:MoveAccount', resource: OTHER_OU },
    ],
    [
      'the member role in an account directly in the root (the management account)',
      'remove-stack-set',
      {
        action: 'sts:AssumeRole',
        resource: MEMBER_ACCESS_ROLE,
        context: { 'aws:ResourceOrgID': ORG, 'aws:ResourceOrgPaths': [`${ORG}/r-ab12/`] },
      },
    ],
    ['a new account', 'close-accounts', { action: 'organizations:CreateAccount', resource: '*' }],
    [
      'a new SCP attachment',
      'remove-service-control-policy',
      { action: 'organizations:AttachPolicy', resource: SCP, context: { ...SCP_TYPE, ...TAGGED } },
    ],
    [
      'a member role',
      'close-accounts',
      { action: 'sts:AssumeRole', resource: MEMBER_ROLE, context: IN_APPLICATION_OU },
    ],
    [
      'the access role CreateAccount made (the member access role serves after the baseline)',
      'remove-stack-set',
      { action: 'sts:AssumeRole', resource: MEMBER_ROLE, context: IN_APPLICATION_OU },
    ],
    [
      'a member role in another organization',
      'remove-stack-set',
      { action: 'sts:AssumeRole', resource: MEMBER_ACCESS_ROLE, context: { 'aws:ResourceOrgID': OTHER_ORG } },
    ],
    [
      'another role of a member account',
      'remove-stack-set',
      {
        action: 'sts:AssumeRole',
        resource: `arn:aws:iam::${MEMBER}:role/Admin`,
        context: { 'aws:ResourceOrgID': ORG },
      },
    ],
  ])('refuses %s', async (_what, fn, call) => {
    expect(await decide(fn, call)).not.toBe('Allowed');
  });
});
