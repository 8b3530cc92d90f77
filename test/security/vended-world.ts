/**
 * The IAM world an application's vend creates: every stack instance of the four vended templates
 * (resolved per target account exactly as `planStackSet` deploys them), the policies they carry,
 * and the SCP attached to the application's OU.
 */
import type { SimulationIdentityPolicy, SimulationOrgPolicies } from '@cloud-copilot/iam-simulate';
import { TEMPLATE_KEYS, type TemplateKey } from '../../shared/domain/naming';
import { renderServiceControlPolicy, type ExemptRoles } from '../../shared/domain/scp';
import { planStackSet, type PlannedAccount } from '../../shared/domain/stack-set-plan';
import type { ApplicationRequest } from '../../shared/request/schema';
import { StackInstance, type Template } from './cfn-resolver';

export type PolicyDocument = { Version?: string; Statement: PolicyStatement | PolicyStatement[] };
export interface PolicyStatement {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Principal?: unknown;
  NotPrincipal?: unknown;
  Action?: string | string[];
  NotAction?: string | string[];
  Resource?: string | string[];
  NotResource?: string | string[];
  Condition?: Record<string, Record<string, unknown>>;
}

export const statementsOf = (policy: PolicyDocument): PolicyStatement[] =>
  Array.isArray(policy.Statement) ? policy.Statement : [policy.Statement];

/** Where a policy came from, for failure messages and the reviewer: `template@account:LogicalId`. */
export type Origin = string;

export interface PrincipalModel {
  arn: string;
  account: string;
  identityPolicies: Array<SimulationIdentityPolicy & { origin: Origin }>;
  permissionsBoundary?: SimulationIdentityPolicy & { origin: Origin };
  /** AWS managed policies attached by ARN (their content is AWS's, not vended). */
  awsManagedPolicyArns: string[];
  origin: Origin;
}

export interface RoleModel extends PrincipalModel {
  name: string;
  trustPolicy: PolicyDocument;
}

export interface KeyModel {
  arn: string;
  account: string;
  policy: PolicyDocument;
  aliases: string[];
  origin: Origin;
}

export interface BucketPolicyModel {
  bucket: string;
  account: string;
  policy: PolicyDocument;
  origin: Origin;
}

export interface ManagedPolicyModel {
  arn: string;
  account: string;
  policy: PolicyDocument;
  origin: Origin;
}

/** A policy document the vend creates, with its kind, for walks over every statement. */
export interface VendedPolicy {
  kind: 'identity' | 'boundary' | 'trust' | 'key' | 'bucket' | 'scp';
  name: string;
  origin: Origin;
  policy: PolicyDocument;
}

export interface ApplicationPlan {
  request: ApplicationRequest;
  /** The member and StackSets execution roles the SCP exempts and protects, as the service is configured. */
  exemptRoles: ExemptRoles;
  accounts: PlannedAccount[];
  notificationTopicArn: string;
  region: string;
}

export const FULL_AWS_ACCESS: PolicyDocument = {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }],
};
export const ORGANIZATION_ROOT = 'r-root';

/** Deterministic stand-in for a key id, which CloudFormation only knows after creating the key. */
const keyIdFor = (account: string, logicalId: string): string => {
  const hex = Buffer.from(`${account}${logicalId}`).toString('hex').padEnd(12, '0').slice(0, 12);
  return `00000000-0000-4000-8000-${hex}`;
};

/** Every vended principal, key, bucket policy and managed policy of one or more applications. */
export class VendedWorld {
  readonly roles = new Map<string, RoleModel>();
  /** Principals that are not vended (a developer, an attacker): their policies are the test's. */
  readonly actors = new Map<string, PrincipalModel>();
  readonly keys = new Map<string, KeyModel>();
  readonly bucketPolicies = new Map<string, BucketPolicyModel>();
  readonly managedPolicies = new Map<string, ManagedPolicyModel>();
  /** OU of each account, and the SCPs attached to each OU (FullAWSAccess is added everywhere). */
  readonly ouOfAccount = new Map<string, string>();
  readonly scpsOfOu = new Map<string, Array<{ name: string; policy: PolicyDocument }>>();
  readonly instances: Array<{ template: TemplateKey; account: string; instance: StackInstance }> = [];

