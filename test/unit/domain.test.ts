import { accountSpecs, artifactBucketName, ouName, scpName, stackSetName } from '../../shared/domain/naming';
import {
  APPLICATION_NAMES,
  NAME_LENGTH_LIMIT,
  STAGE_LENGTH_LIMIT,
  STAGE_NAMES,
} from '../../shared/domain/name-limits';
import {
  ACCOUNT_POLL_POLICY,
  STACK_SET_POLL_POLICY,
  lookRetry,
  lookRetryWaits,
  nextPoll,
  type PollState,
} from '../../shared/domain/polling';
import { DEFAULT_SCP_SIZE_QUOTA, policySize, renderServiceControlPolicy } from '../../shared/domain/scp';
import { planStackSet } from '../../shared/domain/stack-set-plan';
import { parseRequest } from '../../shared/request/validate';

const request = parseRequest({
  name: 'orders',
  owner: 'team@example.com',
  accountEmail: 'aws+{name}-{stage}@example.com',
  stages: ['test', 'staging', 'prod'],
  source: {
    connectionArn:
      'arn:aws:codeconnections:us-east-1:111111111111:connection/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0',
    repository: 'acme/orders',
  },
});
const accounts = [
  { stage: 'tooling', id: '100000000001' },
  { stage: 'prod', id: '100000000004' },
  { stage: 'test', id: '100000000002' },
  { stage: 'staging', id: '100000000003' },
];

describe('Module: naming', () => {
  it('derives every name from the application name', () => {
    // Act & Assess
    expect(ouName('orders')).toBe('appvend-orders');
    expect(scpName('orders')).toBe('appvend-orders-guardrails');
    expect(stackSetName('orders', 'pipeline')).toBe('appvend-orders-pipeline');
    expect(artifactBucketName('orders', '100000000001')).toBe('appvend-orders-artifacts-100000000001');
  });

  it('lists the tooling account first, then the stages in order', () => {
    // Act
    const specs = accountSpecs(request);

    // Assess
    expect(specs.map((s) => s.stage)).toEqual(['tooling', 'test', 'staging', 'prod']);
    expect(specs[0]).toEqual({
      stage: 'tooling',
      name: 'orders-tooling',
      email: 'aws+orders-tooling@example.com',
    });
  });
});

