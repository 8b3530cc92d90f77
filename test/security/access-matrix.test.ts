/**
 * Access matrix of what appvend vends (DESIGN.md §3–§4), answered by an IAM policy evaluator
 * (@cloud-copilot/iam-simulate) over the synthesized templates resolved per target account, the
 * rendered SCP, and a few non-vended principals (developers, other applications, outsiders).
 *
 * Each question names who does what to which resource; the expectation is the security posture.
 * A failing question is a finding in the template or the SCP, not a test to relax.
 */
import { A, BILLING, ORDERS, OUTSIDER, REGION, V, buildWorld, policyArn, role } from './fixture';
import { verdict, type Answer, type Question } from './simulate';
import { statementsOf, type PolicyStatement } from './vended-world';

const { world, simulator } = buildWorld();
const ask = (question: Question): Promise<Answer> => simulator.ask(question);

/*
 * Expectations match the start of `verdict(answer)`, so that a failure prints the whole answer:
 * the question, and each layer's result with the statements that matched.
 */
const ALLOWED = expect.stringMatching(/^Allowed \|/);
const DENIED = expect.stringMatching(/^(Implicitly|Explicitly)Denied \|/);
const EXPLICITLY_DENIED = expect.stringMatching(/^ExplicitlyDenied \|/);
const IMPLICITLY_DENIED = expect.stringMatching(/^ImplicitlyDenied \|/);
const DECISION = {
  Allowed: ALLOWED,
  ExplicitlyDenied: EXPLICITLY_DENIED,
  ImplicitlyDenied: IMPLICITLY_DENIED,
} as const;
/** `['Allowed', 'ImplicitlyDenied']` → matchers of the verdicts, in order. */
const decisions = (...list: Array<keyof typeof DECISION>) => list.map((d) => DECISION[d]);

const stack = (account: string, name: string) =>
  `arn:aws:cloudformation:${REGION}:${account}:stack/${name}/8f3b1c2e-1111-4222-8333-444455556666`;
const fn = (account: string, name: string) => `arn:aws:lambda:${REGION}:${account}:function:${name}`;
const artifactKey = (): string => {
  const keys = [...world.keys.values()].filter((k) => k.aliases.includes(V.keyAlias));
  expect(keys).toHaveLength(1);
  return keys[0]!.arn;
};
// CodePipeline's object keys: <pipeline name>/<artifact name, truncated>/<random id>.
const artifactObject = `arn:aws:s3:::${V.bucket}/appvend-orders/BuildOutpu/Ab3dE7f`;
const boundaryFor = (account: string) => ({
  'iam:PermissionsBoundary': policyArn(account, 'appvend-orders-boundary'),
});

describe('the instantiated world', () => {
  it('resolves every stack instance of both applications, one per target account', () => {
    const count = (template: string) => world.instances.filter((i) => i.template === template).length;
    // Per application: artifact store and pipeline in tooling, roles in 2 stages, guardrails in 3 accounts.
    expect([
      count('artifact-store'),
      count('pipeline'),
      count('cross-account-roles'),
      count('guardrails'),
    ]).toEqual([2, 2, 4, 6]);
    expect(
      world.roles.has(V.testCfnRole) && world.roles.has(V.prodDeployer) && world.roles.has(V.pipelineRole),
    ).toBe(true);
  });
});

describe('cross-account trust: who may assume the stage accounts’ pipeline role', () => {
  it('the tooling pipeline role may assume the test account ToolingAccountPipelineCloudformationRole', async () => {
    const answer = await ask({
      principal: V.pipelineRole,
      action: 'sts:AssumeRole',
      resource: V.testCfnRole,
    });
    expect(verdict(answer)).toEqual(ALLOWED);
  });

  it('the tooling pipeline role may assume the prod account ToolingAccountPipelineCloudformationRole', async () => {
    expect(
      verdict(await ask({ principal: V.pipelineRole, action: 'sts:AssumeRole', resource: V.prodCfnRole })),
    ).toEqual(ALLOWED);
  });

  it('a tooling developer with AdministratorAccess may NOT assume it: the trust policy narrows the tooling account by aws:PrincipalArn', async () => {
    const answer = await ask({
      principal: A.toolingDeveloper,
      action: 'sts:AssumeRole',
      resource: V.testCfnRole,
    });
    expect(verdict(answer)).toEqual(DENIED);
    expect(verdict(answer)).toMatch(/\| identity=Allowed\b/); // the denial is the trust policy's, not the developer's
  });

  it('the tooling build role (CodeBuild) may NOT assume it', async () => {
    expect(
      verdict(await ask({ principal: V.buildRole, action: 'sts:AssumeRole', resource: V.testCfnRole })),
    ).toEqual(DENIED);
  });

  it('the other application’s pipeline role may NOT assume it', async () => {
    const answer = await ask({
      principal: V.billingPipelineRole,
      action: 'sts:AssumeRole',
      resource: V.testCfnRole,
    });
    expect(verdict(answer)).toEqual(DENIED);
    expect(verdict(answer)).not.toMatch(/\| resource=Allowed/);
  });

  it('an administrator of the other application’s tooling account may NOT assume it', async () => {
    const answer = await ask({
      principal: A.billingDeveloper,
      action: 'sts:AssumeRole',
      resource: V.testCfnRole,
    });
    expect(verdict(answer)).toEqual(DENIED);
    expect(verdict(answer)).toMatch(/\| identity=Allowed\b/);
  });

  it('the tooling pipeline role may NOT assume the CloudformationDeployerRole directly (only CloudFormation may)', async () => {
    expect(
      verdict(await ask({ principal: V.pipelineRole, action: 'sts:AssumeRole', resource: V.testDeployer })),
    ).toEqual(DENIED);
  });
});

