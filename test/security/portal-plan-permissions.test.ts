/**
 * What the portal function may do for `POST /applications?dryRun=true`, answered by an IAM policy
 * evaluator (@cloud-copilot/iam-simulate) over `frontDoorPermissions('portal-api')`, the data the
 * stack turns into its role's policy: every read the plan makes is allowed, scoped to the
 * organization, SCPs and appvend's stack sets; every mutating call of the workflow is refused, and
 * so is entering a member account.
 */
import { decideCall, type SimulatedCall } from '../support/permission-simulator';
import { frontDoorPermissions, type PermissionScope } from '../../infra/service/step-permissions';
import { awsClients } from '../../shared/aws/client-factory';
import { idsOf } from '../../shared/ledger/record';
import { PlanEnv, planSettingsFrom, planVend } from '../../shared/workflow/plan';
import { readEnvironment } from '../../shared/workflow/settings';
import { sandboxWorld } from '../support/workflow';

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
  ledgerTableArn: `arn:aws:dynamodb:${REGION}:${MANAGEMENT}:table/appvend-ledger`,
  eventBusArn: `arn:aws:events:${REGION}:${MANAGEMENT}:event-bus/appvend`,
  notificationsTopicArn: `arn:aws:sns:${REGION}:${MANAGEMENT}:appvend-notifications`,
  topicsKeyArn: `arn:aws:kms:${REGION}:${MANAGEMENT}:key/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0`,
  snsEndpoint: `sns.${REGION}.amazonaws.com`,
  stateMachineArn: `arn:aws:states:${REGION}:${MANAGEMENT}:stateMachine:appvend-vend`,
  deadLetterQueueArn: `arn:aws:sqs:${REGION}:${MANAGEMENT}:appvend-dlq`,
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
const SCP_TYPE = { 'organizations:PolicyType': 'SERVICE_CONTROL_POLICY' };
const TAGGED = { 'aws:ResourceTag/appvend:application': 'shop' };
const TAG_ON_CREATE = {
  'aws:RequestTag/appvend:application': 'shop',
  'aws:TagKeys': ['appvend:application'],
};

type Call = SimulatedCall;

const WORLD = { management: MANAGEMENT, member: MEMBER, organizationId: ORG, variables: VARIABLES };

/** `Allowed`, `ImplicitlyDenied` or `ExplicitlyDenied` for the portal function making the call. */
const decide = (call: Call): Promise<string> =>
  decideCall(WORLD, 'portal-api', frontDoorPermissions('portal-api', SCOPE), call);

const decisions = async (calls: Call[]) =>
  Promise.all(calls.map(async (call) => `${call.action} ${call.resource}: ${await decide(call)}`));
const expected = (calls: Call[], decision: string) =>
  calls.map((call) => `${call.action} ${call.resource}: ${decision}`);

/** The reads a plan makes, on the resources it makes them on. */
const PLAN_READS: Call[] = [
  { action: 'organizations:ListRoots', resource: '*' },
  { action: 'organizations:ListOrganizationalUnitsForParent', resource: ROOT },
  { action: 'organizations:ListOrganizationalUnitsForParent', resource: OU },
  { action: 'organizations:ListPolicies', resource: '*', context: SCP_TYPE },
  { action: 'organizations:DescribePolicy', resource: SCP, context: SCP_TYPE },
  { action: 'organizations:ListTargetsForPolicy', resource: SCP, context: SCP_TYPE },
  { action: 'organizations:ListPoliciesForTarget', resource: OU, context: SCP_TYPE },
  { action: 'organizations:ListAccounts', resource: '*' },
  // Where the vend looks first: the OU's accounts.
  { action: 'organizations:ListAccountsForParent', resource: OU },
  { action: 'organizations:ListParents', resource: ACCOUNT },
  { action: 'organizations:ListTagsForResource', resource: ACCOUNT },
  { action: 'organizations:ListTagsForResource', resource: OU },
  // The quarantine SCP's id, which the root's tag records.
  { action: 'organizations:ListTagsForResource', resource: ROOT },
  { action: 'cloudformation:DescribeStackSet', resource: STACK_SET },
  { action: 'cloudformation:ListStackInstances', resource: STACK_SET },
  // The connection's share, when the management account owns the connection.
  { action: 'ram:GetResourceShares', resource: '*' },
  { action: 'ram:GetResourceShareAssociations', resource: '*' },
];