describe('Function: renderServiceControlPolicy', () => {
  const roles = {
    memberRoleName: 'OrganizationAccountAccessRole',
    executionRoleName: 'OrganizationAccountAccessRole',
  };
  type Document = {
    Statement: {
      Sid: string;
      Effect: string;
      Action: string[];
      Resource: string | string[];
      Condition?: Record<string, Record<string, string | string[]>>;
    }[];
  };
  const render = (...args: Parameters<typeof renderServiceControlPolicy>) =>
    JSON.parse(renderServiceControlPolicy(...args)) as Document;
  const statement = (policy: Document, sid: string) => policy.Statement.find((s) => s.Sid === sid)!;

  it('denies servers, leaving the organization and tampering with security services, vended resources, the key, the build project and approvals', () => {
    // Act
    const policy = render(request, roles);

    // Assess
    expect(policy.Statement.map((s) => s.Sid)).toEqual([
      'DenyServers',
      'DenyLeavingTheOrganization',
      'ProtectSecurityServices',
      'ProtectVendedResources',
      'ProtectArtifactKey',
      'ProtectPipelineRolePassing',
      'ProtectBuildProject',
      'ProtectApprovals',
    ]);
    expect(policy.Statement.every((s) => s.Effect === 'Deny')).toBe(true);
    expect(policy.Statement[0]!.Action).toContain('ec2:RunInstances');
  });

  it('adds, for the regulated profile, the denial of IAM users and keys and of turning off account-wide Block Public Access', () => {
    // Act
    const serverless = render(request, roles);
    const regulated = render({ ...request, profile: 'regulated' }, roles);

    // Assess
    expect(regulated.Statement.map((s) => s.Sid)).toEqual(serverless.Statement.map((s) => s.Sid));
    const security = statement(regulated, 'ProtectSecurityServices');
    expect(security.Action).toEqual(
      expect.arrayContaining(['iam:CreateUser', 'iam:CreateAccessKey', 's3:PutAccountPublicAccessBlock']),
    );
    expect(statement(serverless, 'ProtectSecurityServices').Action).not.toContain('iam:CreateUser');
    expect(security.Condition).toEqual({
      ArnNotLike: {
        'aws:PrincipalArn': [
          'arn:aws:iam::*:role/OrganizationAccountAccessRole',
          'arn:aws:iam::*:role/appvend-member-access',
        ],
      },
    });
  });

  it('lets the member access role through only the protections its guardrail and offboarding calls meet, and protects the role itself', () => {
    // Act
    const policy = render(request, roles);

    // Assess: the guardrails' removal (security services), the buckets' emptying (vended resources),
    // the Config recorder role passed to AWS Config (role passing).
    const memberAccess = 'arn:aws:iam::*:role/appvend-member-access';
    const exempting = policy.Statement.filter((s) =>
      JSON.stringify(s.Condition ?? {}).includes(memberAccess),
    ).map((s) => s.Sid);
    expect(exempting).toEqual([
      'ProtectSecurityServices',
      'ProtectVendedResources',
      'ProtectPipelineRolePassing',
    ]);
    expect(statement(policy, 'ProtectVendedResources').Resource).toContain(memberAccess);
    expect(statement(policy, 'ProtectVendedResources').Action).toEqual(
      expect.arrayContaining(['iam:UpdateAssumeRolePolicy', 'iam:DeleteRole*', 'iam:AttachRolePolicy']),
    );
  });

  it('exempts and protects the configured member and execution roles, not a constant name', () => {
    // Act
    const policy = render(request, {
      memberRoleName: 'AppvendMemberAccess',
      executionRoleName: 'AppvendExecution',
    });

    // Assess
    const exempt = ['arn:aws:iam::*:role/AppvendMemberAccess', 'arn:aws:iam::*:role/AppvendExecution'];
    expect(statement(policy, 'ProtectSecurityServices').Condition).toEqual({
      ArnNotLike: { 'aws:PrincipalArn': [...exempt, 'arn:aws:iam::*:role/appvend-member-access'] },
    });
    expect(statement(policy, 'ProtectVendedResources').Resource).toEqual(expect.arrayContaining(exempt));
    expect(JSON.stringify(policy)).not.toContain('OrganizationAccountAccessRole');
  });

  it('lets only the Identity Center roles of the approvers’ permission set approve, and nobody but the exempt roles without approvers', () => {
    // Act
    const withApprovers = render(
      { ...request, approvers: { group: 'Orders Releasers', permissionSet: 'OrdersRelease' } },
      roles,
    );
    const without = render(request, roles);

    // Assess
    expect(statement(withApprovers, 'ProtectApprovals').Condition).toEqual({
      ArnNotLike: {
        'aws:PrincipalArn': [
          'arn:aws:iam::*:role/OrganizationAccountAccessRole',
          'arn:aws:iam::*:role/aws-reserved/sso.amazonaws.com/*/AWSReservedSSO_OrdersRelease_*',
        ],
      },
    });
    expect(statement(without, 'ProtectApprovals').Condition).toEqual({
      ArnNotLike: { 'aws:PrincipalArn': ['arn:aws:iam::*:role/OrganizationAccountAccessRole'] },
    });
  });

  it.each(['serverless', 'regulated'] as const)(
    'fits the default quota for the longest name, configured roles and approvers (%s)',
    (profile) => {
      // Act
      const size = policySize(
        renderServiceControlPolicy(
          { name: 'a'.repeat(32), profile, approvers: { group: 'g', permissionSet: 'p'.repeat(32) } },
          // IAM role names are at most 64 characters; the service requires one name for both.
          { memberRoleName: 'm'.repeat(64), executionRoleName: 'm'.repeat(64) },
        ),
      );

      // Assess
      expect(size).toBeLessThanOrEqual(DEFAULT_SCP_SIZE_QUOTA);
    },
  );
});