describe('service principals: confused-deputy protection by aws:SourceAccount / aws:SourceArn', () => {
  it('cloudformation.amazonaws.com may assume the deployer role on behalf of its own account', async () => {
    const answer = await ask({
      principal: 'cloudformation.amazonaws.com',
      action: 'sts:AssumeRole',
      resource: V.testDeployer,
      context: { 'aws:SourceAccount': ORDERS.test },
    });
    expect(verdict(answer)).toEqual(ALLOWED);
  });

  it('cloudformation.amazonaws.com may NOT assume the deployer role on behalf of another account', async () => {
    const answer = await ask({
      principal: 'cloudformation.amazonaws.com',
      action: 'sts:AssumeRole',
      resource: V.testDeployer,
      context: { 'aws:SourceAccount': BILLING.test },
    });
    expect(verdict(answer)).toEqual(DENIED);
  });

  it('codepipeline.amazonaws.com may assume the pipeline role for the tooling account, not for another account', async () => {
    const own = await ask({
      principal: 'codepipeline.amazonaws.com',
      action: 'sts:AssumeRole',
      resource: V.pipelineRole,
      context: { 'aws:SourceAccount': ORDERS.tooling },
    });
    const foreign = await ask({
      principal: 'codepipeline.amazonaws.com',
      action: 'sts:AssumeRole',
      resource: V.pipelineRole,
      context: { 'aws:SourceAccount': OUTSIDER },
    });
    expect([own, foreign].map(verdict)).toEqual(decisions('Allowed', 'ImplicitlyDenied'));
  });

  it('config.amazonaws.com may assume the prod Config recorder role for prod only', async () => {
    const own = await ask({
      principal: 'config.amazonaws.com',
      action: 'sts:AssumeRole',
      resource: V.prodConfigRecorder,
      context: { 'aws:SourceAccount': ORDERS.prod },
    });
    const foreign = await ask({
      principal: 'config.amazonaws.com',
      action: 'sts:AssumeRole',
      resource: V.prodConfigRecorder,
      context: { 'aws:SourceAccount': ORDERS.test },
    });
    expect([own, foreign].map(verdict)).toEqual(decisions('Allowed', 'ImplicitlyDenied'));
  });

  it('events.amazonaws.com may assume the compliance notifier role only for the appvend non-compliance rule', async () => {
    const rule = (name: string) => `arn:aws:events:${REGION}:${ORDERS.tooling}:rule/${name}`;
    const question = (name: string): Question => ({
      principal: 'events.amazonaws.com',
      action: 'sts:AssumeRole',
      resource: V.toolingNotifier,
      context: { 'aws:SourceAccount': ORDERS.tooling, 'aws:SourceArn': rule(name) },
    });
    const own = await ask(question('appvend-orders-noncompliance'));
    const other = await ask(question('someone-elses-rule'));
    expect([own, other].map(verdict)).toEqual(decisions('Allowed', 'ImplicitlyDenied'));
  });
});

describe('the stage pipeline role (ToolingAccountPipelineCloudformationRole): change sets only', () => {
  const passRole = (resource: string, service: string): Question => ({
    principal: V.testCfnRole,
    action: 'iam:PassRole',
    resource,
    context: { 'iam:PassedToService': service },
  });

  it('may pass the test CloudformationDeployerRole to cloudformation.amazonaws.com', async () => {
    expect(verdict(await ask(passRole(V.testDeployer, 'cloudformation.amazonaws.com')))).toEqual(ALLOWED);
  });

  it('may NOT pass the deployer role to lambda.amazonaws.com', async () => {
    expect(verdict(await ask(passRole(V.testDeployer, 'lambda.amazonaws.com')))).toEqual(DENIED);
  });

  it('may NOT pass any other role, even to CloudFormation', async () => {
    const answers = await Promise.all(
      [A.testFunctionRole, V.testCfnRole, V.testConfigRecorder, A.testOrgAccessRole].map((r) =>
        ask(passRole(r, 'cloudformation.amazonaws.com')),
      ),
    );
    // appvend's own roles are also denied by the SCP (ProtectPipelineRolePassing).
    expect(answers.map(verdict)).toEqual(
      decisions('ImplicitlyDenied', 'ImplicitlyDenied', 'ExplicitlyDenied', 'ImplicitlyDenied'),
    );
  });

  it('may create and execute a change set of the application stack orders-test', async () => {
    const create = await ask({
      principal: V.testCfnRole,
      action: 'cloudformation:CreateChangeSet',
      resource: stack(ORDERS.test, 'orders-test'),
    });
    const execute = await ask({
      principal: V.testCfnRole,
      action: 'cloudformation:ExecuteChangeSet',
      resource: stack(ORDERS.test, 'orders-test'),
    });
    expect([create, execute].map(verdict)).toEqual(decisions('Allowed', 'Allowed'));
  });

  it('may NOT create a change set of another application’s stack, nor of the appvend stack-set instance that created it', async () => {
    const answers = await Promise.all(
      [
        stack(ORDERS.test, 'billing-test'),
        stack(ORDERS.test, 'StackSet-appvend-orders-cross-account-roles-0a1b2c3d'),
      ].map((resource) =>
        ask({ principal: V.testCfnRole, action: 'cloudformation:CreateChangeSet', resource }),
      ),
    );
    // Its own policy does not allow either; the SCP also denies the StackSets stack to all but appvend.
    expect(answers.map(verdict)).toEqual(decisions('ImplicitlyDenied', 'ExplicitlyDenied'));
  });

  it('may NOT delete or directly update the application stack (changes go through reviewed change sets)', async () => {
    const answers = await Promise.all(
      ['cloudformation:DeleteStack', 'cloudformation:UpdateStack', 'cloudformation:CreateStack'].map(
        (action) => ask({ principal: V.testCfnRole, action, resource: stack(ORDERS.test, 'orders-test') }),
      ),
    );
    expect(answers.map(verdict)).toEqual(Array(3).fill(IMPLICITLY_DENIED));
  });

  it('may NOT act on the stage account’s IAM or Lambda itself', async () => {
    const answers = await Promise.all([
      ask({
        principal: V.testCfnRole,
        action: 'iam:CreateRole',
        resource: A.testFunctionRole,
        context: boundaryFor(ORDERS.test),
      }),
      ask({
        principal: V.testCfnRole,
        action: 'lambda:UpdateFunctionCode',
        resource: fn(ORDERS.test, 'orders-api'),
      }),
    ]);
    expect(answers.map(verdict)).toEqual(decisions('ImplicitlyDenied', 'ImplicitlyDenied'));
  });
});

