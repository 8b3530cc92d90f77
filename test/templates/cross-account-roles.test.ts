import { synthesizeVendedTemplates } from '../../infra/templates';
import { PSEUDO, evaluate, resourcesOfType, statementBySid, type Loose } from './helpers';

const PARAMETERS = { AppName: 'shop', ToolingAccountId: '333333333333' };
const STAGE = PSEUDO['AWS::AccountId'];
const REGION = PSEUDO['AWS::Region'];
const BOUNDARY_WRITES = [
  'iam:AttachRolePolicy',
  'iam:CreateRole',
  'iam:DeleteRolePolicy',
  'iam:DetachRolePolicy',
  'iam:PutRolePermissionsBoundary',
  'iam:PutRolePolicy',
];
const ARTIFACT_KEY_CONDITION = {
  'ForAnyValue:StringEquals': { 'kms:ResourceAliases': 'alias/appvend-shop-artifacts' },
};

const asList = (value: unknown): unknown[] => (Array.isArray(value) ? value : [value]);

describe('Template: cross-account-roles', () => {
  let json: Loose;
  let resolved: Loose;
  const roleNamed = (name: string): Loose => {
    const found = Object.entries(resourcesOfType(resolved, 'AWS::IAM::Role')).find(
      ([, r]) => r.Properties.RoleName === name,
    );
    if (!found) throw new Error(`no role ${name}`);
    return { id: found[0], ...found[1].Properties };
  };
  const boundary = (): Loose => {
    const policies = Object.entries(resourcesOfType(resolved, 'AWS::IAM::ManagedPolicy'));
    expect(policies).toHaveLength(1);
    const [id, policy] = policies[0]!;
    return { id, ...policy.Properties };
  };
  const allowStatements = (role: Loose): Loose[] =>
    role.Policies.flatMap((p: Loose) => p.PolicyDocument.Statement).filter(
      (s: Loose) => s.Effect === 'Allow',
    );

  beforeAll(() => {
    json = synthesizeVendedTemplates()['cross-account-roles'];
    resolved = evaluate(json, PARAMETERS);
  });

  it('creates exactly the two fixed-name roles and the boundary policy when no extra service is allowed', () => {
    // Act
    const names = Object.values(resourcesOfType(resolved, 'AWS::IAM::Role')).map(
      (r) => r.Properties.RoleName,
    );

    // Assess
    expect(names.sort()).toEqual(['CloudformationDeployerRole', 'ToolingAccountPipelineCloudformationRole']);
    expect(boundary().ManagedPolicyName).toBe('appvend-shop-boundary');
  });

  it('lets only the tooling pipeline role assume the pipeline CloudFormation role', () => {
    // Prepare
    const role = roleNamed('ToolingAccountPipelineCloudformationRole');

    // Act
    const trust = role.AssumeRolePolicyDocument.Statement;

    // Assess
    expect(trust).toEqual([
      {
        Effect: 'Allow',
        Principal: { AWS: 'arn:aws:iam::333333333333:root' },
        Action: 'sts:AssumeRole',
        Condition: {
          ArnEquals: { 'aws:PrincipalArn': 'arn:aws:iam::333333333333:role/appvend-shop-pipeline' },
        },
      },
    ]);
  });

  it('gives the pipeline CloudFormation role change sets on the application stacks only', () => {
    // Prepare
    const policy = roleNamed('ToolingAccountPipelineCloudformationRole').Policies[0].PolicyDocument;

    // Act
    const stacks = statementBySid(policy, 'ApplicationStacks');
    const validate = statementBySid(policy, 'ValidateTemplates');

    // Assess
    expect(stacks.Action).toEqual([
      'cloudformation:CreateChangeSet',
      'cloudformation:DeleteChangeSet',
      'cloudformation:DescribeChangeSet',
      'cloudformation:DescribeStackEvents',
      'cloudformation:DescribeStacks',
      'cloudformation:ExecuteChangeSet',
      'cloudformation:GetTemplate',
    ]);
    expect(stacks.Resource).toBe(`arn:aws:cloudformation:${REGION}:${STAGE}:stack/shop-*/*`);
    expect(validate).toEqual(
      expect.objectContaining({
        Action: ['cloudformation:GetTemplateSummary', 'cloudformation:ValidateTemplate'],
        Resource: '*',
      }),
    );
  });

  it('lets the pipeline CloudFormation role pass only the deployer role, only to CloudFormation', () => {
    // Prepare
    const role = roleNamed('ToolingAccountPipelineCloudformationRole');
    const deployer = roleNamed('CloudformationDeployerRole');

    // Act
    const passRole = allowStatements(role).filter((s) => asList(s.Action).includes('iam:PassRole'));

    // Assess
    expect(passRole).toEqual([
      expect.objectContaining({
        Resource: `<${deployer.id}.Arn>`,
        Condition: { StringEquals: { 'iam:PassedToService': 'cloudformation.amazonaws.com' } },
      }),
    ]);
  });

  it('lets both stage roles read artifacts and decrypt with the artifact key only, by alias', () => {
    for (const name of ['ToolingAccountPipelineCloudformationRole', 'CloudformationDeployerRole']) {
      // Prepare
      const policy = roleNamed(name).Policies[0].PolicyDocument;

      // Act
      const read = statementBySid(policy, 'ReadArtifacts');
      const decrypt = statementBySid(policy, 'DecryptArtifacts');

      // Assess
      expect(read.Resource).toBe('arn:aws:s3:::appvend-shop-artifacts-333333333333/*');
      expect(read.Action).toEqual(['s3:GetObject', 's3:GetObjectVersion']);
      expect(decrypt.Action).toEqual(['kms:Decrypt', 'kms:DescribeKey']);
      expect(decrypt.Resource).toBe(`arn:aws:kms:${REGION}:333333333333:key/*`);
      expect(decrypt.Condition).toEqual(ARTIFACT_KEY_CONDITION);
    }
  });

  it('lets CloudFormation (from this account only) assume the deployer role', () => {
    // Prepare
    const role = roleNamed('CloudformationDeployerRole');

    // Act
    const trust = role.AssumeRolePolicyDocument.Statement;

    // Assess
    expect(trust).toEqual([
      {
        Effect: 'Allow',
        Principal: { Service: 'cloudformation.amazonaws.com' },
        Action: 'sts:AssumeRole',
        Condition: { StringEquals: { 'aws:SourceAccount': STAGE } },
      },
    ]);
  });

  it('lets the deployer write IAM roles only under the app prefix and only with the boundary', () => {
    // Prepare
    const role = roleNamed('CloudformationDeployerRole');
    const boundaryRef = `<${boundary().id}>`;

    // Act
    const writes = allowStatements(role).filter((s) =>
      asList(s.Action).some((a) => BOUNDARY_WRITES.includes(String(a))),
    );

    // Assess
    expect(writes).toEqual([
      {
        Sid: 'WriteRolesWithBoundary',
        Effect: 'Allow',
        Action: BOUNDARY_WRITES,
        Resource: `arn:aws:iam::${STAGE}:role/shop-*`,
        Condition: { StringEquals: { 'iam:PermissionsBoundary': boundaryRef } },
      },
    ]);
  });

  it('lets the deployer pass only application roles, only to Lambda and API Gateway', () => {
    // Prepare
    const role = roleNamed('CloudformationDeployerRole');

    // Act
    const passRole = allowStatements(role).filter((s) => asList(s.Action).includes('iam:PassRole'));

    // Assess
    expect(passRole).toEqual([
      expect.objectContaining({
        Action: 'iam:PassRole',
        Resource: `arn:aws:iam::${STAGE}:role/shop-*`,
        Condition: {
          StringEquals: { 'iam:PassedToService': ['lambda.amazonaws.com', 'apigateway.amazonaws.com'] },
        },
      }),
    ]);
  });

  it('denies the deployer removing, editing or replacing the boundary', () => {
    // Prepare
    const policy = roleNamed('CloudformationDeployerRole').Policies[0].PolicyDocument;
    const boundaryRef = `<${boundary().id}>`;

    // Act
    const denies = policy.Statement.filter((s: Loose) => s.Effect === 'Deny');

    // Assess
    expect(denies).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ Action: 'iam:DeleteRolePermissionsBoundary', Resource: '*' }),
        expect.objectContaining({
          Action: expect.arrayContaining([
            'iam:CreatePolicyVersion',
            'iam:DeletePolicyVersion',
            'iam:SetDefaultPolicyVersion',
          ]),
          Resource: boundaryRef,
        }),
        expect.objectContaining({
          Action: expect.arrayContaining(['iam:PutRolePermissionsBoundary']),
          Resource: '*',
          Condition: { StringNotEquals: { 'iam:PermissionsBoundary': boundaryRef } },
        }),
      ]),
    );
  });

  it('scopes the deployer to the application functions, logs, APIs and the SAM transform', () => {
    // Prepare
    const policy = roleNamed('CloudformationDeployerRole').Policies[0].PolicyDocument;

    // Act
    const resourcesOf = (sid: string) => asList(statementBySid(policy, sid).Resource);

    // Assess
    expect(resourcesOf('Functions')).toEqual([`arn:aws:lambda:${REGION}:${STAGE}:function:shop-*`]);
    expect(statementBySid(policy, 'EventSourceMappings').Condition).toEqual({
      ArnLike: { 'lambda:FunctionArn': `arn:aws:lambda:${REGION}:${STAGE}:function:shop-*` },
    });
    expect(resourcesOf('FunctionLogGroups')).toEqual([
      `arn:aws:logs:${REGION}:${STAGE}:log-group:/aws/lambda/shop-*`,
    ]);
    expect(resourcesOf('RestApis')).toEqual([
      `arn:aws:apigateway:${REGION}::/restapis*`,
      `arn:aws:apigateway:${REGION}::/tags*`,
    ]);
    expect(statementBySid(policy, 'SamTransform')).toEqual(
      expect.objectContaining({
        Action: 'cloudformation:CreateChangeSet',
        Resource: `arn:aws:cloudformation:${REGION}:aws:transform/Serverless-2016-10-31`,
      }),
    );
  });

  it('makes the boundary deny IAM and Organizations and allow no IAM action', () => {
    // Prepare
    const document = boundary().PolicyDocument;

    // Act
    const allowed = document.Statement.filter((s: Loose) => s.Effect === 'Allow').flatMap((s: Loose) =>
      asList(s.Action),
    );

    // Assess
    expect(statementBySid(document, 'NoIam')).toEqual({
      Sid: 'NoIam',
      Effect: 'Deny',
      Action: 'iam:*',
      Resource: '*',
    });
    expect(statementBySid(document, 'NoOrganizations')).toEqual(
      expect.objectContaining({ Effect: 'Deny', Action: 'organizations:*', Resource: '*' }),
    );
    expect(allowed.filter((a: unknown) => /^(iam|organizations|sts):/.test(String(a)))).toEqual([]);
    expect(statementBySid(document, 'FunctionLogs').Resource).toBe(
      `arn:aws:logs:${REGION}:${STAGE}:log-group:/aws/lambda/shop-*`,
    );
  });

  describe('allowed services', () => {
    const deployerPolicies = (parameters: Record<string, string>): Loose[] => {
      const world = evaluate(json, { ...PARAMETERS, ...parameters });
      return Object.values(resourcesOfType(world, 'AWS::IAM::ManagedPolicy'))
        .map((p) => p.Properties)
        .filter((p) => (p.Roles ?? []).includes('<DeployerRole>'));
    };

    it('attaches no service policy to the deployer by default', () => {
      // Act
      const policies = deployerPolicies({});

      // Assess
      expect(policies).toEqual([]);
    });

    it('attaches the DynamoDB policy, scoped to the application tables, when AllowDynamoDB is true', () => {
      // Act
      const policies = deployerPolicies({ AllowDynamoDB: 'true' });

      // Assess
      expect(policies.map((p) => p.ManagedPolicyName)).toEqual(['appvend-shop-deploy-dynamodb']);
      const statements = policies[0]!.PolicyDocument.Statement as Loose[];
      expect(statements.map((st) => st.Sid)).toEqual(['ManageResources']);
      expect(statements[0]!.Resource).toEqual([`arn:aws:dynamodb:${REGION}:${STAGE}:table/shop-*`]);
      expect(statements[0]!.Action).toContain('dynamodb:CreateTable');
      expect(statements[0]!.Action).not.toContain('dynamodb:PutResourcePolicy');
    });

    it('passes application roles only to the service that takes them (Step Functions)', () => {
      // Act
      const [stepFunctions] = deployerPolicies({ AllowStepFunctions: 'true' });

      // Assess
      const pass = statementBySid(stepFunctions!.PolicyDocument, 'PassApplicationRoles');
      expect(pass.Resource).toBe(`arn:aws:iam::${STAGE}:role/shop-*`);
      expect(pass.Condition).toEqual({ StringEquals: { 'iam:PassedToService': 'states.amazonaws.com' } });
    });

    it('lets S3 buckets be created in this account only, and never their policies or ACLs', () => {
      // Act
      const [s3] = deployerPolicies({ AllowS3: 'true' });

      // Assess
      const create = statementBySid(s3!.PolicyDocument, 'CreateResources');
      const manage = statementBySid(s3!.PolicyDocument, 'ManageResources');
      expect(create.Action).toBe('s3:CreateBucket');
      expect(manage.Condition).toEqual({ StringEquals: { 'aws:ResourceAccount': STAGE } });
      expect([create.Action, ...manage.Action]).not.toEqual(
        expect.arrayContaining([expect.stringMatching(/^s3:(PutBucketPolicy|PutBucketAcl|PutObjectAcl)$/)]),
      );
    });

    it('attaches all six when all are allowed, each under the IAM managed policy size limit', () => {
      // Act
      const policies = deployerPolicies({
        AllowDynamoDB: 'true',
        AllowSQS: 'true',
        AllowSNS: 'true',
        AllowStepFunctions: 'true',
        AllowEventBridge: 'true',
        AllowS3: 'true',
      });

      // Assess: six policies plus none already attached stays under the 10 managed policies per role.
      expect(policies).toHaveLength(6);
      for (const p of policies) {
        // IAM counts the document without whitespace; 6,144 characters per managed policy.
        expect(JSON.stringify(p.PolicyDocument).length).toBeLessThan(6144);
      }
    });
  });
});
