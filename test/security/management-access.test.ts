/**
 * Who may act in the management account, answered by an IAM policy evaluator
 * (@cloud-copilot/iam-simulate) over the synthesized templates of both stacks in the two-account
 * layout: the AppvendService stack in a platform account, the AppvendManagementAccess stack in the
 * management account (issue 18). The management roles' trust policies are the resource policies of
 * sts:AssumeRole; their permissions, and the function roles', are the identity policies.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runSimulation } from '@cloud-copilot/iam-simulate';
import { MANAGEMENT_STACK_NAME, SERVICE_STACK_NAME, buildServiceApp } from '../../infra/service';
import { synthesizeVendedTemplates } from '../../infra/templates';
import {
  FUNCTION_SESSION_TAG,
  MANAGEMENT_READ_ROLE_NAME,
  MANAGEMENT_WRITE_ROLE_NAME,
} from '../../shared/domain/management-access';
import { MEMBER_ACCESS_FUNCTION_ROLES, MEMBER_ACCESS_ROLE_NAME } from '../../shared/domain/member-access';
import { StackInstance, UnresolvableError, type Template } from './cfn-resolver';
import { ADMINISTRATOR_ACCESS } from './simulate';
import type { PolicyDocument } from './vended-world';

const ORG = 'o-a1b2c3d4e5';
const OTHER_ORG = 'o-z9y8x7w6v5';
const MANAGEMENT = '999999999999';
const PLATFORM = '888888888888';
const MEMBER = '222222222222';
const OUTSIDER = '777777777777';
const REGION = 'eu-west-1';

const role = (account: string, name: string) => `arn:aws:iam::${account}:role/${name}`;
const WRITE_ROLE = role(MANAGEMENT, MANAGEMENT_WRITE_ROLE_NAME);
const READ_ROLE = role(MANAGEMENT, MANAGEMENT_READ_ROLE_NAME);
const orgArn = (path: string) => `arn:aws:organizations::${MANAGEMENT}:${path}`;
const ROOT = orgArn(`root/${ORG}/r-ab12`);
const OU = orgArn(`ou/${ORG}/ou-ab12-cdef3456`);
const ACCOUNT = orgArn(`account/${ORG}/${MEMBER}`);
const TAG_ON_CREATE = {
  'aws:RequestTag/appvend:application': 'shop',
  'aws:TagKeys': ['appvend:application'],
};
const TAGGED = { 'aws:ResourceTag/appvend:application': 'shop' };

interface Principal {
  arn: string;
  account: string;
  orgId: string;
  policies: Array<{ name: string; policy: PolicyDocument; managed?: boolean }>;
}

let outdir: string;
/** Identity policies by role ARN, resolved as deployed in each account. */
const principals = new Map<string, Principal>();
/** Trust policies of the management stack's roles. */
const trusts = new Map<string, PolicyDocument>();

/**
 * A statement whose resource CloudFormation knows only after creation (a table's ARN) is widened
 * to `*`: an over-approximation, so that a Denied answer stays sound; no Allowed answer below
 * relies on a widened statement (they are about sts:AssumeRole and Organizations actions, whose
 * statements resolve).
 */
function resolvePolicy(instance: StackInstance, document: unknown): PolicyDocument {
  const widen = (value: unknown, wide: unknown): unknown => {
    try {
      return instance.resolve(value);
    } catch (error) {
      if (!(error instanceof UnresolvableError)) throw error;
      return wide;
    }
  };
  const statements = (document as { Statement: Array<Record<string, unknown>> }).Statement.map(
    ({ Resource, Condition, ...rest }) => {
      // A condition that cannot be resolved is dropped: wider still.
      const condition = Condition === undefined ? undefined : widen(Condition, undefined);
      return {
        ...(instance.resolve(rest) as object),
        Resource: widen(Resource, '*'),
        ...(condition === undefined ? {} : { Condition: condition }),
      };
    },
  );
  return { Version: '2012-10-17', Statement: statements } as PolicyDocument;
}

