/**
 * What each function may do, answered by an IAM policy evaluator (@cloud-copilot/iam-simulate) over
 * the statements `stepPermissions` (a step's function) and `frontDoorPermissions` (a front door's)
 * give it, the same data the stack turns into the role's policy. Every call the function makes is
 * allowed; every call of another function is refused; the scoping (organization, appvend tags,
 * appvend-* stack sets, the member role in the organization, the service's own table, bus, topic,
 * key and state machine, outcome events only) holds.
 */
import {
  FRONT_DOOR_FUNCTIONS,
  STEP_FUNCTIONS,
  type ServiceFunctionName,
} from '../../infra/workflow/step-functions';
import {
  frontDoorPermissions,
  functionPermissions,
  stepPermissions,
  type PermissionScope,
} from '../../infra/service/step-permissions';
import { decideCall, describeCall, type SimulatedCall } from '../support/permission-simulator';
import { QUARANTINE_POLICY_ROOT_TAG } from '../../shared/domain/quarantine';

const ORG = 'o-a1b2c3d4e5';
const OTHER_ORG = 'o-z9y8x7w6v5';
const MANAGEMENT = '111111111111';
const MEMBER = '222222222222';
const REGION = 'eu-west-1';
const LEDGER = `arn:aws:dynamodb:${REGION}:${MANAGEMENT}:table/appvend-ledger`;
/** The CreateAccount line's items (DynamoDB's condition key for the item's partition key): head, a page, an index item. */
const LINE_ITEMS = [
  { 'dynamodb:LeadingKeys': '#account-queue' },
  { 'dynamodb:LeadingKeys': '#account-queue#page#12' },
  { 'dynamodb:LeadingKeys': '#account-queue#account#orders#aws+orders-prod@example.com' },
];
/** What the account steps and the sweep do with appvend's CreateAccount line (a transaction's puts and deletes included). */
const LINE_CALLS = [
  ...LINE_ITEMS.flatMap((context) =>
    ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:DeleteItem'].map((action) => ({
      action,
      resource: LEDGER,
      context,
    })),
  ),
  { action: 'organizations:ListCreateAccountStatus', resource: '*' },
  { action: 'states:SendTaskSuccess', resource: '*' },
  { action: 'states:SendTaskFailure', resource: '*' },
  { action: 'states:SendTaskHeartbeat', resource: '*' },
];
const BUS = `arn:aws:events:${REGION}:${MANAGEMENT}:event-bus/appvend`;
const NOTIFICATIONS = `arn:aws:sns:${REGION}:${MANAGEMENT}:appvend-notifications`;
const TOPICS_KEY = `arn:aws:kms:${REGION}:${MANAGEMENT}:key/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0`;
const STATE_MACHINE = `arn:aws:states:${REGION}:${MANAGEMENT}:stateMachine:appvend-vend`;
const RECONCILE_FUNCTION = `arn:aws:lambda:${REGION}:${MANAGEMENT}:function:appvend-reconcile-drift`;
const DLQ = `arn:aws:sqs:${REGION}:${MANAGEMENT}:appvend-application-requested-dlq`;
/** As the stack gives it: Fn::Sub references to its resources (logical ids here simplified). */
const SCOPE: PermissionScope = {
  organizationId: '${OrganizationId}',
  managementAccountId: '${AWS::AccountId}',
  memberRoleName: 'OrganizationAccountAccessRole',
  parentOuId: 'ou-ab12-parent12',
  suspendedOuId: 'ou-ab12-susp1234',
  stackSetAdministrationRoleName: 'appvend-stackset-administration',
  ledgerTableArn: '${LedgerTable.Arn}',
  eventBusArn: '${IntakeBus.Arn}',
  notificationsTopicArn: '${TopicsNotifications.TopicArn}',
  topicsKeyArn: '${TopicsKey.Arn}',
  snsEndpoint: `sns.${REGION}.amazonaws.com`,
  stateMachineArn: 'arn:${AWS::Partition}:states:${AWS::Region}:${AWS::AccountId}:stateMachine:appvend-vend',
  deadLetterQueueArn: '${IntakeDeadLetterQueue.Arn}',
  offboardStateMachineArn:
    'arn:${AWS::Partition}:states:${AWS::Region}:${AWS::AccountId}:stateMachine:appvend-offboard',
};
const VARIABLES: Record<string, string> = {
  'AWS::Partition': 'aws',
  'AWS::AccountId': MANAGEMENT,
  'AWS::Region': REGION,
  OrganizationId: ORG,
  'LedgerTable.Arn': LEDGER,
  'IntakeBus.Arn': BUS,
  'TopicsNotifications.TopicArn': NOTIFICATIONS,
  'TopicsKey.Arn': TOPICS_KEY,
  'IntakeDeadLetterQueue.Arn': DLQ,
};
const FUNCTIONS: readonly ServiceFunctionName[] = [...STEP_FUNCTIONS, ...FRONT_DOOR_FUNCTIONS];

