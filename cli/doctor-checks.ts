import {
  DescribeOrganizationCommand,
  DescribeOrganizationalUnitCommand,
  DescribePolicyCommand,
  ListAWSServiceAccessForOrganizationCommand,
  ListAccountsCommand,
  ListOrganizationalUnitsForParentCommand,
  ListPoliciesForTargetCommand,
  ListRootsCommand,
  type Root,
} from '@aws-sdk/client-organizations';
import { GetBucketPolicyCommand, S3Client } from '@aws-sdk/client-s3';
import { awsClients, managementClient } from '../shared/aws/client-factory';
import { collectByToken } from '../shared/aws/paginate';
import { DEFAULT_ACCOUNT_QUOTA } from '../shared/domain/account-creation';
import { policyWildcard } from '../shared/sandbox/policy-wildcard';
import { stackSetsChecks } from './doctor-stack-sets';
import type { ServiceStack } from './stack-outputs';

/**
 * The checks of `appvend doctor`: each prerequisite docs/deploy.md lists, read from AWS with
 * read calls only (Describe*, List*, Get*), one result each.
 */

/**
 * `ok`; `missing`: a vend would stop (exit 1); `warn`: a vend goes through but something else
 * fails (offboarding, the pipeline's use of the connection); `info`: nothing to fix.
 */
export type CheckStatus = 'ok' | 'missing' | 'warn' | 'info';

export interface CheckResult {
  name: string;
  status: CheckStatus;
  detail: string;
  /** The command (or setting) that fixes it, when not ok. */
  fix?: string;
}

export interface DoctorContext {
  /** The deployed service stack, when the backend has one (undefined: none; null: not looked at). */
  stack: ServiceStack | undefined | null;
  stackName: string;
  /** The accounts a default request creates: tooling + test + prod. */
  accountsPerVend?: number;
}

const DENY_ALL_SCP =
  '\'{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*"}]}\'';

const errorName = (error: unknown): string => (error as { name?: string }).name ?? 'Error';

/** A statement list, whatever form the document gives it in. */
function statementsOf(document: string): Record<string, unknown>[] {
  try {
    const parsed = JSON.parse(document) as { Statement?: unknown };
    const list = Array.isArray(parsed.Statement) ? parsed.Statement : [parsed.Statement];
    return list.filter((s): s is Record<string, unknown> => typeof s === 'object' && s !== null);
  } catch {
    return [];
  }
}

const listOf = (value: unknown): string[] =>
  (Array.isArray(value) ? value : value === undefined ? [] : [value]).map(String);

/** An SCP that denies every action on every resource, unconditionally. */
export function deniesEverything(content: string): boolean {
  return statementsOf(content).some(
    (s) =>
      s.Effect === 'Deny' &&
      listOf(s.Action).includes('*') &&
      listOf(s.Resource).includes('*') &&
      s.Condition === undefined,
  );
}

/**
 * Whether a bucket policy lets IAM roles of other accounts (the recorder roles appvend creates)
 * put Config's objects: an Allow of s3:PutObject on `AWSLogs/<account>/Config/…` to an AWS
 * principal. A grant to the `config.amazonaws.com` service principal alone is not enough: Config
 * delivers as the recorder's role first, and the service principal is no member of the
 * organization (see docs/aws-behaviours.md, "AWS Config").
 */
export function admitsRecorderRoles(policy: string, bucket: string): boolean {
  const key = `arn:aws:s3:::${bucket}/AWSLogs/123456789012/Config/ConfigWritabilityCheckFile`;
  return statementsOf(policy).some((s) => {
    if (s.Effect !== 'Allow') return false;
    const principal = s.Principal;
    const awsPrincipal =
      principal === '*' || (typeof principal === 'object' && principal !== null && 'AWS' in principal);
    return (
      awsPrincipal &&
      listOf(s.Action).some((a) => policyWildcard(a, 'i').test('s3:PutObject')) &&
      listOf(s.Resource).some((r) => policyWildcard(r).test(key))
    );
  });
}

/**
 * The management role (APPVEND_MANAGEMENT_ROLE_ARN) exists and trusts this caller: AssumeRole, as
 * the service's functions do before any Organizations call.
 */
async function managementRoleCheck(roleArn: string): Promise<CheckResult> {
  try {
    // As the functions assume it: naming the caller in the function session tag.
    await awsClients().managementRoleSession();
    return { name: 'management role', status: 'ok', detail: `${roleArn} can be assumed` };
  } catch (error) {
    return {
      name: 'management role',
      status: 'missing',
      detail: `AssumeRole of ${roleArn} (APPVEND_MANAGEMENT_ROLE_ARN) failed: ${errorName(error)}; the role does not exist or does not trust this caller`,
      fix: 'deploy the AppvendManagementAccess stack in the management account (docs/deploy.md), and run appvend as a principal it trusts, or unset APPVEND_MANAGEMENT_ROLE_ARN with credentials of the management account',
    };
  }
}

