/**
 * The member access role the guardrails stack set makes in every vended account
 * (infra/templates/member-access-role.ts), answered by an IAM policy evaluator
 * (@cloud-copilot/iam-simulate) over the synthesized template resolved per account, and the
 * application's SCP. Who may become it: only the named service function roles, in the service
 * account (here the management account, the notification topic's: one-account mode), within the
 * organization. Who may change it: nobody in the vended account. What it may do: the guardrails and
 * the emptying of the application's buckets, through the SCP's protections.
 */
import { MEMBER_ACCESS_FUNCTION_ROLES, MEMBER_ACCESS_ROLE_NAME } from '../../shared/domain/member-access';
import { A, BILLING, MANAGEMENT, ORDERS, OUTSIDER, V, buildWorld, role } from './fixture';
import { ADMINISTRATOR_ACCESS, verdict, type Answer, type Question } from './simulate';

const ORGANIZATION = 'o-a1b2c3d4e5';
const { world, simulator } = buildWorld();

const memberAccess = (account: string) => role(account, MEMBER_ACCESS_ROLE_NAME);
/** What a function's own role allows (the step's `AssumeMemberAccessRole`, without its org-path key). */
const ASSUME_MEMBER_ACCESS = {
  Version: '2012-10-17',
  Statement: [
    {
      Sid: 'AssumeMemberAccessRole',
      Effect: 'Allow',
      Action: 'sts:AssumeRole',
      Resource: `arn:aws:iam::*:role/${MEMBER_ACCESS_ROLE_NAME}`,
    },
  ],
} as const;

const SERVICE_FUNCTIONS = MEMBER_ACCESS_FUNCTION_ROLES.map((name) => role(MANAGEMENT, name));
/** A service function the trust does not name: the readiness probe enters through the access role. */
const MOVE_ACCOUNT = role(MANAGEMENT, 'appvend-move-account');
/** An administrator of the service account who is none of the named function roles. */
const SERVICE_ADMIN = role(MANAGEMENT, 'platform-operator');
/** Roles another member account (the other application's tooling) made with a function's name. */
const LOOKALIKE = role(BILLING.tooling, 'appvend-register-guardrails');
/** The same outside the organization. */
const OUTSIDE_LOOKALIKE = role(OUTSIDER, 'appvend-register-guardrails');
/** A role in the vended account itself with a function's name. */
const INSIDE_LOOKALIKE = role(ORDERS.test, 'appvend-register-guardrails');

for (const fn of [...SERVICE_FUNCTIONS, MOVE_ACCOUNT]) {
  world.addActor(fn, { AssumeMemberAccessRole: ASSUME_MEMBER_ACCESS as never });
}
for (const actor of [SERVICE_ADMIN, LOOKALIKE, OUTSIDE_LOOKALIKE, INSIDE_LOOKALIKE]) {
  world.addActor(actor, { AdministratorAccess: ADMINISTRATOR_ACCESS });
}

const ask = (question: Question): Promise<Answer> => simulator.ask(question);
const ALLOWED = expect.stringMatching(/^Allowed \|/);
const DENIED = expect.stringMatching(/^(Implicitly|Explicitly)Denied \|/);
const EXPLICITLY_DENIED = expect.stringMatching(/^ExplicitlyDenied \|/);

/** sts:AssumeRole of the member access role in `account`, from a principal of `principalOrg`. */
const assume = (principal: string, account: string, principalOrg: string | undefined = ORGANIZATION) =>
  ask({
    principal,
    action: 'sts:AssumeRole',
    resource: memberAccess(account),
    context: {
      // AWS sets both for accounts in an organization; an outsider has no aws:PrincipalOrgID.
      ...(principalOrg && { 'aws:PrincipalOrgID': principalOrg }),
      'aws:ResourceOrgID': ORGANIZATION,
    },
  });

describe('the member access role: who may assume it', () => {
  it('exists in every account of the application, made by the guardrails stack set', () => {
    for (const account of Object.values(ORDERS)) {
      expect(world.roles.get(memberAccess(account))?.origin).toMatch(/^guardrails@/);
    }
  });

  it.each(SERVICE_FUNCTIONS)('%s may assume it in the test account', async (fn) => {
    expect(verdict(await assume(fn, ORDERS.test))).toEqual(ALLOWED);
  });

  it.each(SERVICE_FUNCTIONS)('%s may NOT assume it from outside the organization', async (fn) => {
    const answer = await assume(fn, ORDERS.test, 'o-zzzzzzzzzz');
    expect(verdict(answer)).toEqual(DENIED);
    expect(verdict(answer)).toMatch(/\| identity=Allowed\b/);
  });

  it.each([
    ['a service function the trust does not name (move-account)', MOVE_ACCOUNT],
    ['an administrator of the service account', SERVICE_ADMIN],
    ['a role named like a service function in another member account', LOOKALIKE],
    ['a role named like a service function in the vended account itself', INSIDE_LOOKALIKE],
    ["the vended account's administrator", A.testDeveloper],
    ["the vended account's access role (OrganizationAccountAccessRole)", A.testOrgAccessRole],
  ])('%s may NOT assume it', async (_who, principal) => {
    const answer = await assume(principal, ORDERS.test);
    expect(verdict(answer)).toEqual(DENIED);
    // The refusal is the trust policy's: the principal's own policies would let it.
    expect(verdict(answer)).toMatch(/\| identity=Allowed\b/);
  });

  it('a role named like a service function outside the organization may NOT assume it', async () => {
    expect(verdict(await assume(OUTSIDE_LOOKALIKE, ORDERS.test, undefined))).toEqual(DENIED);
  });
});