const organizations = (path: string, org = ORG) =>
  `arn:aws:organizations::${MANAGEMENT}:${path.replace('{org}', org)}`;
const ROOT = organizations('root/{org}/r-ab12');
const OU = organizations('ou/{org}/ou-ab12-cdef3456');
const ACCOUNT = organizations(`account/{org}/${MEMBER}`);
const SCP = organizations('policy/{org}/service_control_policy/p-abcd1234');
const STACK_SET = `arn:aws:cloudformation:${REGION}:${MANAGEMENT}:stackset/appvend-shop-pipeline:8f3b1c2e-1111-4222-8333-444455556666`;
const ADMIN_ROLE = `arn:aws:iam::${MANAGEMENT}:role/appvend-stackset-administration`;
const MEMBER_ROLE = `arn:aws:iam::${MEMBER}:role/OrganizationAccountAccessRole`;
/** The role the baseline makes for the functions that work in the account after it. */
const MEMBER_ACCESS_ROLE = `arn:aws:iam::${MEMBER}:role/appvend-member-access`;
const PARENT_OU = organizations('ou/{org}/ou-ab12-parent12');
const SUSPENDED_OU = organizations('ou/{org}/ou-ab12-susp1234');
/** An OU appvend did not make, outside the parent. */
const OTHER_OU = organizations('ou/{org}/ou-ab12-other123');
/** An application account: in an application OU directly under the parent OU. */
const IN_APPLICATION_OU = {
  'aws:ResourceOrgID': ORG,
  'aws:ResourceOrgPaths': [`${ORG}/r-ab12/ou-ab12-parent12/ou-ab12-cdef3456/`],
};

const TAG_ON_CREATE = {
  'aws:RequestTag/appvend:application': 'shop',
  'aws:TagKeys': ['appvend:application'],
};
const TAGGED = { 'aws:ResourceTag/appvend:application': 'shop' };
/** The pipeline's connection, owned by the management account, and its share (RAM: us-east-1). */
const CONNECTION = `arn:aws:codeconnections:us-east-1:${MANAGEMENT}:connection/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0`;
const CONNECTION_SHARE = `arn:aws:ram:us-east-1:${MANAGEMENT}:resource-share/7f1e2d3c-4b5a-4978-8796-a5b4c3d2e1f0`;
const SHARE_ON_CREATE = {
  ...TAG_ON_CREATE,
  'ram:RequestedAllowsExternalPrincipals': 'false',
  'ram:ResourceArn': CONNECTION,
};
const INSIDE_ORGANIZATION = { 'ram:AllowsExternalPrincipals': 'false' };
const SCP_TYPE = { 'organizations:PolicyType': 'SERVICE_CONTROL_POLICY' };
/** What PutEvents puts in the request context: one value per entry of the call. */
const outcomeEvent = (detailType: string, source = 'appvend') => ({
  'events:source': [source],
  'events:detail-type': [detailType],
});
/** SNS asks KMS for the topic's data key on the publisher's behalf. */
const THROUGH_SNS = { 'kms:ViaService': `sns.${REGION}.amazonaws.com` };

type Call = SimulatedCall;

/** Identity Center: the instance, a permission set, a member account; the identity store and a group. */
const SSO_INSTANCE = 'arn:aws:sso:::instance/ssoins-1234567890abcdef';
const SSO_PERMISSION_SET = 'arn:aws:sso:::permissionSet/ssoins-1234567890abcdef/ps-1234567890abcdef';
/** An assignment's resources are the account, the instance and the permission set: each is asked. */
const SSO_ASSIGNMENT_TARGET = `arn:aws:sso:::account/${MEMBER}`;
const IDENTITY_STORE = `arn:aws:identitystore::${MANAGEMENT}:identitystore/d-1234567890`;
const GROUP = 'arn:aws:identitystore:::group/00000001-0000-4000-8000-000000000001';
const MEMBER_CONTACTS = `arn:aws:account::${MANAGEMENT}:account/${ORG}/${MEMBER}`;
const SECURITY_CONTACT = { 'account:AlternateContactTypes': ['SECURITY'] };
const RESOLVE_IDENTITIES: Call[] = [
  { action: 'sso:ListInstances', resource: '*' },
  { action: 'sso:ListPermissionSets', resource: SSO_INSTANCE },
  { action: 'sso:DescribePermissionSet', resource: SSO_PERMISSION_SET },
  { action: 'identitystore:GetGroupId', resource: IDENTITY_STORE },
  { action: 'identitystore:GetGroupId', resource: GROUP },
];