/** Every role of a stack, with its inline and customer managed policies, resolved in `account`. */
function addRoles(template: Template, account: string): void {
  const values: Record<string, string> = {
    OrganizationId: ORG,
    ConfigDeliveryBucket: 'appvend-config-bucket',
    // The guardrails template, in a vended account: the service's topic is in the platform account.
    AppName: 'shop',
    NotificationTopicArn: `arn:aws:sns:${REGION}:${PLATFORM}:appvend-security-notifications`,
  };
  const declared = Object.keys((template.Parameters ?? {}) as object);
  const instance = new StackInstance(template, {
    parameters: Object.fromEntries(Object.entries(values).filter(([name]) => declared.includes(name))),
    accountId: account,
    region: REGION,
  });
  const resources = (template.Resources ?? {}) as Record<
    string,
    { Type: string; Properties: Record<string, unknown> }
  >;
  for (const [id, resource] of Object.entries(resources)) {
    if (resource.Type !== 'AWS::IAM::Role' || typeof resource.Properties.RoleName !== 'string') continue;
    const arn = role(account, resource.Properties.RoleName);
    const policies = Object.entries(resources)
      .filter(
        ([, r]) =>
          (r.Type === 'AWS::IAM::Policy' || r.Type === 'AWS::IAM::ManagedPolicy') &&
          ((r.Properties.Roles ?? []) as Array<{ Ref?: string }>).some((ref) => ref.Ref === id),
      )
      .map(([name, r]) => ({
        name,
        policy: resolvePolicy(instance, r.Properties.PolicyDocument),
        managed: r.Type === 'AWS::IAM::ManagedPolicy',
      }));
    principals.set(arn, { arn, account, orgId: ORG, policies });
    trusts.set(arn, instance.resolve(resource.Properties.AssumeRolePolicyDocument) as PolicyDocument);
  }
}

/** A principal the stacks do not create, with AdministratorAccess. */
const administrator = (arn: string, orgId = ORG): Principal => {
  const account = arn.split(':')[4]!;
  return { arn, account, orgId, policies: [{ name: 'AdministratorAccess', policy: ADMINISTRATOR_ACCESS }] };
};

/** `Allowed`, `ImplicitlyDenied` or `ExplicitlyDenied`, as AWS would decide the call. */
async function decide(
  who: Principal | string,
  action: string,
  resource: string,
  context: Record<string, string | string[]> = {},
): Promise<string> {
  const principal = typeof who === 'string' ? principals.get(who) : who;
  if (!principal) throw new Error(`Unknown principal ${String(who)}`);
  const assume = action === 'sts:AssumeRole';
  const resourcePolicy = assume ? trusts.get(resource) : undefined;
  // A function names itself in the session tag when it assumes a management role (the client
  // factory does); a question may say otherwise.
  const naming: Record<string, string | string[]> =
    assume && JSON.stringify(resourcePolicy).includes('RequestTag')
      ? { [`aws:RequestTag/${FUNCTION_SESSION_TAG}`]: principal.arn, 'aws:TagKeys': [FUNCTION_SESSION_TAG] }
      : {};
  if (assume && !resourcePolicy) throw new Error(`No trust policy for ${resource}`);
  const result = await runSimulation(
    {
      request: {
        principal: principal.arn,
        action,
        resource: { resource, accountId: assume ? resource.split(':')[4]! : MANAGEMENT },
        contextVariables: {
          'aws:PrincipalArn': principal.arn,
          'aws:PrincipalAccount': principal.account,
          'aws:PrincipalOrgID': principal.orgId,
          ...naming,
          ...context,
        },
      },
      identityPolicies: principal.policies,
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      ...(resourcePolicy && { resourcePolicy }),
    },
    { simulationMode: 'Strict' },
  );
  if (result.resultType === 'error') throw new Error(`${action}: ${JSON.stringify(result.errors)}`);
  return result.overallResult;
}