/** Runs every check; the order is the guide's. */
export async function runDoctorChecks(context: DoctorContext): Promise<CheckResult[]> {
  const organizations = awsClients().organizations();
  const results: CheckResult[] = [];
  const { account: caller } = await awsClients().identity();
  // With a management role (APPVEND_MANAGEMENT_ROLE_ARN), the organization is read through it:
  // first whether this caller may assume it at all.
  const managementRole = awsClients().managementRoleArn;
  if (managementRole !== undefined) {
    const check = await managementRoleCheck(managementRole);
    results.push(check);
    if (check.status !== 'ok') return results;
  }
  const acting = managementRole === undefined ? caller : managementRole.split(':')[4];

  let organization;
  try {
    ({ Organization: organization } = await organizations.send(new DescribeOrganizationCommand({})));
  } catch (error) {
    results.push({
      name: 'organization',
      status: 'missing',
      detail: `DescribeOrganization failed: ${errorName(error)}`,
      fix: 'aws organizations create-organization --feature-set ALL (from the account that will be the management account)',
    });
    return results;
  }
  const management = organization?.MasterAccountId;
  results.push(
    management === acting
      ? {
          name: 'management account',
          status: 'ok',
          detail: `${acting} is the management account of ${organization?.Id}${managementRole ? ` (through ${managementRole})` : ''}`,
        }
      : {
          name: 'management account',
          status: 'missing',
          detail: managementRole
            ? `the management role ${managementRole} is not in the management account (${management}): CreateAccount and MoveAccount work only there`
            : `the caller's account ${caller} is not the management account (${management}): CreateAccount and MoveAccount work only there`,
          fix: managementRole
            ? 'set APPVEND_MANAGEMENT_ROLE_ARN to the appvend-management-access role of the AppvendManagementAccess stack in the management account'
            : 'run appvend with credentials of the management account (aws sts get-caller-identity shows whose they are)',
        },
  );
  results.push(
    organization?.FeatureSet === 'ALL'
      ? { name: 'all features', status: 'ok', detail: 'the organization has all features enabled' }
      : {
          name: 'all features',
          status: 'missing',
          detail: `feature set ${organization?.FeatureSet ?? 'unknown'}: SCPs need all features`,
          fix: 'aws organizations enable-all-features (every member account must approve)',
        },
  );
  // Service-managed stack sets: trusted access, and the account appvend runs in registered as
  // their delegated administrator when that is not the management account.
  results.push(...(await stackSetsChecks(caller ?? '', management ?? '')));
  if (management !== caller) return results;

  const { Roots: [root] = [] } = await organizations.send(new ListRootsCommand({}));
  results.push(scpCheck(root));
  const rootId = root?.Id ?? '';

  results.push(await parentOuCheck(rootId));
  results.push(await suspendedOuCheck(rootId));
  results.push(await accountQuotaCheck(context.accountsPerVend ?? 3));
  results.push(await configBucketCheck(caller ?? ''));
  results.push(await ramSharingCheck());
  results.push(stackCheck(context));
  return results;
}

function scpCheck(root: Root | undefined): CheckResult {
  const enabled = root?.PolicyTypes?.some(
    (t) => t.Type === 'SERVICE_CONTROL_POLICY' && t.Status === 'ENABLED',
  );
  return enabled
    ? { name: 'SCP policy type', status: 'ok', detail: `service control policies are enabled on ${root?.Id}` }
    : {
        name: 'SCP policy type',
        status: 'missing',
        detail:
          'service control policies are not enabled on the root: appvend attaches an SCP to every application OU',
        fix: `aws organizations enable-policy-type --root-id ${root?.Id ?? '<root id>'} --policy-type SERVICE_CONTROL_POLICY`,
      };
}

async function parentOuCheck(rootId: string): Promise<CheckResult> {
  const parent = process.env.APPVEND_PARENT_OU_ID;
  if (parent === undefined || parent === rootId) {
    return { name: 'parent OU', status: 'ok', detail: `application OUs go under the root ${rootId}` };
  }
  try {
    await awsClients()
      .organizations()
      .send(new DescribeOrganizationalUnitCommand({ OrganizationalUnitId: parent }));
    return { name: 'parent OU', status: 'ok', detail: `application OUs go under ${parent}` };
  } catch (error) {
    return {
      name: 'parent OU',
      status: 'missing',
      detail: `APPVEND_PARENT_OU_ID (parentOuId) is ${parent}, which DescribeOrganizationalUnit does not find (${errorName(error)})`,
      fix: `set parentOuId to an existing OU (aws organizations list-organizational-units-for-parent --parent-id ${rootId})`,
    };
  }
}