describe('the deployer role (CloudformationDeployerRole): IAM only under the permissions boundary', () => {
  const deployer = (action: string, resource: string, context?: Question['context']): Question => ({
    principal: V.testDeployer,
    action,
    resource,
    ...(context ? { context } : {}),
  });

  it('may create the role orders-fn-role WITH the application permissions boundary', async () => {
    expect(
      verdict(await ask(deployer('iam:CreateRole', A.testFunctionRole, boundaryFor(ORDERS.test)))),
    ).toEqual(ALLOWED);
  });

  it('may NOT create orders-fn-role without a permissions boundary', async () => {
    expect(verdict(await ask(deployer('iam:CreateRole', A.testFunctionRole)))).toEqual(EXPLICITLY_DENIED);
  });

  it('may NOT create orders-fn-role with another boundary (AdministratorAccess)', async () => {
    const answer = await ask(
      deployer('iam:CreateRole', A.testFunctionRole, {
        'iam:PermissionsBoundary': 'arn:aws:iam::aws:policy/AdministratorAccess',
      }),
    );
    expect(verdict(answer)).toEqual(EXPLICITLY_DENIED);
  });

  it('may NOT create a role named outside the application prefix, even with the boundary', async () => {
    const answers = await Promise.all(
      ['billing-fn-role', 'appvend-orders-escalation', 'admin'].map((name) =>
        ask(deployer('iam:CreateRole', role(ORDERS.test, name), boundaryFor(ORDERS.test))),
      ),
    );
    // appvend-orders-* is a name the application SCP protects: nobody but the exempt roles creates
    // one (iam:CreateRole is among its role protections), so the SCP denies it as well.
    expect(answers.map(verdict)).toEqual([IMPLICITLY_DENIED, EXPLICITLY_DENIED, IMPLICITLY_DENIED]);
  });

  it('may NOT remove the permissions boundary of an application role', async () => {
    expect(
      verdict(
        await ask(
          deployer('iam:DeleteRolePermissionsBoundary', A.testFunctionRole, boundaryFor(ORDERS.test)),
        ),
      ),
    ).toEqual(EXPLICITLY_DENIED);
  });

  it('may NOT replace the boundary of an application role by another policy', async () => {
    const answer = await ask(
      deployer('iam:PutRolePermissionsBoundary', A.testFunctionRole, {
        'iam:PermissionsBoundary': policyArn(ORDERS.test, 'orders-wide-open'),
      }),
    );
    expect(verdict(answer)).toEqual(EXPLICITLY_DENIED);
  });

  it('may NOT edit or delete the boundary policy itself', async () => {
    const answers = await Promise.all(
      ['iam:CreatePolicyVersion', 'iam:SetDefaultPolicyVersion', 'iam:DeletePolicy'].map((action) =>
        ask(deployer(action, V.testBoundary)),
      ),
    );
    expect(answers.map(verdict)).toEqual(Array(3).fill(EXPLICITLY_DENIED));
  });

  it('may put an inline policy on an application role that carries the boundary, not on one without it', async () => {
    const withBoundary = await ask(
      deployer('iam:PutRolePolicy', A.testFunctionRole, boundaryFor(ORDERS.test)),
    );
    const without = await ask(deployer('iam:PutRolePolicy', role(ORDERS.test, 'orders-legacy')));
    expect([withBoundary, without].map(verdict)).toEqual(decisions('Allowed', 'ImplicitlyDenied'));
  });

  it('may NOT change the appvend roles of its account (pipeline role, itself, Config recorder)', async () => {
    const answers = await Promise.all(
      [V.testCfnRole, V.testDeployer, V.testConfigRecorder].flatMap((target) => [
        ask(deployer('iam:PutRolePolicy', target, boundaryFor(ORDERS.test))),
        ask(deployer('iam:UpdateAssumeRolePolicy', target)),
      ]),
    );
    expect(answers.map(verdict)).not.toContainEqual(ALLOWED);
  });

  it('may pass an application role (orders-*) to lambda.amazonaws.com', async () => {
    const answer = await ask(
      deployer('iam:PassRole', A.testFunctionRole, { 'iam:PassedToService': 'lambda.amazonaws.com' }),
    );
    expect(verdict(answer)).toEqual(ALLOWED);
  });

  it('may NOT pass an application role to another service (EC2, CloudFormation)', async () => {
    const answers = await Promise.all(
      ['ec2.amazonaws.com', 'cloudformation.amazonaws.com'].map((service) =>
        ask(deployer('iam:PassRole', A.testFunctionRole, { 'iam:PassedToService': service })),
      ),
    );
    expect(answers.map(verdict)).toEqual(decisions('ImplicitlyDenied', 'ImplicitlyDenied'));
  });

  it('may NOT pass appvend’s own roles to Lambda (pipeline role, itself, appvend-orders-*)', async () => {
    const answers = await Promise.all(
      [V.testCfnRole, V.testDeployer, V.testConfigRecorder, role(ORDERS.test, 'appvend-orders-pipeline')].map(
        (r) => ask(deployer('iam:PassRole', r, { 'iam:PassedToService': 'lambda.amazonaws.com' })),
      ),
    );
    // appvend-orders-* roles are also denied by the SCP (ProtectPipelineRolePassing).
    expect(answers.map(verdict)).toEqual(
      decisions('ImplicitlyDenied', 'ImplicitlyDenied', 'ExplicitlyDenied', 'ExplicitlyDenied'),
    );
  });

  it('may create the function orders-api, not other-api', async () => {
    const own = await ask(deployer('lambda:CreateFunction', fn(ORDERS.test, 'orders-api')));
    const other = await ask(deployer('lambda:CreateFunction', fn(ORDERS.test, 'other-api')));
    expect([own, other].map(verdict)).toEqual(decisions('Allowed', 'ImplicitlyDenied'));
  });
});