  /** Instantiates the four templates for an application as its stack sets would, and its SCP. */
  addApplication(templates: Record<TemplateKey, Template>, plan: ApplicationPlan): this {
    const ou = `ou-${plan.request.name}`;
    for (const account of plan.accounts) this.ouOfAccount.set(account.id, ou);
    this.scpsOfOu.set(ou, [
      {
        name: `appvend-${plan.request.name}-guardrails`,
        policy: JSON.parse(renderServiceControlPolicy(plan.request, plan.exemptRoles)) as PolicyDocument,
      },
    ]);
    for (const key of TEMPLATE_KEYS) {
      const target = planStackSet(key, plan.request, plan.accounts, {
        notificationTopicArn: plan.notificationTopicArn,
      });
      for (const accountId of target.accounts) {
        const instance = new StackInstance(templates[key], {
          parameters: target.parameters,
          accountId,
          region: plan.region,
        });
        this.instances.push({ template: key, account: accountId, instance });
        this.extract(key, instance);
      }
    }
    return this;
  }

  /** Adds a principal that the vend does not create, with the identity policies given. */
  addActor(
    arn: string,
    identityPolicies: Record<string, PolicyDocument>,
    permissionsBoundary?: { name: string; policy: PolicyDocument },
  ): this {
    const account = accountOf(arn);
    this.actors.set(arn, {
      arn,
      account,
      identityPolicies: Object.entries(identityPolicies).map(([name, policy]) => ({
        name,
        policy,
        origin: 'test actor',
      })),
      ...(permissionsBoundary
        ? { permissionsBoundary: { ...permissionsBoundary, origin: 'test actor' } }
        : {}),
      awsManagedPolicyArns: [],
      origin: 'test actor',
    });
    return this;
  }

  role(arn: string): RoleModel {
    const role = this.roles.get(arn);
    if (!role) throw new Error(`No vended role ${arn}; vended roles: ${[...this.roles.keys()].join(', ')}`);
    return role;
  }

  principal(arn: string): PrincipalModel | undefined {
    return this.roles.get(arn) ?? this.actors.get(arn);
  }

  managedPolicy(arn: string): ManagedPolicyModel {
    const policy = this.managedPolicies.get(arn);
    if (!policy) throw new Error(`No vended managed policy ${arn}`);
    return policy;
  }

  /** The SCP hierarchy that applies to principals of an account: root, the account's OU, the account. */
  serviceControlPolicies(account: string): SimulationOrgPolicies[] {
    const fullAccess = { name: 'FullAWSAccess', policy: FULL_AWS_ACCESS };
    const ou = this.ouOfAccount.get(account);
    return [
      { orgIdentifier: ORGANIZATION_ROOT, policies: [fullAccess] },
      ...(ou ? [{ orgIdentifier: ou, policies: [fullAccess, ...(this.scpsOfOu.get(ou) ?? [])] }] : []),
      { orgIdentifier: account, policies: [fullAccess] },
    ];
  }

  /** Every policy document the vend creates (identity, boundary, trust, key, bucket, SCP). */
  vendedPolicies(): VendedPolicy[] {
    const out: VendedPolicy[] = [];
    for (const role of this.roles.values()) {
      out.push({ kind: 'trust', name: `${role.arn} trust`, origin: role.origin, policy: role.trustPolicy });
      for (const p of role.identityPolicies) {
        out.push({ kind: 'identity', name: `${role.arn} ${p.name}`, origin: p.origin, policy: p.policy });
      }
    }
    for (const p of this.managedPolicies.values()) {
      const attached = [...this.roles.values()].some((r) => r.identityPolicies.some((i) => i.name === p.arn));
      out.push({ kind: attached ? 'identity' : 'boundary', name: p.arn, origin: p.origin, policy: p.policy });
    }
    for (const k of this.keys.values())
      out.push({ kind: 'key', name: k.arn, origin: k.origin, policy: k.policy });
    for (const b of this.bucketPolicies.values()) {
      out.push({ kind: 'bucket', name: b.bucket, origin: b.origin, policy: b.policy });
    }
    for (const [ou, scps] of this.scpsOfOu) {
      for (const s of scps)
        out.push({ kind: 'scp', name: `${ou} ${s.name}`, origin: 'shared/domain/scp.ts', policy: s.policy });
    }
    return out;
  }