async function suspendedOuCheck(rootId: string): Promise<CheckResult> {
  const organizations = awsClients().organizations();
  const name = 'suspended OU';
  const create =
    `aws organizations create-organizational-unit --parent-id ${rootId} --name Suspended; ` +
    `aws organizations create-policy --type SERVICE_CONTROL_POLICY --name appvend-deny-all --description "Deny everything" --content ${DENY_ALL_SCP}; ` +
    'aws organizations attach-policy --policy-id <policy id> --target-id <OU id>; then set suspendedOuId (APPVEND_SUSPENDED_OU_ID)';
  let ouId = process.env.APPVEND_SUSPENDED_OU_ID;
  let how = 'APPVEND_SUSPENDED_OU_ID';
  if (ouId === undefined) {
    // Not configured: look for the conventional name under the root, to say what to set.
    const ous = await collectByToken(async (token) => {
      const page = await organizations.send(
        new ListOrganizationalUnitsForParentCommand({ ParentId: rootId, NextToken: token }),
      );
      return { items: page.OrganizationalUnits ?? [], next: page.NextToken };
    });
    ouId = ous.find((ou) => ou.Name?.toLowerCase() === 'suspended')?.Id;
    how = 'found by its name Suspended under the root; set suspendedOuId to it';
    if (ouId === undefined) {
      return {
        name,
        status: 'warn',
        detail:
          'no suspended OU is configured or found (offboarding stops at its first step without one; a vend does not need it)',
        fix: create,
      };
    }
  } else {
    try {
      await organizations.send(new DescribeOrganizationalUnitCommand({ OrganizationalUnitId: ouId }));
    } catch (error) {
      return {
        name,
        status: 'warn',
        detail: `APPVEND_SUSPENDED_OU_ID is ${ouId}, which DescribeOrganizationalUnit does not find (${errorName(error)}); offboarding stops without it`,
        fix: create,
      };
    }
  }
  const policies = await collectByToken(async (token) => {
    const page = await organizations.send(
      new ListPoliciesForTargetCommand({
        TargetId: ouId,
        Filter: 'SERVICE_CONTROL_POLICY',
        NextToken: token,
      }),
    );
    return { items: page.Policies ?? [], next: page.NextToken };
  });
  for (const policy of policies) {
    const { Policy } = await organizations.send(new DescribePolicyCommand({ PolicyId: policy.Id }));
    if (deniesEverything(Policy?.Content ?? '')) {
      return { name, status: 'ok', detail: `${ouId} (${how}) has the deny-all SCP ${policy.Id}` };
    }
  }
  return {
    name,
    status: 'warn',
    detail: `${ouId} (${how}) has no SCP that denies everything: suspended accounts could still be used`,
    fix:
      `aws organizations create-policy --type SERVICE_CONTROL_POLICY --name appvend-deny-all --description "Deny everything" --content ${DENY_ALL_SCP}; ` +
      `aws organizations attach-policy --policy-id <policy id> --target-id ${ouId}`,
  };
}

async function accountQuotaCheck(accountsPerVend: number): Promise<CheckResult> {
  const organizations = awsClients().organizations();
  const accounts = await collectByToken(async (token) => {
    const page = await organizations.send(new ListAccountsCommand({ NextToken: token }));
    return { items: page.Accounts ?? [], next: page.NextToken };
  });
  const raw = process.env.APPVEND_ACCOUNT_QUOTA;
  const quota = raw === undefined ? DEFAULT_ACCOUNT_QUOTA : Number(raw);
  const source = raw === undefined ? `AWS's default ${DEFAULT_ACCOUNT_QUOTA}` : 'accountQuota';
  const room = quota - accounts.length;
  const detail = `${accounts.length} accounts (closed ones count until permanently closed), quota ${quota} (${source}): room for ${Math.max(room, 0)}`;
  return room >= accountsPerVend
    ? { name: 'account quota', status: 'ok', detail }
    : {
        name: 'account quota',
        status: 'missing',
        detail: `${detail}; a vend of tooling + 2 stages needs ${accountsPerVend}`,
        fix:
          'request an increase of "Default maximum number of accounts" in Service Quotas (us-east-1; ' +
          'aws service-quotas list-service-quotas --service-code organizations --region us-east-1 names its code, then ' +
          'aws service-quotas request-service-quota-increase --service-code organizations --quota-code <code> --desired-value <n> --region us-east-1), ' +
          'then set accountQuota to the applied value',
      };
}