beforeAll(() => {
  outdir = mkdtempSync(join(tmpdir(), 'appvend-management-access-'));
  const { app } = buildServiceApp({
    outdir,
    context: {
      'aws:cdk:bundling-stacks': [],
      managementAccountId: MANAGEMENT,
      serviceAccountId: PLATFORM,
    },
  });
  const assembly = app.synth();
  addRoles(assembly.getStackByName(SERVICE_STACK_NAME).template as Template, PLATFORM);
  addRoles(assembly.getStackByName(MANAGEMENT_STACK_NAME).template as Template, MANAGEMENT);
  // The member access role the guardrails stack set makes in each vended account.
  addRoles(synthesizeVendedTemplates().guardrails as Template, MEMBER);
  // The role CreateAccount makes in each new account: it trusts the management account. The
  // management account has none; it is given the same trust here, the worst case.
  for (const account of [MEMBER, MANAGEMENT]) {
    trusts.set(role(account, 'OrganizationAccountAccessRole'), {
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${MANAGEMENT}:root` }, Action: 'sts:AssumeRole' },
      ],
    } as PolicyDocument);
  }
});

afterAll(() => rmSync(outdir, { recursive: true, force: true }));

describe('Access: the management roles of the two-account layout', () => {
  const fn = (name: string) => role(PLATFORM, `appvend-${name}`);

  it('lets the workflow functions that need it, and only them, assume the write role', async () => {
    expect(
      await Promise.all(
        ['ensure-organizational-unit', 'start-account-creation', 'move-account', 'close-accounts'].map(
          (name) => decide(fn(name), 'sts:AssumeRole', WRITE_ROLE),
        ),
      ),
    ).toEqual(['Allowed', 'Allowed', 'Allowed', 'Allowed']);
    // Functions that only read the organization (the portal's dry run), or never touch it.
    expect(
      await Promise.all(
        ['portal-api', 'summarize-vend', 'deploy-stack-set', 'submit-application'].map((name) =>
          decide(fn(name), 'sts:AssumeRole', WRITE_ROLE),
        ),
      ),
    ).toEqual(['ImplicitlyDenied', 'ImplicitlyDenied', 'ImplicitlyDenied', 'ImplicitlyDenied']);
    expect(await decide(fn('portal-api'), 'sts:AssumeRole', READ_ROLE)).toBe('Allowed');
  });

  it('lets no other principal assume the management roles: an administrator elsewhere in the organization, an unrelated role of the service account, a same-named role elsewhere', async () => {
    const others = [
      administrator(role(MEMBER, 'admin')),
      administrator(role(PLATFORM, 'platform-admin')),
      administrator(role(MANAGEMENT, 'developer')),
      administrator(role(MEMBER, 'appvend-move-account')),
      // The service account's own function role name, but the caller is outside the organization.
      { ...administrator(role(PLATFORM, 'appvend-move-account'), OTHER_ORG) },
      administrator(role(OUTSIDER, 'appvend-move-account'), OTHER_ORG),
    ];
    for (const target of [WRITE_ROLE, READ_ROLE]) {
      expect(await Promise.all(others.map((p) => decide(p, 'sts:AssumeRole', target)))).toEqual(
        others.map(() => expect.stringMatching(/Denied$/)),
      );
    }
  });

  /** A session of the role assumed by function `name`: it carries the function tag. */
  const as = (name: string, context: Record<string, string | string[]> = {}) => ({
    [`aws:PrincipalTag/${FUNCTION_SESSION_TAG}`]: fn(name),
    ...context,
  });
  const MEMBER_ROLE = role(MEMBER, 'OrganizationAccountAccessRole');
  const IN_APPLICATION_OU = {
    'aws:ResourceOrgID': ORG,
    'aws:ResourceOrgPaths': [`${ORG}/r-ab12/ou-ab12-cdef3456/`],
  };
  const CONTACT = `arn:aws:account::${MANAGEMENT}:account/${ORG}/${MEMBER}`;

  it('refuses the management roles to a function that does not name itself in the function tag, or names another', async () => {
    const moveAccount = principals.get(fn('move-account'))!;
    expect(
      await Promise.all([
        decide(moveAccount, 'sts:AssumeRole', WRITE_ROLE, {
          [`aws:RequestTag/${FUNCTION_SESSION_TAG}`]: fn('start-account-creation'),
        }),
        decide(moveAccount, 'sts:AssumeRole', WRITE_ROLE, {
          [`aws:RequestTag/${FUNCTION_SESSION_TAG}`]: fn('move-account'),
          'aws:TagKeys': [FUNCTION_SESSION_TAG, 'team'],
        }),
      ]),
    ).toEqual(['ImplicitlyDenied', 'ImplicitlyDenied']);
  });

  it("lets each function's session of the write role make its own management calls", async () => {
    expect(
      await Promise.all([
        decide(WRITE_ROLE, 'organizations:CreateOrganizationalUnit', ROOT, as('ensure-organizational-unit')),
        decide(WRITE_ROLE, 'organizations:CreateAccount', '*', as('start-account-creation', TAG_ON_CREATE)),
        decide(WRITE_ROLE, 'organizations:MoveAccount', ACCOUNT, as('move-account')),
        decide(WRITE_ROLE, 'organizations:CloseAccount', ACCOUNT, as('close-accounts', TAGGED)),
        decide(
          WRITE_ROLE,
          'organizations:AttachPolicy',
          OU,
          as('ensure-service-control-policy', {
            ...TAGGED,
            'organizations:PolicyType': 'SERVICE_CONTROL_POLICY',
          }),
        ),
        decide(
          WRITE_ROLE,
          'account:PutAlternateContact',
          CONTACT,
          as('grant-access', { 'account:AlternateContactTypes': ['SECURITY'] }),
        ),
        // The readiness probe: the first entry into a new account, before its baseline.
        decide(WRITE_ROLE, 'sts:AssumeRole', MEMBER_ROLE, as('move-account', IN_APPLICATION_OU)),
      ]),
    ).toEqual(Array(7).fill('Allowed'));
  });

  it("refuses a function's session of the write role another function's management calls", async () => {
    expect(
      await Promise.all([
        decide(WRITE_ROLE, 'organizations:CreateAccount', '*', as('move-account', TAG_ON_CREATE)),
        decide(WRITE_ROLE, 'organizations:CloseAccount', ACCOUNT, as('grant-access', TAGGED)),
        decide(WRITE_ROLE, 'organizations:CreateOrganizationalUnit', ROOT, as('reconcile-drift')),
        decide(WRITE_ROLE, 'organizations:MoveAccount', ACCOUNT, as('register-guardrails')),
        decide(
          WRITE_ROLE,
          'account:PutAlternateContact',
          CONTACT,
          as('close-accounts', { 'account:AlternateContactTypes': ['SECURITY'] }),
        ),
        // A session without the tag holds nothing.
        decide(WRITE_ROLE, 'organizations:MoveAccount', ACCOUNT),
        decide(WRITE_ROLE, 'sts:AssumeRole', MEMBER_ROLE, IN_APPLICATION_OU),
        // After the baseline, the guardrails go through the member access role, not the access role.
        decide(WRITE_ROLE, 'sts:AssumeRole', MEMBER_ROLE, as('register-guardrails', IN_APPLICATION_OU)),
        decide(WRITE_ROLE, 'sts:AssumeRole', MEMBER_ROLE, as('remove-stack-set', IN_APPLICATION_OU)),
      ]),
    ).toEqual(Array(9).fill('ImplicitlyDenied'));
  });

  it('refuses the write role what no function does: untagged creations, other services, the organization itself', async () => {
    // As the function that holds the most Organizations writes.
    const any = (context: Record<string, string | string[]> = {}) => as('start-account-creation', context);
    expect(
      await Promise.all([
        decide(WRITE_ROLE, 'organizations:CreateAccount', '*', any()),
        decide(WRITE_ROLE, 'organizations:LeaveOrganization', '*', any()),
        decide(WRITE_ROLE, 'organizations:DeleteOrganization', '*', any()),
        decide(WRITE_ROLE, 'organizations:InviteAccountToOrganization', '*', any()),
        decide(WRITE_ROLE, 'iam:CreateRole', role(MANAGEMENT, 'anything'), any()),
        decide(WRITE_ROLE, 'iam:PassRole', role(MANAGEMENT, 'anything'), any()),
        decide(WRITE_ROLE, 's3:GetObject', 'arn:aws:s3:::any-bucket/key', any()),
        decide(WRITE_ROLE, 'cloudformation:CreateStackSet', '*', any()),
        decide(
          WRITE_ROLE,
          'sts:AssumeRole',
          role(MANAGEMENT, 'OrganizationAccountAccessRole'),
          as('register-guardrails', { 'aws:ResourceOrgID': ORG, 'aws:ResourceOrgPaths': [`${ORG}/r-ab12/`] }),
        ),
      ]),
    ).toEqual(Array(9).fill('ImplicitlyDenied'));
  });

  it("lets the read role read the organization for the portal's dry run, and nothing more", async () => {
    expect(
      await Promise.all([
        decide(READ_ROLE, 'organizations:ListAccounts', '*', as('portal-api')),
        decide(READ_ROLE, 'organizations:ListOrganizationalUnitsForParent', ROOT, as('portal-api')),
        decide(READ_ROLE, 'organizations:ListAccounts', '*'),
        decide(READ_ROLE, 'organizations:CreateAccount', '*', as('portal-api', TAG_ON_CREATE)),
        decide(READ_ROLE, 'organizations:CreateOrganizationalUnit', ROOT, as('portal-api')),
        decide(READ_ROLE, 'organizations:TagResource', ACCOUNT, as('portal-api', TAG_ON_CREATE)),
        decide(READ_ROLE, 'sts:AssumeRole', MEMBER_ROLE, as('portal-api', IN_APPLICATION_OU)),
      ]),
    ).toEqual([
      'Allowed',
      'Allowed',
      'ImplicitlyDenied',
      'ImplicitlyDenied',
      'ImplicitlyDenied',
      'ImplicitlyDenied',
      'ImplicitlyDenied',
    ]);
  });

  it("keeps the management roles within IAM's quotas, as deployed: trust policy, inline and managed policy sizes", () => {
    // Characters without whitespace, as IAM counts them.
    const size = (document: unknown) => JSON.stringify(document).length;
    for (const arn of [WRITE_ROLE, READ_ROLE]) {
      const { policies } = principals.get(arn)!;
      const managed = policies.filter((p) => p.managed);
      expect({ arn, trust: size(trusts.get(arn)) < 2048 }).toEqual({ arn, trust: true });
      expect({
        arn,
        inline: policies.filter((p) => !p.managed).reduce((sum, p) => sum + size(p.policy), 0) < 10240,
        managedCount: managed.length <= 10,
        managedSizes: managed.every((p) => size(p.policy) < 6144),
      }).toEqual({ arn, inline: true, managedCount: true, managedSizes: true });
    }
  });

  it('gives no service function a direct Organizations, Account Management or Identity Center call', async () => {
    const functionRoles = [...principals.values()].filter((p) => p.account === PLATFORM);
    expect(functionRoles.length).toBeGreaterThan(20);
    const direct = [
      ['organizations:CreateAccount', '*', TAG_ON_CREATE],
      ['organizations:ListAccounts', '*', {}],
      ['organizations:MoveAccount', ACCOUNT, {}],
      ['account:PutAlternateContact', `arn:aws:account::${MANAGEMENT}:account/${ORG}/${MEMBER}`, {}],
    ] as const;
    const answers = await Promise.all(
      functionRoles.flatMap((p) =>
        direct.map(
          async ([action, resource, context]) =>
            `${p.arn} ${action}: ${await decide(p, action, resource, context)}`,
        ),
      ),
    );
    expect(answers.filter((a) => !a.endsWith('ImplicitlyDenied'))).toEqual([]);
  });

  it('lets exactly the functions the member access role trusts assume it, with their own roles, and no management role', async () => {
    const target = role(MEMBER, MEMBER_ACCESS_ROLE_NAME);
    const functionRoles = [...principals.values()].filter((p) => p.account === PLATFORM);
    const answers = await Promise.all(
      functionRoles.map(async (p) => [p.arn, await decide(p, 'sts:AssumeRole', target, IN_APPLICATION_OU)]),
    );
    const allowed = answers.filter(([, answer]) => answer === 'Allowed').map(([arn]) => arn);
    expect(allowed.sort()).toEqual(MEMBER_ACCESS_FUNCTION_ROLES.map((name) => role(PLATFORM, name)).sort());
    // What they need of the management account shrank: the drift reads and the guardrails' removal
    // only read the organization (the read role), the buckets' emptying needs nothing there.
    expect(
      await Promise.all(
        (['reconcile-drift', 'remove-guardrails', 'remove-stack-set'] as const).flatMap((name) => [
          decide(fn(name), 'sts:AssumeRole', READ_ROLE),
          decide(fn(name), 'sts:AssumeRole', WRITE_ROLE),
        ]),
      ),
    ).toEqual([
      'Allowed',
      'ImplicitlyDenied',
      'Allowed',
      'ImplicitlyDenied',
      'ImplicitlyDenied',
      'ImplicitlyDenied',
    ]);
    // Nor through a management role, whatever the function names itself.
    for (const managementRole of [WRITE_ROLE, READ_ROLE]) {
      expect(
        await decide(managementRole, 'sts:AssumeRole', target, as('register-guardrails', IN_APPLICATION_OU)),
      ).toMatch(/Denied$/);
    }
  });
});