  private extract(template: TemplateKey, stack: StackInstance): void {
    const origin = (logicalId: string) => `${template}@${stack.accountId}:${logicalId}`;
    const document = (logicalId: string, property: string) => {
      const value = stack.property(logicalId, property);
      if (!value || typeof value !== 'object') throw new Error(`${origin(logicalId)} has no ${property}`);
      return value as PolicyDocument;
    };

    // Managed policies first: roles refer to them by ARN.
    const attachments: Array<{ roleName: string; name: string; policy: PolicyDocument; origin: Origin }> = [];
    for (const [id] of stack.resources('AWS::IAM::ManagedPolicy')) {
      const arn = stack.resolve({ 'Fn::GetAtt': [id, 'PolicyArn'] }) as string;
      const policy = document(id, 'PolicyDocument');
      this.managedPolicies.set(arn, { arn, account: stack.accountId, policy, origin: origin(id) });
      for (const roleName of (stack.property(id, 'Roles') as string[] | undefined) ?? []) {
        attachments.push({ roleName, name: arn, policy, origin: origin(id) });
      }
    }
    for (const [id] of stack.resources('AWS::IAM::Policy')) {
      const name = stack.stringProperty(id, 'PolicyName');
      for (const roleName of (stack.property(id, 'Roles') as string[] | undefined) ?? []) {
        attachments.push({ roleName, name, policy: document(id, 'PolicyDocument'), origin: origin(id) });
      }
    }

    for (const [id] of stack.resources('AWS::IAM::Role')) {
      const name = stack.stringProperty(id, 'RoleName');
      const arn = stack.resolve({ 'Fn::GetAtt': [id, 'Arn'] }) as string;
      const inline = (
        (stack.property(id, 'Policies') as Array<{ PolicyName: string; PolicyDocument: PolicyDocument }>) ??
        []
      ).map((p) => ({ name: p.PolicyName, policy: p.PolicyDocument, origin: origin(id) }));
      const awsManaged: string[] = [];
      const managed = ((stack.property(id, 'ManagedPolicyArns') as string[] | undefined) ?? []).flatMap(
        (policyArn) => {
          if (/^arn:aws[a-z-]*:iam::aws:policy\//.test(policyArn)) {
            awsManaged.push(policyArn);
            return [];
          }
          const vended = this.managedPolicy(policyArn);
          return [{ name: policyArn, policy: vended.policy, origin: vended.origin }];
        },
      );
      const boundaryArn = stack.property(id, 'PermissionsBoundary') as string | undefined;
      const boundary = boundaryArn ? this.managedPolicy(boundaryArn) : undefined;
      this.roles.set(arn, {
        arn,
        name,
        account: stack.accountId,
        trustPolicy: document(id, 'AssumeRolePolicyDocument'),
        identityPolicies: [
          ...inline,
          ...managed,
          ...attachments
            .filter((a) => a.roleName === name)
            .map(({ name: n, policy, origin: o }) => ({ name: n, policy, origin: o })),
        ],
        ...(boundary
          ? { permissionsBoundary: { name: boundary.arn, policy: boundary.policy, origin: boundary.origin } }
          : {}),
        awsManagedPolicyArns: awsManaged,
        origin: origin(id),
      });
    }

    for (const [id] of stack.resources('AWS::KMS::Key')) {
      const arn = `arn:${stack.partition}:kms:${stack.region}:${stack.accountId}:key/${keyIdFor(stack.accountId, id)}`;
      // Aliases whose TargetKeyId is this key (read unresolved: the key id itself is not deterministic).
      const aliases = stack
        .resources('AWS::KMS::Alias')
        .filter(([, alias]) => {
          const target = alias.Properties?.TargetKeyId as Record<string, unknown> | undefined;
          const getAtt = target?.['Fn::GetAtt'] as unknown[] | undefined;
          return target?.Ref === id || getAtt?.[0] === id;
        })
        .map(([aliasId]) => stack.stringProperty(aliasId, 'AliasName'));
      this.keys.set(arn, {
        arn,
        account: stack.accountId,
        policy: document(id, 'KeyPolicy'),
        aliases,
        origin: origin(id),
      });
    }

    for (const [id] of stack.resources('AWS::S3::BucketPolicy')) {
      const bucket = stack.stringProperty(id, 'Bucket');
      this.bucketPolicies.set(bucket, {
        bucket,
        account: stack.accountId,
        policy: document(id, 'PolicyDocument'),
        origin: origin(id),
      });
    }
  }
}

/** The account of an IAM ARN (`arn:aws:iam::ACCOUNT:role/NAME`). */
export function accountOf(arn: string): string {
  const account = arn.split(':')[4];
  if (!account || !/^\d{12}$/.test(account)) throw new Error(`No account id in ${arn}`);
  return account;
}