/** Every change the vend makes, on resources the portal function could otherwise read. */
const MUTATIONS: Call[] = [
  { action: 'organizations:CreateOrganizationalUnit', resource: ROOT, context: TAG_ON_CREATE },
  { action: 'organizations:TagResource', resource: OU, context: TAG_ON_CREATE },
  { action: 'organizations:CreatePolicy', resource: SCP, context: { ...SCP_TYPE, ...TAG_ON_CREATE } },
  { action: 'organizations:UpdatePolicy', resource: SCP, context: { ...SCP_TYPE, ...TAGGED } },
  { action: 'organizations:AttachPolicy', resource: SCP, context: { ...SCP_TYPE, ...TAGGED } },
  { action: 'organizations:DetachPolicy', resource: ACCOUNT, context: { ...SCP_TYPE, ...TAGGED } },
  { action: 'organizations:CreateAccount', resource: '*', context: TAG_ON_CREATE },
  { action: 'organizations:MoveAccount', resource: ACCOUNT },
  { action: 'cloudformation:CreateStackSet', resource: '*', context: TAG_ON_CREATE },
  { action: 'cloudformation:UpdateStackSet', resource: STACK_SET },
  { action: 'cloudformation:CreateStackInstances', resource: STACK_SET },
  { action: 'cloudformation:DeleteStackSet', resource: STACK_SET },
  { action: 'ram:CreateResourceShare', resource: '*', context: TAG_ON_CREATE },
  {
    action: 'ram:AssociateResourceShare',
    resource: `arn:aws:ram:us-east-1:${MANAGEMENT}:resource-share/7f1e2d3c-4b5a-4978-8796-a5b4c3d2e1f0`,
    context: TAGGED,
  },
  {
    action: 'iam:PassRole',
    resource: `arn:aws:iam::${MANAGEMENT}:role/appvend-stackset-administration`,
    context: { 'iam:PassedToService': 'cloudformation.amazonaws.com' },
  },
  {
    action: 'sts:AssumeRole',
    resource: `arn:aws:iam::${MEMBER}:role/OrganizationAccountAccessRole`,
    context: { 'aws:ResourceOrgID': ORG },
  },
];