describe('the permissions boundary holds a role the application creates (AdministratorAccess attached)', () => {
  const table = (name: string) => `arn:aws:dynamodb:${REGION}:${ORDERS.test}:table/${name}`;

  it('may read its own table orders-items', async () => {
    expect(
      verdict(
        await ask({
          principal: A.testFunctionRole,
          action: 'dynamodb:GetItem',
          resource: table('orders-items'),
        }),
      ),
    ).toEqual(ALLOWED);
  });

  it('may NOT read a table outside the application prefix', async () => {
    const answer = await ask({
      principal: A.testFunctionRole,
      action: 'dynamodb:GetItem',
      resource: table('payments'),
    });
    expect(verdict(answer)).toEqual(DENIED);
    expect(verdict(answer)).toMatch(/blockedBy=[^|]*\bpb\b/);
  });

  it('may NOT use IAM at all (create a user, create a role, pass a role)', async () => {
    const answers = await Promise.all([
      ask({
        principal: A.testFunctionRole,
        action: 'iam:CreateUser',
        resource: `arn:aws:iam::${ORDERS.test}:user/backdoor`,
      }),
      ask({
        principal: A.testFunctionRole,
        action: 'iam:CreateRole',
        resource: role(ORDERS.test, 'orders-x'),
        context: boundaryFor(ORDERS.test),
      }),
      ask({
        principal: A.testFunctionRole,
        action: 'iam:PassRole',
        resource: V.testDeployer,
        context: { 'iam:PassedToService': 'cloudformation.amazonaws.com' },
      }),
    ]);
    expect(answers.map(verdict)).toEqual(Array(3).fill(EXPLICITLY_DENIED));
  });
});

describe('the artifact key policy (tooling account)', () => {
  const kms = (principal: string, action: string, context?: Question['context']): Question => ({
    principal,
    action,
    resource: artifactKey(),
    ...(context ? { context } : {}),
  });

  it('the test stage pipeline role may decrypt artifacts across accounts (key policy and its identity policy both allow)', async () => {
    const answer = await ask(kms(V.testCfnRole, 'kms:Decrypt'));
    expect(verdict(answer)).toEqual(ALLOWED);
    expect(verdict(answer)).toMatch(/\| resource=[^|]*StageDeploymentRolesDecrypt/);
    expect(verdict(answer)).toMatch(/\| identity=[^|]*DecryptArtifacts/);
  });

  it('the prod deployer role may decrypt artifacts', async () => {
    expect(verdict(await ask(kms(V.prodDeployer, 'kms:Decrypt')))).toEqual(ALLOWED);
  });

  it('stage roles may only read: no Encrypt nor GenerateDataKey', async () => {
    const answers = await Promise.all([
      ask(kms(V.testCfnRole, 'kms:Encrypt')),
      ask(kms(V.prodDeployer, 'kms:GenerateDataKey')),
    ]);
    expect(answers.map(verdict)).toEqual(decisions('ImplicitlyDenied', 'ImplicitlyDenied'));
  });

  it('stage roles reach only the key aliased to the application artifacts (kms:ResourceAliases)', async () => {
    const answer = await ask(
      kms(V.testCfnRole, 'kms:Decrypt', { 'kms:ResourceAliases': ['alias/some-other-key'] }),
    );
    expect(verdict(answer)).toEqual(DENIED);
  });

  it('the tooling pipeline and build roles may encrypt and decrypt artifacts', async () => {
    const answers = await Promise.all([
      ask(kms(V.pipelineRole, 'kms:GenerateDataKey')),
      ask(kms(V.pipelineRole, 'kms:Decrypt')),
      ask(kms(V.buildRole, 'kms:Encrypt')),
    ]);
    expect(answers.map(verdict)).toEqual(decisions('Allowed', 'Allowed', 'Allowed'));
  });

  it('a tooling developer with AdministratorAccess may NOT decrypt artifacts', async () => {
    const answer = await ask(kms(A.toolingDeveloper, 'kms:Decrypt'));
    expect(verdict(answer)).toEqual(DENIED);
    expect(verdict(answer)).toMatch(/\| identity=Allowed\b/);
  });

  it('a tooling developer with AdministratorAccess may NOT grant themselves use of the key (kms:CreateGrant)', async () => {
    // "Administrators of the tooling account cannot read artifacts" (artifact-store.ts): a grant
    // with the Decrypt operation would let them.
    const answer = await ask(kms(A.toolingDeveloper, 'kms:CreateGrant'));
    expect(verdict(answer)).toEqual(DENIED);
  });

  it('a test-account administrator other than the vended roles may NOT decrypt (stage account narrowed by aws:PrincipalArn)', async () => {
    expect(verdict(await ask(kms(A.testDeveloper, 'kms:Decrypt')))).toEqual(DENIED);
  });

  it('the other application’s roles and accounts may NOT decrypt this application’s artifacts', async () => {
    const answers = await Promise.all([
      ask(kms(V.billingTestCfnRole, 'kms:Decrypt')),
      ask(kms(A.billingDeveloper, 'kms:Decrypt')),
      ask(kms(A.outsider, 'kms:Decrypt')),
    ]);
    expect(answers.map(verdict)).toEqual(Array(3).fill(IMPLICITLY_DENIED));
  });
});