/**
 * The calls each function makes (shared/workflow/steps, shared/aws, shared/ledger, the announcement
 * and the intake), with what AWS puts in the request.
 */
const CALLS: Record<ServiceFunctionName, Call[]> = {
  'validate-request': RESOLVE_IDENTITIES,
  'grant-access': [
    ...RESOLVE_IDENTITIES,
    { action: 'sso:ListAccountAssignments', resource: SSO_ASSIGNMENT_TARGET },
    { action: 'sso:CreateAccountAssignment', resource: SSO_ASSIGNMENT_TARGET },
    { action: 'sso:DescribeAccountAssignmentCreationStatus', resource: SSO_INSTANCE },
    { action: 'account:PutAlternateContact', resource: MEMBER_CONTACTS, context: SECURITY_CONTACT },
    // A changed request: the assignments and contact types appvend made that it dropped.
    { action: 'sso:DeleteAccountAssignment', resource: SSO_ASSIGNMENT_TARGET },
    { action: 'sso:DescribeAccountAssignmentDeletionStatus', resource: SSO_INSTANCE },
    { action: 'account:DeleteAlternateContact', resource: MEMBER_CONTACTS, context: SECURITY_CONTACT },
    // What it is about to make, recorded in the ledger first.
    { action: 'dynamodb:GetItem', resource: LEDGER },
    { action: 'dynamodb:PutItem', resource: LEDGER },
  ],
  'ensure-organizational-unit': [
    { action: 'organizations:ListRoots', resource: '*' },
    { action: 'organizations:ListOrganizationalUnitsForParent', resource: ROOT },
    { action: 'organizations:CreateOrganizationalUnit', resource: ROOT, context: TAG_ON_CREATE },
    { action: 'organizations:ListTagsForResource', resource: OU },
    { action: 'organizations:TagResource', resource: OU, context: TAG_ON_CREATE },
    // An earlier vend's OU, by its recorded id
    { action: 'organizations:DescribeOrganizationalUnit', resource: OU },
    { action: 'organizations:ListParents', resource: OU },
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
    // Adoption: the tags and the OU of an account found by email
    { action: 'organizations:ListTagsForResource', resource: ACCOUNT },
    { action: 'organizations:ListTagsForResource', resource: ACCOUNT, context: TAGGED },
    { action: 'organizations:ListParents', resource: ACCOUNT },
    { action: 'organizations:ListTagsForResource', resource: OU },
    // An earlier vend's account: the one the ledger recorded, then the application's OU
    { action: 'organizations:DescribeAccount', resource: ACCOUNT },
    { action: 'organizations:ListAccountsForParent', resource: OU },
    ...LINE_CALLS,
  ],
  'check-account-creation': [
    { action: 'organizations:DescribeCreateAccountStatus', resource: '*' },
    ...LINE_CALLS,
  ],
  'release-account-slots': LINE_CALLS,
  'move-account': [
    { action: 'organizations:ListParents', resource: ACCOUNT },
    // The quarantine SCP's id, recorded on the root (appvend:quarantine-policy)
    { action: 'organizations:ListRoots', resource: '*' },
    { action: 'organizations:ListTagsForResource', resource: ROOT },
    {
      action: 'organizations:TagResource',
      resource: ROOT,
      context: { 'aws:TagKeys': [QUARANTINE_POLICY_ROOT_TAG] },
    },
    { action: 'organizations:ListTagsForResource', resource: ACCOUNT },
    { action: 'organizations:ListTagsForResource', resource: ACCOUNT, context: TAGGED },
    { action: 'organizations:ListPolicies', resource: '*', context: SCP_TYPE },
    { action: 'organizations:CreatePolicy', resource: SCP, context: { ...SCP_TYPE, ...TAG_ON_CREATE } },
    { action: 'organizations:DescribePolicy', resource: SCP, context: SCP_TYPE },
    { action: 'organizations:UpdatePolicy', resource: SCP, context: { ...SCP_TYPE, ...TAGGED } },
    { action: 'organizations:ListPoliciesForTarget', resource: ACCOUNT, context: SCP_TYPE },
    { action: 'organizations:AttachPolicy', resource: SCP, context: { ...SCP_TYPE, ...TAGGED } },
    { action: 'organizations:AttachPolicy', resource: ACCOUNT, context: { ...SCP_TYPE, ...TAGGED } },
    // From the root (a new account), the parent or the suspended OU, into the application OU (tagged).
    { action: 'organizations:MoveAccount', resource: ACCOUNT },
    { action: 'organizations:MoveAccount', resource: ROOT },
    { action: 'organizations:MoveAccount', resource: PARENT_OU },
    { action: 'organizations:MoveAccount', resource: SUSPENDED_OU },
    { action: 'organizations:MoveAccount', resource: OU, context: TAGGED },
    { action: 'sts:AssumeRole', resource: MEMBER_ROLE, context: IN_APPLICATION_OU },
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
    // The pipeline's connection shared with the tooling account (shared/aws/connection-share.ts)
    { action: 'ram:GetResourceShares', resource: '*' },
    { action: 'ram:GetResourceShareAssociations', resource: '*' },
    { action: 'ram:CreateResourceShare', resource: '*', context: SHARE_ON_CREATE },
    {
      action: 'ram:AssociateResourceShare',
      resource: CONNECTION_SHARE,
      context: { ...TAGGED, ...INSIDE_ORGANIZATION },
    },
  ],
  'check-stack-set-operation': [
    { action: 'cloudformation:DescribeStackSetOperation', resource: STACK_SET },
    { action: 'cloudformation:ListStackSetOperationResults', resource: STACK_SET },
  ],
  'register-guardrails': [
    { action: 'sts:AssumeRole', resource: MEMBER_ACCESS_ROLE, context: IN_APPLICATION_OU },
  ],
  'check-guardrails': [
    { action: 'sts:AssumeRole', resource: MEMBER_ACCESS_ROLE, context: IN_APPLICATION_OU },
  ],
  'release-quarantine': [
    { action: 'organizations:ListPolicies', resource: '*', context: SCP_TYPE },
    { action: 'organizations:ListRoots', resource: '*' },
    { action: 'organizations:ListTagsForResource', resource: ROOT },
    { action: 'organizations:DescribePolicy', resource: SCP, context: SCP_TYPE },
    { action: 'organizations:ListTagsForResource', resource: ACCOUNT, context: TAGGED },
    {
      action: 'organizations:TagResource',
      resource: ACCOUNT,
      context: {
        ...TAGGED,
        'aws:TagKeys': ['appvend:baselined'],
        'aws:RequestTag/appvend:baselined': 'true',
      },
    },
    { action: 'organizations:ListPoliciesForTarget', resource: ACCOUNT, context: SCP_TYPE },
    { action: 'organizations:DetachPolicy', resource: SCP, context: { ...SCP_TYPE, ...TAGGED } },
    { action: 'organizations:DetachPolicy', resource: ACCOUNT, context: { ...SCP_TYPE, ...TAGGED } },
  ],
  'reconcile-drift': [
    { action: 'dynamodb:GetItem', resource: LEDGER },
    { action: 'dynamodb:PutItem', resource: LEDGER },
    { action: 'dynamodb:Scan', resource: LEDGER },
    { action: 'states:StartExecution', resource: STATE_MACHINE },
    { action: 'events:PutEvents', resource: BUS, context: outcomeEvent('Application Drift Detected') },
    // The run goes on in a new invocation of the function itself.
    { action: 'lambda:InvokeFunction', resource: RECONCILE_FUNCTION },
    { action: 'organizations:ListRoots', resource: '*' },
    { action: 'organizations:ListOrganizationalUnitsForParent', resource: ROOT },
    { action: 'organizations:ListPolicies', resource: '*', context: SCP_TYPE },
    { action: 'organizations:DescribePolicy', resource: SCP, context: SCP_TYPE },
    { action: 'organizations:ListTargetsForPolicy', resource: SCP, context: SCP_TYPE },
    { action: 'organizations:ListPoliciesForTarget', resource: OU, context: SCP_TYPE },
    { action: 'organizations:ListAccounts', resource: '*' },
    { action: 'organizations:ListAccountsForParent', resource: OU },
    { action: 'organizations:DescribeOrganizationalUnit', resource: OU },
    { action: 'organizations:ListParents', resource: OU },
    { action: 'organizations:DescribeAccount', resource: ACCOUNT },
    { action: 'organizations:ListParents', resource: ACCOUNT },
    { action: 'organizations:ListTagsForResource', resource: ACCOUNT },
    { action: 'organizations:ListTagsForResource', resource: ACCOUNT, context: TAGGED },
    { action: 'organizations:ListTagsForResource', resource: OU },
    { action: 'organizations:ListTagsForResource', resource: ROOT },
    { action: 'cloudformation:DescribeStackSet', resource: STACK_SET },
    { action: 'cloudformation:ListStackInstances', resource: STACK_SET },
    { action: 'ram:GetResourceShares', resource: '*' },
    { action: 'ram:GetResourceShareAssociations', resource: '*' },
    { action: 'sts:AssumeRole', resource: MEMBER_ACCESS_ROLE, context: IN_APPLICATION_OU },
  ],
  'record-stopped-vend': [
    { action: 'dynamodb:GetItem', resource: LEDGER },
    { action: 'dynamodb:PutItem', resource: LEDGER },
    {
      action: 'states:GetExecutionHistory',
      resource: `${STATE_MACHINE.replace(':stateMachine:', ':execution:')}:orders-a8ed75e8c8c6-1`,
    },
  ],
  'summarize-vend': [
    { action: 'dynamodb:GetItem', resource: LEDGER },
    { action: 'dynamodb:PutItem', resource: LEDGER },
    { action: 'events:PutEvents', resource: BUS, context: outcomeEvent('Application Vended') },
    { action: 'events:PutEvents', resource: BUS, context: outcomeEvent('Application Vending Failed') },
    { action: 'events:PutEvents', resource: BUS, context: outcomeEvent('Application Drift Fixed') },
    { action: 'sns:Publish', resource: NOTIFICATIONS },
    { action: 'kms:GenerateDataKey', resource: TOPICS_KEY, context: THROUGH_SNS },
    { action: 'kms:Decrypt', resource: TOPICS_KEY, context: THROUGH_SNS },
  ],
  'submit-application': [
    { action: 'dynamodb:GetItem', resource: LEDGER },
    { action: 'dynamodb:PutItem', resource: LEDGER },
    { action: 'states:StartExecution', resource: STATE_MACHINE },
    { action: 'sqs:SendMessage', resource: DLQ },
  ],
  'portal-api': [
    { action: 'dynamodb:GetItem', resource: LEDGER },
    { action: 'dynamodb:PutItem', resource: LEDGER },
    { action: 'dynamodb:Scan', resource: LEDGER },
    { action: 'states:StartExecution', resource: STATE_MACHINE },
    { action: 'states:StartExecution', resource: STATE_MACHINE.replace('appvend-vend', 'appvend-offboard') },
    {
      action: 'states:GetExecutionHistory',
      resource: `${STATE_MACHINE.replace(':stateMachine:', ':execution:')}:orders-a8ed75e8c8c6-1`,
    },
    // The dry run's reads (appvend plan from the API)
    { action: 'organizations:ListRoots', resource: '*' },
    { action: 'organizations:ListOrganizationalUnitsForParent', resource: ROOT },
    { action: 'organizations:ListPolicies', resource: '*', context: SCP_TYPE },
    { action: 'organizations:DescribePolicy', resource: SCP, context: SCP_TYPE },
    { action: 'organizations:ListTargetsForPolicy', resource: SCP, context: SCP_TYPE },
    { action: 'organizations:ListPoliciesForTarget', resource: OU, context: SCP_TYPE },
    { action: 'organizations:ListAccounts', resource: '*' },
    { action: 'organizations:ListAccountsForParent', resource: OU },
    { action: 'organizations:ListParents', resource: ACCOUNT },
    { action: 'organizations:ListTagsForResource', resource: ACCOUNT },
    { action: 'organizations:ListTagsForResource', resource: ACCOUNT, context: TAGGED },
    { action: 'organizations:ListTagsForResource', resource: OU },
    { action: 'organizations:ListTagsForResource', resource: ROOT },
    { action: 'cloudformation:DescribeStackSet', resource: STACK_SET },
    { action: 'cloudformation:ListStackInstances', resource: STACK_SET },
    { action: 'ram:GetResourceShares', resource: '*' },
    { action: 'ram:GetResourceShareAssociations', resource: '*' },
  ],
  'service-catalog-product': [
    { action: 'dynamodb:GetItem', resource: LEDGER },
    { action: 'dynamodb:PutItem', resource: LEDGER },
    { action: 'states:StartExecution', resource: STATE_MACHINE },
  ],
  'service-catalog-outcome': [
    { action: 'dynamodb:GetItem', resource: LEDGER },
    { action: 'dynamodb:PutItem', resource: LEDGER },
  ],
};