async function configBucketCheck(management: string): Promise<CheckResult> {
  const bucket = process.env.APPVEND_CONFIG_BUCKET ?? `appvend-config-${management}`;
  const name = 'Config delivery bucket';
  const fix =
    `aws s3api put-bucket-policy --bucket ${bucket} --policy file://config-bucket-policy.json ` +
    '(the policy in docs/deploy.md, "Config delivery bucket")';
  let policy: string | undefined;
  try {
    ({ Policy: policy } = await managementClient(S3Client).send(
      new GetBucketPolicyCommand({ Bucket: bucket }),
    ));
  } catch (error) {
    const reason = errorName(error);
    if (reason === 'NoSuchBucket') {
      return {
        name,
        status: 'missing',
        detail: `${bucket} does not exist: Config cannot deliver from the accounts where appvend creates the recorder`,
        fix: `aws s3api create-bucket --bucket ${bucket}; ${fix}; set the stack's ConfigDeliveryBucket parameter (APPVEND_CONFIG_BUCKET)`,
      };
    }
    if (reason === 'NoSuchBucketPolicy') {
      return {
        name,
        status: 'missing',
        detail: `${bucket} has no bucket policy: member accounts' recorders cannot deliver`,
        fix,
      };
    }
    if (reason === 'AccessDenied' || reason === 'AccessDeniedException') {
      return {
        name,
        status: 'warn',
        detail: `${bucket}'s policy cannot be read from this account (AccessDenied: another account's bucket?); not checked`,
        fix: `check from the bucket's account: aws s3api get-bucket-policy --bucket ${bucket}`,
      };
    }
    throw error;
  }
  return admitsRecorderRoles(policy ?? '', bucket)
    ? { name, status: 'ok', detail: `${bucket}'s policy lets the member accounts' recorder roles deliver` }
    : {
        name,
        status: 'missing',
        detail: `${bucket}'s policy does not let IAM roles of member accounts put AWSLogs/<account>/Config/ objects`,
        fix,
      };
}

async function ramSharingCheck(): Promise<CheckResult> {
  const { EnabledServicePrincipals = [] } = await awsClients()
    .organizations()
    .send(new ListAWSServiceAccessForOrganizationCommand({}));
  return EnabledServicePrincipals.some((p) => p.ServicePrincipal === 'ram.amazonaws.com')
    ? {
        name: 'RAM sharing in the organization',
        status: 'ok',
        detail: 'the tooling accounts use the shared connection with no invitation',
      }
    : {
        name: 'RAM sharing in the organization',
        status: 'warn',
        detail:
          'sharing within the organization is not enabled: the connection appvend shares reaches a tooling account only as an invitation it must accept',
        fix: 'aws ram enable-sharing-with-aws-organization',
      };
}

const HEALTHY_STACK = /^(CREATE|UPDATE|IMPORT)_COMPLETE$|^UPDATE_ROLLBACK_COMPLETE$/;

function stackCheck({ stack, stackName }: DoctorContext): CheckResult {
  const name = 'service stack';
  if (stack === null) {
    return { name, status: 'info', detail: 'the sandbox runs the workflow in the CLI; no service stack' };
  }
  if (stack === undefined) {
    return {
      name,
      status: 'info',
      detail: `no stack ${stackName} here: the CLI runs vends itself; the portal, EventBridge and Service Catalog doors need it`,
      fix: 'npx cdk deploy AppvendService (docs/deploy.md)',
    };
  }
  return HEALTHY_STACK.test(stack.status)
    ? {
        name,
        status: 'ok',
        detail: `${stackName} is ${stack.status}; the settings come from its ${Object.keys(stack.outputs).length} outputs`,
      }
    : {
        name,
        status: 'missing',
        detail: `${stackName} is ${stack.status}: the service's doors and workflow may not be in place`,
        fix: `aws cloudformation describe-stack-events --stack-name ${stackName}; then npx cdk deploy AppvendService`,
      };
}

/** One line per check, as `appvend doctor` prints them. */
export function formatCheck(result: CheckResult): string {
  const mark = { ok: 'ok     ', missing: 'MISSING', warn: 'WARN   ', info: 'info   ' }[result.status];
  return `${mark} ${result.name}: ${result.detail}${result.fix ? ` — fix: ${result.fix}` : ''}`;
}