describe('the artifact bucket policy (tooling account)', () => {
  const s3 = (principal: string, action: string, context?: Question['context']): Question => ({
    principal,
    action,
    resource: artifactObject,
    ...(context ? { context } : {}),
  });

  it('the test stage pipeline role may read an artifact over TLS', async () => {
    const answer = await ask(s3(V.testCfnRole, 's3:GetObject'));
    expect(verdict(answer)).toEqual(ALLOWED);
    expect(verdict(answer)).toMatch(/\| resource=[^|]*StageDeploymentRolesRead/);
  });

  it('the test stage pipeline role may NOT read an artifact without TLS (aws:SecureTransport false)', async () => {
    expect(verdict(await ask(s3(V.testCfnRole, 's3:GetObject', { 'aws:SecureTransport': 'false' })))).toEqual(
      EXPLICITLY_DENIED,
    );
  });

  it('the prod deployer role may read an artifact', async () => {
    expect(verdict(await ask(s3(V.prodDeployer, 's3:GetObject')))).toEqual(ALLOWED);
  });

  it('stage roles may NOT write artifacts', async () => {
    expect(verdict(await ask(s3(V.testCfnRole, 's3:PutObject')))).toEqual(DENIED);
  });

  it('the tooling pipeline role may write artifacts', async () => {
    expect(verdict(await ask(s3(V.pipelineRole, 's3:PutObject')))).toEqual(ALLOWED);
  });

  it('a tooling administrator may NOT overwrite pipeline artifacts that a stage will deploy (s3:PutObject)', async () => {
    // The stage roles deploy whatever object the pipeline names: an artifact replaced while a prod
    // deployment waits for approval is deployed to prod. The key policy does not stop it: an object
    // written with SSE-S3 needs no KMS permission, and the bucket policy accepts any encryption.
    expect(verdict(await ask(s3(A.toolingDeveloper, 's3:PutObject')))).toEqual(DENIED);
  });

  it('a test-account administrator other than the vended roles may NOT read artifacts', async () => {
    expect(verdict(await ask(s3(A.testDeveloper, 's3:GetObject')))).toEqual(DENIED);
  });

  it('another application’s account and an outside account may NOT read artifacts', async () => {
    const answers = await Promise.all([
      ask(s3(A.billingDeveloper, 's3:GetObject')),
      ask(s3(A.outsider, 's3:GetObject')),
    ]);
    expect(answers.map(verdict)).toEqual(decisions('ImplicitlyDenied', 'ImplicitlyDenied'));
  });
});

describe('the Service Control Policy on the application OU', () => {
  it('no account of the application may run EC2 instances (both profiles)', async () => {
    const answers = await Promise.all(
      [A.testDeveloper, A.toolingDeveloper, A.billingDeveloper].map((principal) =>
        ask({
          principal,
          action: 'ec2:RunInstances',
          resource: `arn:aws:ec2:${REGION}:${principal.split(':')[4]}:instance/i-0123456789abcdef0`,
        }),
      ),
    );
    expect(answers.map(verdict)).toEqual(
      decisions('ExplicitlyDenied', 'ExplicitlyDenied', 'ExplicitlyDenied'),
    );
    expect(verdict(answers[0]!)).toMatch(/\| scp=[^|]*DenyServers/);
  });

  it('regulated profile: an administrator may NOT create IAM users, access keys or console passwords, nor turn off account-wide Block Public Access', async () => {
    const user = `arn:aws:iam::${BILLING.tooling}:user/ops`;
    const answers = await Promise.all([
      ask({ principal: A.billingDeveloper, action: 'iam:CreateUser', resource: user }),
      ask({ principal: A.billingDeveloper, action: 'iam:CreateAccessKey', resource: user }),
      ask({ principal: A.billingDeveloper, action: 'iam:CreateLoginProfile', resource: user }),
      ask({
        principal: A.billingDeveloper,
        action: 's3:PutAccountPublicAccessBlock',
        resource: '*',
        resourceAccount: BILLING.tooling,
      }),
    ]);
    expect(answers.map(verdict)).toEqual(
      decisions('ExplicitlyDenied', 'ExplicitlyDenied', 'ExplicitlyDenied', 'ExplicitlyDenied'),
    );
    expect(verdict(answers[0]!)).toMatch(/\| scp=[^|]*ProtectSecurityServices/);
  });

  it('regulated profile: OrganizationAccountAccessRole still may; the serverless profile does not deny IAM users', async () => {
    const answers = await Promise.all([
      ask({
        principal: A.billingOrgAccessRole,
        action: 'iam:CreateUser',
        resource: `arn:aws:iam::${BILLING.tooling}:user/ops`,
      }),
      ask({
        principal: A.toolingDeveloper,
        action: 'iam:CreateUser',
        resource: `arn:aws:iam::${ORDERS.tooling}:user/ops`,
      }),
    ]);
    expect(answers.map(verdict)).toEqual(decisions('Allowed', 'Allowed'));
  });

  it('no account of the application may leave the organization, not even OrganizationAccountAccessRole', async () => {
    const answers = await Promise.all(
      [A.toolingDeveloper, A.testOrgAccessRole].map((principal) =>
        ask({
          principal,
          action: 'organizations:LeaveOrganization',
          resource: '*',
          resourceAccount: principal.split(':')[4],
        }),
      ),
    );
    expect(answers.map(verdict)).toEqual(decisions('ExplicitlyDenied', 'ExplicitlyDenied'));
  });

  it('the Config guardrails: an administrator may NOT remove them; offboarding, through OrganizationAccountAccessRole, may', async () => {
    const actions = [
      'config:DeleteConformancePack',
      'config:StopConfigurationRecorder',
      'config:DeleteDeliveryChannel',
      'config:DeleteConfigurationRecorder',
    ];
    const ask4 = (principal: string) =>
      Promise.all(
        actions.map((action) => ask({ principal, action, resource: '*', resourceAccount: ORDERS.test })),
      );
    const [developer, accessRole] = await Promise.all([ask4(A.testDeveloper), ask4(A.testOrgAccessRole)]);
    expect(developer.map(verdict)).toEqual(actions.map(() => EXPLICITLY_DENIED));
    expect(accessRole.map(verdict)).toEqual(actions.map(() => ALLOWED));
  });

  it('an account administrator may NOT stop CloudTrail logging', async () => {
    const answer = await ask({
      principal: A.testDeveloper,
      action: 'cloudtrail:StopLogging',
      resource: `arn:aws:cloudtrail:${REGION}:${ORDERS.test}:trail/organization-trail`,
    });
    expect(verdict(answer)).toEqual(EXPLICITLY_DENIED);
  });

  it('an account administrator may NOT delete the stage pipeline role; OrganizationAccountAccessRole may', async () => {
    const developer = await ask({
      principal: A.testDeveloper,
      action: 'iam:DeleteRole',
      resource: V.testCfnRole,
    });
    const vending = await ask({
      principal: A.testOrgAccessRole,
      action: 'iam:DeleteRole',
      resource: V.testCfnRole,
    });
    expect([developer, vending].map(verdict)).toEqual(decisions('ExplicitlyDenied', 'Allowed'));
  });

  it('an account administrator may NOT edit the permissions boundary policy', async () => {
    const answer = await ask({
      principal: A.testDeveloper,
      action: 'iam:CreatePolicyVersion',
      resource: V.testBoundary,
    });
    expect(verdict(answer)).toEqual(EXPLICITLY_DENIED);
    expect(verdict(answer)).toMatch(/\| scp=[^|]*ProtectVendedResources/);
  });

  it('a tooling administrator may NOT rewrite the trust or the policies of the tooling pipeline role', async () => {
    const answers = await Promise.all(
      ['iam:UpdateAssumeRolePolicy', 'iam:PutRolePolicy', 'iam:AttachRolePolicy'].map((action) =>
        ask({ principal: A.toolingDeveloper, action, resource: V.pipelineRole }),
      ),
    );
    expect(answers.map(verdict)).toEqual(Array(3).fill(EXPLICITLY_DENIED));
  });

  it('a tooling administrator may NOT hand the tooling pipeline role to a pipeline of their own (iam:PassRole)', async () => {
    // Whoever can pass appvend-orders-pipeline to CodePipeline (CreatePipeline/UpdatePipeline) acts
    // as it, and so assumes every stage's pipeline role: the trust narrowing of DESIGN.md §4 is then
    // bypassed through the tooling account.
    const answer = await ask({
      principal: A.toolingDeveloper,
      action: 'iam:PassRole',
      resource: V.pipelineRole,
      context: { 'iam:PassedToService': 'codepipeline.amazonaws.com' },
    });
    expect(verdict(answer)).toEqual(DENIED);
  });

  it('serverless work stays allowed: an administrator may create a Lambda function', async () => {
    const answer = await ask({
      principal: A.testDeveloper,
      action: 'lambda:CreateFunction',
      resource: fn(ORDERS.test, 'orders-api'),
    });
    expect(verdict(answer)).toEqual(ALLOWED);
  });
});