const WORLD = { management: MANAGEMENT, member: MEMBER, organizationId: ORG, variables: VARIABLES };

/** `Allowed`, `ImplicitlyDenied` or `ExplicitlyDenied` for the function making the call. */
const decide = (name: ServiceFunctionName, call: Call): Promise<string> =>
  decideCall(WORLD, name, functionPermissions(name, SCOPE), call);

/**
 * `own` covers `call`: the same call, or the same action on the same resource where `own` has no
 * context and `call` only narrows it (a function with the whole ledger table may read the
 * CreateAccount line's items too).
 */
const sameCall = (own: Call, call: Call) =>
  JSON.stringify(own) === JSON.stringify(call) ||
  (own.action === call.action &&
    own.resource === call.resource &&
    !own.context &&
    LINE_ITEMS.some((item) => call.context === item));

describe('Functions: stepPermissions and frontDoorPermissions', () => {
  it('allows every call each function makes', async () => {
    // Prepare
    const calls = FUNCTIONS.flatMap((step) => CALLS[step].map((call) => ({ step, call })));

    // Act
    const decisions = await Promise.all(
      calls.map(async ({ step, call }) => `${describeCall(step, call)}: ${await decide(step, call)}`),
    );

    // Assess
    expect(decisions).toEqual(calls.map(({ step, call }) => `${describeCall(step, call)}: Allowed`));
  });

  it('refuses each function every call of the other functions that it does not make itself', async () => {
    // Prepare: the summary and the front door both read and write the ledger; nothing else is shared.
    const foreign = FUNCTIONS.flatMap((step) =>
      FUNCTIONS.filter((other) => other !== step).flatMap((other) =>
        CALLS[other]
          .filter((call) => !CALLS[step].some((own) => sameCall(own, call)))
          .map((call) => ({ step, call })),
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

  it('lets the reconcile invoke itself to go on, and no other function; no other function may invoke it', async () => {
    // Prepare
    const other = (name: string) => ({
      action: 'lambda:InvokeFunction',
      resource: RECONCILE_FUNCTION.replace('appvend-reconcile-drift', name),
    });
    const itself = { action: 'lambda:InvokeFunction', resource: RECONCILE_FUNCTION };

    // Act
    const reconcile = {
      itself: await decide('reconcile-drift', itself),
      qualified: await decide('reconcile-drift', { ...itself, resource: `${RECONCILE_FUNCTION}:1` }),
      vendStep: await decide('reconcile-drift', other('appvend-move-account')),
      portal: await decide('reconcile-drift', other('appvend-portal-api')),
    };
    const othersInvokingIt = await Promise.all(
      FUNCTIONS.filter((name) => name !== 'reconcile-drift').map((name) => decide(name, itself)),
    );

    // Assess
    expect(reconcile).toEqual({
      itself: 'Allowed',
      qualified: 'ImplicitlyDenied',
      vendStep: 'ImplicitlyDenied',
      portal: 'ImplicitlyDenied',
    });
    expect(new Set(othersInvokingIt)).toEqual(new Set(['ImplicitlyDenied']));
  });

  it('gives the validation step only the Identity Center reads that check the request’s names', () => {
    expect(stepPermissions('validate-request', SCOPE).flatMap((p) => p.actions)).toEqual([
      'sso:ListInstances',
      'sso:ListPermissionSets',
      'sso:DescribePermissionSet',
      'identitystore:GetGroupId',
    ]);
  });

  it('shares only the ledger between the summary step and the front door', () => {
    // Act
    const shared = CALLS['summarize-vend'].filter((call) =>
      CALLS['submit-application'].some((own) => sameCall(own, call)),
    );

    // Assess
    expect(shared.map((call) => call.action)).toEqual(['dynamodb:GetItem', 'dynamodb:PutItem']);
    expect(frontDoorPermissions('submit-application', SCOPE).map((p) => p.sid)).toEqual([
      'RecordRequestInLedger',
      'StartVend',
      'ParkUnprocessedRequest',
    ]);
  });

  it.each<[string, ServiceFunctionName, Call]>([
    [
      "an application's ledger item to the sweep of the CreateAccount line (a delete)",
      'release-account-slots',
      { action: 'dynamodb:DeleteItem', resource: LEDGER, context: { 'dynamodb:LeadingKeys': 'orders' } },
    ],
    [
      "an application's ledger item to the account check (a put)",
      'check-account-creation',
      { action: 'dynamodb:PutItem', resource: LEDGER, context: { 'dynamodb:LeadingKeys': 'orders' } },
    ],
    [
      'an account without the appvend tag',
      'start-account-creation',
      { action: 'organizations:CreateAccount', resource: '*' },
    ],
    [
      "the root with a tag other than the quarantine SCP's record",
      'move-account',
      {
        action: 'organizations:TagResource',
        resource: ROOT,
        context: { 'aws:TagKeys': ['appvend:application'] },
      },
    ],
    [
      "the root with the quarantine SCP's record and another tag at once",
      'move-account',
      {
        action: 'organizations:TagResource',
        resource: ROOT,
        context: { 'aws:TagKeys': [QUARANTINE_POLICY_ROOT_TAG, 'owner'] },
      },
    ],
    [
      'the root untagged of its record',
      'move-account',
      {
        action: 'organizations:UntagResource',
        resource: ROOT,
        context: { 'aws:TagKeys': [QUARANTINE_POLICY_ROOT_TAG] },
      },
    ],
    [
      "the root's record written by the release, which only reads it",
      'release-quarantine',
      {
        action: 'organizations:TagResource',
        resource: ROOT,
        context: { 'aws:TagKeys': [QUARANTINE_POLICY_ROOT_TAG] },
      },
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
      'a connection share that allows principals outside the organization',
      'deploy-stack-set',
      {
        action: 'ram:CreateResourceShare',
        resource: '*',
        context: { ...SHARE_ON_CREATE, 'ram:RequestedAllowsExternalPrincipals': 'true' },
      },
    ],
    [
      'a connection share without the appvend tag',
      'deploy-stack-set',
      {
        action: 'ram:CreateResourceShare',
        resource: '*',
        context: { 'ram:RequestedAllowsExternalPrincipals': 'false', 'ram:ResourceArn': CONNECTION },
      },
    ],
    [
      'sharing another resource type than a connection',
      'deploy-stack-set',
      {
        action: 'ram:CreateResourceShare',
        resource: '*',
        context: {
          ...SHARE_ON_CREATE,
          'ram:ResourceArn': `arn:aws:ec2:us-east-1:${MANAGEMENT}:subnet/subnet-0123456789abcdef0`,
        },
      },
    ],
    [
      'adding to a resource share appvend did not tag',
      'deploy-stack-set',
      { action: 'ram:AssociateResourceShare', resource: CONNECTION_SHARE, context: INSIDE_ORGANIZATION },
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
      "re-tagging an account that already carries appvend's tag (another application's) as a new one",
      'start-account-creation',
      { action: 'organizations:TagResource', resource: ACCOUNT, context: { ...TAGGED, ...TAG_ON_CREATE } },
    ],
    [
      'moving an account into or out of an OU appvend did not make (untagged, not the parent or suspended OU)',
      'move-account',
      { action: 'organizations:MoveAccount', resource: OTHER_OU },
    ],
    [
      'the access role CreateAccount made, once the baseline is in place (the member access role serves)',
      'register-guardrails',
      { action: 'sts:AssumeRole', resource: MEMBER_ROLE, context: IN_APPLICATION_OU },
    ],
    [
      'the member access role, to the readiness probe (it runs before the baseline makes it)',
      'move-account',
      { action: 'sts:AssumeRole', resource: MEMBER_ACCESS_ROLE, context: IN_APPLICATION_OU },
    ],
    [
      'the member role in an account outside the application OUs (directly in the root, as the management account)',
      'register-guardrails',
      {
        action: 'sts:AssumeRole',
        resource: MEMBER_ACCESS_ROLE,
        context: { 'aws:ResourceOrgID': ORG, 'aws:ResourceOrgPaths': [`${ORG}/r-ab12/`] },
      },
    ],
    [
      'the member role in an account of an OU outside the parent',
      'register-guardrails',
      {
        action: 'sts:AssumeRole',
        resource: MEMBER_ACCESS_ROLE,
        context: { 'aws:ResourceOrgID': ORG, 'aws:ResourceOrgPaths': [`${ORG}/r-ab12/ou-ab12-other123/`] },
      },
    ],
    [
      'the member role in an account of another organization',
      'register-guardrails',
      { action: 'sts:AssumeRole', resource: MEMBER_ACCESS_ROLE, context: { 'aws:ResourceOrgID': OTHER_ORG } },
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
    [
      "detaching an SCP appvend did not tag (the organization's own guardrails)",
      'release-quarantine',
      { action: 'organizations:DetachPolicy', resource: SCP, context: SCP_TYPE },
    ],
    [
      'attaching an SCP to an account appvend did not create',
      'move-account',
      { action: 'organizations:AttachPolicy', resource: ACCOUNT, context: SCP_TYPE },
    ],
    [
      "tagging an account with anything but the baselined tag (e.g. another application's tag)",
      'release-quarantine',
      { action: 'organizations:TagResource', resource: ACCOUNT, context: { ...TAGGED, ...TAG_ON_CREATE } },
    ],
    [
      'deleting an account assignment from the validation step (only a change and the offboarding remove them)',
      'validate-request',
      { action: 'sso:DeleteAccountAssignment', resource: SSO_ASSIGNMENT_TARGET },
    ],
    [
      "deleting the management account's own alternate contacts",
      'grant-access',
      {
        action: 'account:DeleteAlternateContact',
        resource: `arn:aws:account::${MANAGEMENT}:account`,
        context: SECURITY_CONTACT,
      },
    ],
    [
      "the management account's own alternate contacts (not a member account of the organization)",
      'grant-access',
      {
        action: 'account:PutAlternateContact',
        resource: `arn:aws:account::${MANAGEMENT}:account`,
        context: SECURITY_CONTACT,
      },
    ],
    [
      'alternate contacts of an account of another organization',
      'grant-access',
      {
        action: 'account:PutAlternateContact',
        resource: `arn:aws:account::${MANAGEMENT}:account/${OTHER_ORG}/${MEMBER}`,
        context: SECURITY_CONTACT,
      },
    ],
    [
      'creating an account assignment from the validation step',
      'validate-request',
      { action: 'sso:CreateAccountAssignment', resource: SSO_ASSIGNMENT_TARGET },
    ],
    [
      'detaching an SCP from an OU',
      'release-quarantine',
      { action: 'organizations:DetachPolicy', resource: OU, context: { ...SCP_TYPE, ...TAGGED } },
    ],
    [
      'an outcome event from reconcile (only drift is its to announce)',
      'reconcile-drift',
      { action: 'events:PutEvents', resource: BUS, context: outcomeEvent('Application Vended') },
    ],
    [
      'an Application Requested event from the summary (it would start a vend)',
      'summarize-vend',
      { action: 'events:PutEvents', resource: BUS, context: outcomeEvent('Application Requested') },
    ],
    [
      'a batch in which one event is not an outcome',
      'summarize-vend',
      {
        action: 'events:PutEvents',
        resource: BUS,
        context: {
          'events:source': ['appvend'],
          'events:detail-type': ['Application Vended', 'Application Requested'],
        },
      },
    ],
    [
      'an outcome event with another source',
      'summarize-vend',
      {
        action: 'events:PutEvents',
        resource: BUS,
        context: outcomeEvent('Application Vended', 'aws.organizations'),
      },
    ],
    ['events without source or detail-type', 'summarize-vend', { action: 'events:PutEvents', resource: BUS }],
    [
      'an outcome event on another bus',
      'summarize-vend',
      {
        action: 'events:PutEvents',
        resource: BUS.replace('event-bus/appvend', 'event-bus/default'),
        context: outcomeEvent('Application Vended'),
      },
    ],
    [
      'a message to the security findings topic',
      'summarize-vend',
      { action: 'sns:Publish', resource: NOTIFICATIONS.replace('notifications', 'security-findings') },
    ],
    [
      'the topics key used directly, not through SNS',
      'summarize-vend',
      { action: 'kms:Decrypt', resource: TOPICS_KEY },
    ],
    [
      'the topics key through another service',
      'summarize-vend',
      {
        action: 'kms:GenerateDataKey',
        resource: TOPICS_KEY,
        context: { 'kms:ViaService': `s3.${REGION}.amazonaws.com` },
      },
    ],
    ['a ledger item deleted', 'submit-application', { action: 'dynamodb:DeleteItem', resource: LEDGER }],
    [
      'another table',
      'submit-application',
      { action: 'dynamodb:PutItem', resource: LEDGER.replace('appvend-ledger', 'payroll') },
    ],
    [
      'another state machine',
      'submit-application',
      { action: 'states:StartExecution', resource: STATE_MACHINE.replace('appvend-vend', 'payroll') },
    ],
    [
      'an execution stopped',
      'submit-application',
      {
        action: 'states:StopExecution',
        resource: `arn:aws:states:${REGION}:${MANAGEMENT}:execution:appvend-vend:orders-3f2a9c1b7d4e-1`,
      },
    ],
    [
      'an account created by the front door',
      'submit-application',
      { action: 'organizations:CreateAccount', resource: '*', context: TAG_ON_CREATE },
    ],
    [
      'a ledger item deleted through the portal API',
      'portal-api',
      { action: 'dynamodb:DeleteItem', resource: LEDGER },
    ],
    [
      'another table scanned through the portal API',
      'portal-api',
      { action: 'dynamodb:Scan', resource: LEDGER.replace('appvend-ledger', 'payroll') },
    ],
    [
      'an execution stopped through the portal API',
      'portal-api',
      {
        action: 'states:StopExecution',
        resource: `arn:aws:states:${REGION}:${MANAGEMENT}:execution:appvend-vend:orders-3f2a9c1b7d4e-1`,
      },
    ],
    [
      'the dead-letter queue written by the portal API',
      'portal-api',
      { action: 'sqs:SendMessage', resource: DLQ },
    ],
    [
      'a vend started by the Service Catalog outcome function',
      'service-catalog-outcome',
      { action: 'states:StartExecution', resource: STATE_MACHINE },
    ],
    [
      'the ledger scanned by the Service Catalog door',
      'service-catalog-product',
      { action: 'dynamodb:Scan', resource: LEDGER },
    ],
    [
      'another state machine started by the Service Catalog door',
      'service-catalog-product',
      {
        action: 'states:StartExecution',
        resource: STATE_MACHINE.replace('appvend-vend', 'payroll'),
      },
    ],
  ])('refuses %s', async (_what, step, call) => {
    // Act
    const decision = await decide(step, call);

    // Assess
    expect(decision).not.toBe('Allowed');
  });

  it('explains every wildcard it grants', () => {
    for (const step of FUNCTIONS) {
      for (const permission of functionPermissions(step, SCOPE)) {
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