describe('Function: nextPoll', () => {
  it('starts with the shortest duration, then waits a share of the time waited so far', () => {
    // Act
    const waits: number[] = [];
    let state: PollState | undefined;
    for (let i = 0; i < 6; i++) {
      state = nextPoll(ACCOUNT_POLL_POLICY, state);
      waits.push(state.waitSeconds);
    }

    // Assess
    expect(waits).toEqual([60, 60, 90, 90, 90, 90]);
  });

  it('is what the looks after the first wait as a Retry: the same waits, one state transition each', () => {
    // Act
    const retry = lookRetry('StillRunningError', STACK_SET_POLL_POLICY, 600);
    const waits: number[] = [];
    let state = nextPoll(STACK_SET_POLL_POLICY);
    for (let i = 0; i < 5; i++) {
      state = nextPoll(STACK_SET_POLL_POLICY, state);
      waits.push(state.waitSeconds);
    }

    // Assess: within rounding (nextPoll rounds each wait, the Retry's backoff does not)
    expect(retry).toMatchObject({ intervalSeconds: 11, backoffRate: 1.2, maxDelaySeconds: 120 });
    const retryWaits = lookRetryWaits(retry).slice(0, 5);
    retryWaits.forEach((wait, i) => expect(Math.abs(wait - waits[i]!)).toBeLessThanOrEqual(1));
    expect(lookRetryWaits(retry).reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(600);
  });

  it('never waits longer than the maximum', () => {
    // Act
    let state: PollState | undefined;
    for (let i = 0; i < 30; i++) state = nextPoll(ACCOUNT_POLL_POLICY, state);

    // Assess
    expect(state!.waitSeconds).toBe(ACCOUNT_POLL_POLICY.maxSeconds);
  });
});

describe('Module: name-limits', () => {
  const longestName = 'a'.repeat(NAME_LENGTH_LIMIT.max);
  const longestStage = 's'.repeat(STAGE_LENGTH_LIMIT.max);

  it('keeps every derived name within its AWS limit for the longest name and stage the request allows', () => {
    // Act
    const over = [...APPLICATION_NAMES, ...STAGE_NAMES]
      .map((n) => ({ what: n.what, length: n.render(longestName, longestStage).length, limit: n.limit }))
      .filter((n) => n.length > n.limit);

    // Assess
    expect(over).toEqual([]);
  });

  it('is tight: one more character overflows the name that sets each limit', () => {
    // Act
    const name = NAME_LENGTH_LIMIT.binding.render(`${longestName}a`, 'st');
    const stage = STAGE_LENGTH_LIMIT.binding.render(longestName, `${longestStage}s`);

    // Assess
    expect(name.length).toBe(NAME_LENGTH_LIMIT.binding.limit + 1);
    expect(stage.length).toBe(STAGE_LENGTH_LIMIT.binding.limit + 1);
  });
});

describe('Function: planStackSet', () => {
  const settings = { notificationTopicArn: 'arn:aws:sns:us-east-1:000000000000:security' };

  it('puts the artifact store and pipeline in tooling, with stage accounts in promotion order', () => {
    // Act
    const store = planStackSet('artifact-store', request, accounts, settings);
    const pipeline = planStackSet('pipeline', request, accounts, settings);

    // Assess
    expect(store.accounts).toEqual(['100000000001']);
    expect(store.parameters.StageAccountIds).toBe('100000000002,100000000003,100000000004');
    expect(pipeline.parameters).toMatchObject({
      StageNames: 'test,staging,prod',
      StageAccountIds: '100000000002,100000000003,100000000004',
      StageCount: '3',
      Branch: 'main',
    });
  });

  it('switches on the statements of each allowed service, and only those', () => {
    // Act
    const roles = planStackSet(
      'cross-account-roles',
      { ...request, allowedServices: ['sqs', 'stepfunctions'] },
      accounts,
      settings,
    );

    // Assess
    const switched = Object.entries(roles.parameters).filter(
      ([key, value]) => key.startsWith('Allow') && value === 'true',
    );
    expect(switched.map(([key]) => key).sort()).toEqual(['AllowSQS', 'AllowStepFunctions']);
  });

  it('puts the roles in every stage account and the guardrails everywhere', () => {
    // Act
    const roles = planStackSet('cross-account-roles', request, accounts, settings);
    const guardrails = planStackSet('guardrails', request, accounts, settings);

    // Assess
    expect(roles.accounts).toEqual(['100000000002', '100000000003', '100000000004']);
    expect(roles.parameters).toEqual({
      AppName: 'orders',
      ToolingAccountId: '100000000001',
      AllowDynamoDB: 'false',
      AllowEventBridge: 'false',
      AllowS3: 'false',
      AllowSNS: 'false',
      AllowSQS: 'false',
      AllowStepFunctions: 'false',
    });
    expect(guardrails.accounts).toHaveLength(4);
  });

  it('fails clearly when an account is missing', () => {
    // Act & Assess
    expect(() => planStackSet('pipeline', request, accounts.slice(0, 2), settings)).toThrow(
      'The test account is missing from the vended accounts',
    );
  });
});