describe('static review of every vended policy statement', () => {
  const asList = (value: string | string[] | undefined): string[] =>
    value === undefined ? [] : Array.isArray(value) ? value : [value];
  // Every identity policy (inline or attached) and the boundary, in each orders account.
  const ordersAccounts = Object.values(ORDERS).map((account) => `@${account}:`);
  const identityPolicies = world
    .vendedPolicies()
    .filter((p) => p.kind === 'identity' || p.kind === 'boundary')
    .filter((p) => ordersAccounts.some((account) => p.origin.includes(account)));

  it.each(identityPolicies.map((p) => [p.name, p] as const))(
    'vended identity or boundary policy %s grants no "*" or "service:*" action and uses no NotAction',
    (_name, vended) => {
      const findings = statementsOf(vended.policy)
        .filter((s: PolicyStatement) => s.Effect === 'Allow')
        .flatMap((s) => [
          ...asList(s.Action)
            .filter((a) => a === '*' || /^[a-z0-9-]+:\*$/i.test(a))
            .map((a) => `${vended.origin} ${s.Sid ?? '(no Sid)'}: Action ${a}`),
          ...(s.NotAction ? [`${vended.origin} ${s.Sid ?? '(no Sid)'}: NotAction`] : []),
        ]);
      expect(findings).toEqual([]);
    },
  );

  it('no vended Allow statement uses NotPrincipal or NotResource, and no resource or trust policy allows Principal "*"', () => {
    const findings = world.vendedPolicies().flatMap((p) =>
      statementsOf(p.policy)
        .filter((s) => s.Effect === 'Allow')
        .filter(
          (s) =>
            s.NotPrincipal !== undefined ||
            s.NotResource !== undefined ||
            s.Principal === '*' ||
            (typeof s.Principal === 'object' &&
              asList((s.Principal as { AWS?: string | string[] }).AWS).includes('*')),
        )
        .map((s) => `${p.origin} ${s.Sid ?? '(no Sid)'}`),
    );
    expect(findings).toEqual([]);
  });

  it('every trust policy names a service with aws:SourceAccount, or an account narrowed by aws:PrincipalArn', () => {
    const findings = [...world.roles.values()].flatMap((r) =>
      statementsOf(r.trustPolicy)
        .filter((s) => s.Effect === 'Allow')
        .filter((s) => {
          const principal = s.Principal as { Service?: unknown; AWS?: unknown };
          const keys = Object.values(s.Condition ?? {}).flatMap((c) => Object.keys(c));
          if (principal.Service !== undefined) return !keys.includes('aws:SourceAccount');
          return !keys.includes('aws:PrincipalArn');
        })
        .map((s) => `${r.origin} ${JSON.stringify(s.Principal)}`),
    );
    expect(findings).toEqual([]);
  });

  it('the only AWS managed policy attached to a vended role is AWS_ConfigRole (Config recorder)', () => {
    const attached = new Set([...world.roles.values()].flatMap((r) => r.awsManagedPolicyArns));
    expect([...attached]).toEqual(['arn:aws:iam::aws:policy/service-role/AWS_ConfigRole']);
  });
});

