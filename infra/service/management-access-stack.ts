import { Aws, CfnOutput, CfnParameter, Duration, Fn, Stack, type StackProps } from 'aws-cdk-lib';
import { AccountPrincipal, Role, SessionTagsPrincipal } from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import { grantPermissions } from './appvend-function';
import { FUNCTION_SESSION_TAG } from '../../shared/domain/management-access';
import {
  MANAGEMENT_READ_ROLE_NAME,
  MANAGEMENT_WRITE_ROLE_NAME,
  type ManagementAccessGrants,
  type ManagementGrant,
} from './management-access';
import type { StepPermission } from './step-permissions';

export interface AppvendManagementAccessStackProps extends StackProps {
  /** What the service stack's functions need here, collected as they were defined. */
  grants: ManagementAccessGrants;
  /** The account the AppvendService stack runs in; this account (one-account mode) when unset. */
  serviceAccountId?: string;
}

/**
 * The appvend stack of the organization's management account, and all appvend puts there: the
 * roles through which the service's functions (in the AppvendService stack, in a platform account)
 * make the calls AWS allows only from the management account. Each role trusts only the named
 * function roles of the service account that need it, within the organization, and carries exactly
 * the statements those functions' handlers need for those calls: the write role for the workflow's
 * steps, the read role for the functions that only read the organization. A function must name
 * itself in the `appvend:function` session tag (the trust admits no other value than its own
 * `aws:PrincipalArn`), and each statement holds only for the functions it belongs to
 * (`aws:PrincipalTag/appvend:function`): through the role, a function has its own permissions only.
 *
 * Deployment parameter: `OrganizationId`.
 */
export class AppvendManagementAccessStack extends Stack {
  public readonly roles: Role[];

  public constructor(scope: Construct, id: string, props: AppvendManagementAccessStackProps) {
    super(scope, id, {
      description:
        'appvend: the roles in the management account through which the appvend service makes the calls AWS allows only there',
      ...props,
    });
    // Logical id `OrganizationId`: the statements refer to it as ${OrganizationId} in Fn::Sub bodies.
    const organizationId = new CfnParameter(this, 'OrganizationId', {
      type: 'String',
      description:
        'The AWS Organizations organization id (o-...): scopes Organizations ARNs and who may assume the roles.',
      allowedPattern: '^o-[a-z0-9]{10,32}$',
      constraintDescription: 'must be an organization id such as o-a1b2c3d4e5',
    });
    const serviceAccount = props.serviceAccountId ?? Aws.ACCOUNT_ID;

    const describe: Record<string, string> = {
      [MANAGEMENT_WRITE_ROLE_NAME]:
        "The appvend workflow's Organizations, Account Management and Identity Center calls, and its entry into application accounts",
      [MANAGEMENT_READ_ROLE_NAME]:
        "appvend's reads of the organization (the portal's dry run, the scheduled reconcile's plan)",
    };
    this.roles = [];
    for (const roleName of [MANAGEMENT_WRITE_ROLE_NAME, MANAGEMENT_READ_ROLE_NAME]) {
      const grants = props.grants.grantsOf(roleName);
      if (grants.length === 0) continue;
      const functionRoleArn = (name: string) =>
        Fn.sub(`arn:\${AWS::Partition}:iam::\${ServiceAccount}:role/${name}`, {
          ServiceAccount: serviceAccount,
        });
      const functionRoles = grants.map((g) => functionRoleArn(g.functionRoleName));
      // The service account, narrowed to the named roles (aws:PrincipalArn) in this organization:
      // naming a role ARN as the Principal instead would make IAM refuse this stack until the
      // service stack's roles exist, and break the trust when one is replaced (AWS keeps the
      // principal's unique id, not its ARN).
      const role = new Role(this, roleName === MANAGEMENT_WRITE_ROLE_NAME ? 'Access' : 'Read', {
        roleName,
        description: describe[roleName],
        maxSessionDuration: Duration.hours(1),
        // sts:TagSession too: the caller passes its own ARN in the function tag, and nothing else.
        assumedBy: new SessionTagsPrincipal(
          new AccountPrincipal(serviceAccount).withConditions({
            ArnEquals: { 'aws:PrincipalArn': functionRoles },
            StringEquals: {
              'aws:PrincipalOrgID': organizationId.valueAsString,
              [`aws:RequestTag/${FUNCTION_SESSION_TAG}`]: '${aws:PrincipalArn}',
            },
            'ForAllValues:StringEquals': { 'aws:TagKeys': [FUNCTION_SESSION_TAG] },
          }),
        ),
      });
      grantPermissions(role, roleName, mergeGrants(grants, functionRoleArn));
      this.roles.push(role);
      new CfnOutput(this, `${roleName === MANAGEMENT_WRITE_ROLE_NAME ? 'Access' : 'Read'}RoleArn`, {
        value: role.roleArn,
        description: `${describe[roleName]}; assumed by ${grants.map((g) => g.functionRoleName).join(', ')}`,
      });
    }
  }
}

/**
 * The statements of every grant, each once, and each only for the functions whose statement it is
 * (`aws:PrincipalTag/appvend:function` among their role ARNs): statements of several functions that
 * are the same (actions, resources, conditions) are one; a statement id used by two different
 * statements gets the second function's name appended, so that each stays readable in the policy.
 */
export function mergeGrants(
  grants: readonly ManagementGrant[],
  functionRoleArn: (roleName: string) => string,
): StepPermission[] {
  const byContent = new Map<string, StepPermission>();
  const users = new Map<string, string[]>();
  const sids = new Set<string>();
  for (const { functionRoleName, permissions } of grants) {
    for (const permission of permissions) {
      const key = JSON.stringify([
        [...permission.actions].sort(),
        [...permission.resources].sort(),
        permission.conditions ?? {},
      ]);
      users.set(key, [...(users.get(key) ?? []), functionRoleName]);
      if (byContent.has(key)) continue;
      let sid = permission.sid;
      if (sids.has(sid)) {
        sid = `${sid}For${functionRoleName
          .replace(/^appvend-/, '')
          .split('-')
          .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
          .join('')}`;
      }
      sids.add(sid);
      byContent.set(key, { ...permission, sid });
    }
  }
  return [...byContent].map(([key, permission]) => {
    const conditions = permission.conditions ?? {};
    return {
      ...permission,
      conditions: {
        ...conditions,
        StringEquals: {
          ...conditions.StringEquals,
          [`aws:PrincipalTag/${FUNCTION_SESSION_TAG}`]: [...new Set(users.get(key))].map(functionRoleArn),
        },
      },
    };
  });
}