describe('Portal function: the permissions of a plan (POST /applications?dryRun=true)', () => {
  it('allows every read a plan makes', async () => {
    expect(await decisions(PLAN_READS)).toEqual(expected(PLAN_READS, 'Allowed'));
  });

  it('refuses every mutating call of the vend, and entering a member account', async () => {
    expect(await decisions(MUTATIONS)).toEqual(expected(MUTATIONS, 'ImplicitlyDenied'));
  });

  it('limits the reads to this organization, to SCPs and to appvend stack sets', async () => {
    // Prepare
    const outside: Call[] = [
      { action: 'organizations:ListParents', resource: organizations(`account/{org}/${MEMBER}`, OTHER_ORG) },
      {
        action: 'organizations:ListPoliciesForTarget',
        resource: organizations('ou/{org}/ou-ab12-cdef3456', OTHER_ORG),
      },
      {
        action: 'organizations:DescribePolicy',
        resource: organizations('policy/{org}/tag_policy/p-abcd1234'),
        context: { 'organizations:PolicyType': 'TAG_POLICY' },
      },
      {
        action: 'organizations:ListPolicies',
        resource: '*',
        context: { 'organizations:PolicyType': 'TAG_POLICY' },
      },
      {
        action: 'cloudformation:DescribeStackSet',
        resource: STACK_SET.replace('appvend-shop', 'landing-zone'),
      },
    ];

    // Act and assess
    expect(await decisions(outside)).toEqual(expected(outside, 'ImplicitlyDenied'));
  });

  it('grants nothing but Describe, List and Get besides the ledger and the vend it starts', () => {
    // Act
    const actions = frontDoorPermissions('portal-api', SCOPE)
      .flatMap((p) => p.actions)
      .filter((a) => !/^(dynamodb|states):/.test(a));

    // Assess
    expect(
      actions.filter((a) => !/^(organizations|cloudformation|ram):(Describe|List|Get)[A-Za-z]+$/.test(a)),
    ).toEqual([]);
  });

  /** The application both plans below are of. */
  const request = {
    name: 'shop',
    owner: 'shop-team@example.com',
    accountEmail: 'aws+{name}-{stage}@example.com',
    source: {
      connectionArn:
        'arn:aws:codeconnections:us-east-1:111111111111:connection/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0',
      repository: 'example-org/shop',
    },
  };
  /** The actions of the calls the sandbox answered since call number `before`. */
  const actionsSince = (world: ReturnType<typeof sandboxWorld>, before: number) =>
    new Set(world.sandbox.calls.slice(before).map((c) => `${c.service}:${c.operation}`));

  it('covers every call a plan made on the sandbox, without member reads', async () => {
    // Prepare: a vended application, so that every read (accounts, stack instances, SCP) happens,
    // and a new application, whose accounts and SCP are looked for in the whole organization.
    const world = sandboxWorld();
    await world.vend(request);
    const before = world.sandbox.calls.length;
    const settings = planSettingsFrom(readEnvironment(PlanEnv), { memberReads: false });

    // Act
    await planVend(awsClients(), request, settings);
    await planVend(awsClients(), { ...request, name: 'cart' }, settings);

    // Assess
    const made = actionsSince(world, before);
    const granted = new Set(frontDoorPermissions('portal-api', SCOPE).flatMap((p) => p.actions));
    expect([...made].filter((action) => !granted.has(action))).toEqual([]);
    expect([...made].sort()).toEqual([...new Set(PLAN_READS.map((c) => c.action))].sort());
  });

  it("covers, for the reconcile, every call a plan from the ledger's record makes (its recorded ids)", async () => {
    // Prepare
    const world = sandboxWorld();
    const { summary } = await world.vend(request);
    // The ids the ledger records of a vend's summary.
    const recorded = idsOf(summary);
    const before = world.sandbox.calls.length;

    // Act
    await planVend(
      awsClients(),
      request,
      planSettingsFrom(readEnvironment(PlanEnv), { memberReads: false }),
      {
        recorded,
      },
    );

    // Assess
    const made = actionsSince(world, before);
    const granted = new Set(frontDoorPermissions('reconcile-drift', SCOPE).flatMap((p) => p.actions));
    expect([...made].filter((action) => !granted.has(action))).toEqual([]);
    expect(made).toContain('organizations:DescribeOrganizationalUnit');
    expect(made).toContain('organizations:ListAccountsForParent');
  });
});

describe('Portal function: the suspended OU check of DELETE /applications/{name}', () => {
  const SUSPENDED = 'ou-ab12-susp0001';
  const scope: PermissionScope = {
    ...SCOPE,
    offboardStateMachineArn: `arn:aws:states:${REGION}:${MANAGEMENT}:stateMachine:appvend-offboard`,
    suspendedOuId: SUSPENDED,
  };
  const decideWith = (permissions: PermissionScope, call: Call) =>
    decideCall(WORLD, 'portal-api', frontDoorPermissions('portal-api', permissions), call);

  it('may describe the configured suspended OU, and no other OU', async () => {
    // Prepare
    const describe = (ou: string, org = ORG): Call => ({
      action: 'organizations:DescribeOrganizationalUnit',
      resource: organizations(`ou/{org}/${ou}`, org),
    });

    // Act
    const answers = await Promise.all([
      decideWith(scope, describe(SUSPENDED)),
      decideWith(scope, describe('ou-ab12-cdef3456')),
      decideWith(scope, describe(SUSPENDED, OTHER_ORG)),
    ]);

    // Assess
    expect(answers).toEqual(['Allowed', 'ImplicitlyDenied', 'ImplicitlyDenied']);
  });

  it('is not granted when no suspended OU is configured (the check refuses without a call)', async () => {
    // Act
    const answer = await decideWith(
      { ...scope, suspendedOuId: undefined },
      {
        action: 'organizations:DescribeOrganizationalUnit',
        resource: organizations(`ou/{org}/${SUSPENDED}`),
      },
    );

    // Assess
    expect(answer).toBe('ImplicitlyDenied');
  });
});