describe('allowed services: the deployer gets a vetted statement set per requested service, nothing more', () => {
  const table = (account: string, name: string) => `arn:aws:dynamodb:${REGION}:${account}:table/${name}`;

  it('billing (dynamodb allowed) may create a table under its prefix', async () => {
    expect(
      verdict(
        await ask({
          principal: V.billingTestDeployer,
          action: 'dynamodb:CreateTable',
          resource: table(BILLING.test, 'billing-invoices'),
        }),
      ),
    ).toEqual(ALLOWED);
  });

  it('billing may NOT create a table outside its prefix', async () => {
    expect(
      verdict(
        await ask({
          principal: V.billingTestDeployer,
          action: 'dynamodb:CreateTable',
          resource: table(BILLING.test, 'invoices'),
        }),
      ),
    ).toEqual(DENIED);
  });

  it('orders (no service allowed) may NOT create a table, even under its own prefix', async () => {
    expect(
      verdict(
        await ask({
          principal: V.testDeployer,
          action: 'dynamodb:CreateTable',
          resource: table(ORDERS.test, 'orders-items'),
        }),
      ),
    ).toEqual(DENIED);
  });

  it('billing (s3 allowed) may create a bucket under its prefix in its own account', async () => {
    expect(
      verdict(
        await ask({
          principal: V.billingTestDeployer,
          action: 's3:CreateBucket',
          resource: 'arn:aws:s3:::billing-uploads',
          resourceAccount: BILLING.test,
        }),
      ),
    ).toEqual(ALLOWED);
  });

  it('billing may NOT touch a bucket under its prefix that belongs to another account', async () => {
    expect(
      verdict(
        await ask({
          principal: V.billingTestDeployer,
          action: 's3:PutBucketVersioning',
          resource: 'arn:aws:s3:::billing-uploads-of-someone-else',
          resourceAccount: OUTSIDER,
        }),
      ),
    ).toEqual(DENIED);
  });

  it('billing may NOT open its buckets: no bucket policy, no ACL', async () => {
    const questions = ['s3:PutBucketPolicy', 's3:PutBucketAcl'].map((action) =>
      ask({
        principal: V.billingTestDeployer,
        action,
        resource: 'arn:aws:s3:::billing-uploads',
        resourceAccount: BILLING.test,
      }),
    );
    expect((await Promise.all(questions)).map(verdict)).toEqual(
      decisions('ImplicitlyDenied', 'ImplicitlyDenied'),
    );
  });
});

describe('the deployer role may not make a function public', () => {
  const addPermission = (principal: string): Question => ({
    principal: V.testDeployer,
    action: 'lambda:AddPermission',
    resource: fn(ORDERS.test, 'orders-test-greeting'),
    context: { 'lambda:Principal': principal },
  });

  it('may let API Gateway invoke an application function', async () => {
    expect(verdict(await ask(addPermission('apigateway.amazonaws.com')))).toEqual(ALLOWED);
  });

  it('may NOT let everyone ("*") invoke it', async () => {
    expect(verdict(await ask(addPermission('*')))).toEqual(EXPLICITLY_DENIED);
  });
});

describe('the artifact store under the SCP: only appvend changes its key and bucket settings', () => {
  const key = (principal: string, action: string): Question => ({
    principal,
    action,
    resource: artifactKey(),
  });
  const bucket = (principal: string, action: string): Question => ({
    principal,
    action,
    resource: `arn:aws:s3:::${V.bucket}`,
  });

  it('a tooling administrator may NOT rewrite the key policy, disable or delete the key', async () => {
    const answers = await Promise.all(
      ['kms:PutKeyPolicy', 'kms:DisableKey', 'kms:ScheduleKeyDeletion'].map((action) =>
        ask(key(A.toolingDeveloper, action)),
      ),
    );
    expect(answers.map(verdict)).toEqual(
      decisions('ExplicitlyDenied', 'ExplicitlyDenied', 'ExplicitlyDenied'),
    );
  });

  it('a tooling administrator may NOT open the bucket or turn off its encryption', async () => {
    const answers = await Promise.all(
      ['s3:PutBucketPolicy', 's3:PutBucketPublicAccessBlock', 's3:PutEncryptionConfiguration'].map((action) =>
        ask(bucket(A.toolingDeveloper, action)),
      ),
    );
    expect(answers.map(verdict)).toEqual(
      decisions('ExplicitlyDenied', 'ExplicitlyDenied', 'ExplicitlyDenied'),
    );
  });

  it('appvend, through OrganizationAccountAccessRole, may still update both', async () => {
    const answers = await Promise.all([
      ask(key(A.toolingOrgAccessRole, 'kms:PutKeyPolicy')),
      ask(bucket(A.toolingOrgAccessRole, 's3:PutBucketPolicy')),
    ]);
    expect(answers.map(verdict)).toEqual(decisions('Allowed', 'Allowed'));
  });

  it('offboarding, through OrganizationAccountAccessRole, may turn access logging off, then list and delete every object version (CloudFormation deletes only empty buckets)', async () => {
    const answers = await Promise.all([
      ask(bucket(A.toolingOrgAccessRole, 's3:PutBucketLogging')),
      ask(bucket(A.toolingOrgAccessRole, 's3:ListBucketVersions')),
      ask({ principal: A.toolingOrgAccessRole, action: 's3:DeleteObjectVersion', resource: artifactObject }),
      ask({ principal: A.toolingOrgAccessRole, action: 's3:DeleteObject', resource: artifactObject }),
    ]);
    expect(answers.map(verdict)).toEqual(decisions('Allowed', 'Allowed', 'Allowed', 'Allowed'));
  });
});