describe("the member access role: protected from the vended account's administrators by the SCP", () => {
  const target = memberAccess(ORDERS.test);
  it.each([
    'iam:UpdateAssumeRolePolicy',
    'iam:DeleteRole',
    'iam:AttachRolePolicy',
    'iam:DetachRolePolicy',
    'iam:PutRolePolicy',
    'iam:DeleteRolePolicy',
    'iam:UpdateRole',
    'iam:PutRolePermissionsBoundary',
  ])('an administrator of the test account may NOT %s it', async (action) => {
    const answer = await ask({ principal: A.testDeveloper, action, resource: target });
    expect(verdict(answer)).toEqual(EXPLICITLY_DENIED);
    expect(verdict(answer)).toMatch(/ProtectVendedResources/);
  });

  it('nor may the application stack its deployer made', async () => {
    const answer = await ask({
      principal: V.testDeployer,
      action: 'iam:UpdateAssumeRolePolicy',
      resource: target,
    });
    expect(verdict(answer)).toEqual(DENIED);
  });

  it('the role itself may NOT rewrite its trust or its policies', async () => {
    for (const action of ['iam:UpdateAssumeRolePolicy', 'iam:PutRolePolicy', 'iam:AttachRolePolicy']) {
      expect(verdict(await ask({ principal: target, action, resource: target }))).toEqual(DENIED);
    }
  });
});

describe('the member access role: what it may do in the account, through the SCP', () => {
  const self = memberAccess(ORDERS.tooling);
  const appBucket = `arn:aws:s3:::${V.bucket}`;
  const otherBucket = `arn:aws:s3:::appvend-billing-artifacts-${BILLING.tooling}`;
  it.each([
    ['config:PutConformancePack', '*'],
    ['config:PutConfigurationRecorder', '*'],
    ['config:StartConfigurationRecorder', '*'],
    ['config:DescribeConformancePackStatus', '*'],
    // At offboarding, while the SCP still applies (ProtectSecurityServices lets the role through).
    ['config:DeleteConformancePack', '*'],
    ['config:StopConfigurationRecorder', '*'],
    ['config:DeleteConfigurationRecorder', '*'],
    ['config:DeleteDeliveryChannel', '*'],
    // The buckets' emptying (ProtectVendedResources lets the role through for PutBucketLogging).
    ['s3:PutBucketLogging', appBucket],
    ['s3:ListBucketVersions', appBucket],
    ['s3:DeleteObjectVersion', `${appBucket}/appvend-orders/BuildOutpu/Ab3dE7f`],
  ])('may %s (%s)', async (action, resource) => {
    const answer = await ask({ principal: self, action, resource, resourceAccount: ORDERS.tooling });
    expect(verdict(answer)).toEqual(ALLOWED);
  });

  it('may pass the application Config recorder role to AWS Config only', async () => {
    const recorder = role(ORDERS.tooling, 'appvend-orders-config-recorder');
    const toConfig = await ask({
      principal: self,
      action: 'iam:PassRole',
      resource: recorder,
      context: { 'iam:PassedToService': 'config.amazonaws.com' },
    });
    const toLambda = await ask({
      principal: self,
      action: 'iam:PassRole',
      resource: recorder,
      context: { 'iam:PassedToService': 'lambda.amazonaws.com' },
    });
    expect(verdict(toConfig)).toEqual(ALLOWED);
    expect(verdict(toLambda)).toEqual(DENIED);
  });

  it.each([
    ['iam:CreateRole', role(ORDERS.tooling, 'anything')],
    ['iam:PassRole', V.pipelineRole],
    ['s3:GetObject', `${appBucket}/appvend-orders/BuildOutpu/Ab3dE7f`],
    ['s3:PutBucketPolicy', appBucket],
    ['s3:DeleteObjectVersion', `${otherBucket}/x`],
    [
      'codepipeline:PutApprovalResult',
      `arn:aws:codepipeline:us-east-1:${ORDERS.tooling}:appvend-orders/Approve/Release`,
    ],
    ['kms:Decrypt', `arn:aws:kms:us-east-1:${ORDERS.tooling}:key/1234abcd-12ab-34cd-56ef-1234567890ab`],
  ])('may NOT %s (%s): nothing but its work', async (action, resource) => {
    const answer = await ask({ principal: self, action, resource, resourceAccount: ORDERS.tooling });
    expect(verdict(answer)).toEqual(DENIED);
  });
});