describe('protections nobody inside an account can switch off (SCP and boundary)', () => {
  const keyAlias = (account: string) => `arn:aws:kms:${REGION}:${account}:alias/appvend-orders-artifacts`;
  const buildProject = `arn:aws:codebuild:${REGION}:${ORDERS.tooling}:project/appvend-orders-build`;
  const prodApproval = `arn:aws:codepipeline:${REGION}:${ORDERS.tooling}:appvend-orders/Deploy-prod/Approve`;
  const billingApproval = `arn:aws:codepipeline:${REGION}:${BILLING.tooling}:appvend-billing/Deploy-prod/Approve`;
  const rule = (account: string) => `arn:aws:events:${REGION}:${account}:rule/appvend-orders-noncompliance`;
  const stackSetStack = stack(ORDERS.test, 'StackSet-appvend-orders-guardrails-0a1b2c3d');
  const each = (principal: string, actions: string[], resource: string) =>
    Promise.all(actions.map((action) => ask({ principal, action, resource })));

  it('an account administrator may NOT rewrite the trust or the policies of the exempt role (OrganizationAccountAccessRole) to become it', async () => {
    const actions = [
      'iam:UpdateAssumeRolePolicy',
      'iam:AttachRolePolicy',
      'iam:PutRolePolicy',
      'iam:DeleteRole',
    ];
    const answers = await each(A.testDeveloper, actions, A.testOrgAccessRole);
    expect(answers.map(verdict)).toEqual(actions.map(() => EXPLICITLY_DENIED));
    expect(verdict(answers[0]!)).toMatch(/\| scp=[^|]*ProtectVendedResources/);
  });

  it('a tooling administrator may NOT delete or repoint the artifact key’s alias (which the key protection matches by); appvend may', async () => {
    const actions = ['kms:DeleteAlias', 'kms:UpdateAlias'];
    const [developer, vending] = await Promise.all([
      each(A.toolingDeveloper, actions, keyAlias(ORDERS.tooling)),
      each(A.toolingOrgAccessRole, actions, keyAlias(ORDERS.tooling)),
    ]);
    expect(developer.map(verdict)).toEqual(actions.map(() => EXPLICITLY_DENIED));
    expect(vending.map(verdict)).toEqual(actions.map(() => ALLOWED));
  });

  it('a tooling administrator may NOT start the build project with a buildspec override, nor start, retry or change it at all', async () => {
    const override = await ask({
      principal: A.toolingDeveloper,
      action: 'codebuild:StartBuild',
      resource: buildProject,
      context: { 'codebuild:source.buildspec': 'version: 0.2' },
    });
    const actions = [
      'codebuild:StartBuild',
      'codebuild:RetryBuild',
      'codebuild:UpdateProject',
      'codebuild:DeleteProject',
    ];
    const others = await each(A.toolingDeveloper, actions, buildProject);
    expect([override, ...others].map(verdict)).toEqual([override, ...others].map(() => EXPLICITLY_DENIED));
    expect(verdict(override)).toMatch(/\| scp=[^|]*ProtectBuildProject/);
  });

  it('the pipeline role still starts the build; an Identity Center administrator of the tooling account may not', async () => {
    const [pipeline, sso] = await Promise.all([
      ask({ principal: V.pipelineRole, action: 'codebuild:StartBuild', resource: buildProject }),
      ask({ principal: A.toolingSsoAdministrator, action: 'codebuild:StartBuild', resource: buildProject }),
    ]);
    expect([pipeline, sso].map(verdict)).toEqual(decisions('Allowed', 'ExplicitlyDenied'));
  });

  it('only the request’s approvers (their permission set’s Identity Center role) may approve production', async () => {
    const answers = await Promise.all(
      [A.ordersApprover, A.toolingDeveloper, A.toolingSsoAdministrator].map((principal) =>
        ask({ principal, action: 'codepipeline:PutApprovalResult', resource: prodApproval }),
      ),
    );
    expect(answers.map(verdict)).toEqual(decisions('Allowed', 'ExplicitlyDenied', 'ExplicitlyDenied'));
    expect(verdict(answers[1]!)).toMatch(/\| scp=[^|]*ProtectApprovals/);
  });

  it('without approvers in the request, nobody but the access role may approve', async () => {
    const answers = await Promise.all(
      [A.billingDeveloper, A.billingOrgAccessRole].map((principal) =>
        ask({ principal, action: 'codepipeline:PutApprovalResult', resource: billingApproval }),
      ),
    );
    expect(answers.map(verdict)).toEqual(decisions('ExplicitlyDenied', 'Allowed'));
  });

  it('a stage administrator may NOT disable, delete, rewrite or untarget the non-compliance rule; appvend may', async () => {
    const actions = ['events:DisableRule', 'events:DeleteRule', 'events:RemoveTargets', 'events:PutRule'];
    const [developer, vending] = await Promise.all([
      each(A.testDeveloper, actions, rule(ORDERS.test)),
      each(A.testOrgAccessRole, actions, rule(ORDERS.test)),
    ]);
    expect(developer.map(verdict)).toEqual(actions.map(() => EXPLICITLY_DENIED));
    expect(vending.map(verdict)).toEqual(actions.map(() => ALLOWED));
  });

  it('a stage administrator may NOT delete or update the stacks StackSets made; the execution role may', async () => {
    const actions = [
      'cloudformation:DeleteStack',
      'cloudformation:UpdateStack',
      'cloudformation:ExecuteChangeSet',
    ];
    const [developer, vending] = await Promise.all([
      each(A.testDeveloper, actions, stackSetStack),
      each(A.testOrgAccessRole, actions, stackSetStack),
    ]);
    expect(developer.map(verdict)).toEqual(actions.map(() => EXPLICITLY_DENIED));
    expect(vending.map(verdict)).toEqual(actions.map(() => ALLOWED));
  });

  it('the boundary’s OwnBuckets reaches only buckets of the role’s own account, not a bucket named like the application’s elsewhere', async () => {
    // An outsider's bucket named like the application's, whose policy lets anyone write.
    world.bucketPolicies.set('orders-exports', {
      bucket: 'orders-exports',
      account: OUTSIDER,
      origin: 'test: an outsider bucket',
      policy: {
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Principal: { AWS: '*' },
            Action: ['s3:PutObject', 's3:GetObject'],
            Resource: 'arn:aws:s3:::orders-exports/*',
          },
        ],
      },
    });
    const [own, foreign] = await Promise.all([
      ask({
        principal: A.testFunctionRole,
        action: 's3:PutObject',
        resource: 'arn:aws:s3:::orders-uploads/report.csv',
        resourceAccount: ORDERS.test,
      }),
      ask({
        principal: A.testFunctionRole,
        action: 's3:PutObject',
        resource: 'arn:aws:s3:::orders-exports/dump.csv',
      }),
    ]);
    world.bucketPolicies.delete('orders-exports');
    expect([own, foreign].map(verdict)).toEqual(decisions('Allowed', 'ImplicitlyDenied'));
    expect(verdict(foreign)).toMatch(/\| boundary=ImplicitlyDenied/);
  });
});
