import { Aws, Validations } from 'aws-cdk-lib';
import { PolicyDocument, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { NAME_PREFIX } from '../../shared/domain/naming';

export const STACK_SET_ADMINISTRATION_ROLE_NAME = `${NAME_PREFIX}-stackset-administration`;

export interface StackSetAdministrationRoleProps {
  /** The role StackSets assumes in each target account (`OrganizationAccountAccessRole` by default). */
  executionRoleName: string;
}

/**
 * The administration role of appvend's self-managed stack sets, passed with each CreateStackSet.
 * Only CloudFormation StackSets may assume it, only for `appvend-*` stack sets of this account, and
 * it may only assume the execution role, only in accounts of this organization.
 */
export class StackSetAdministrationRole extends Construct {
  public readonly role: Role;
  public readonly roleName = STACK_SET_ADMINISTRATION_ROLE_NAME;

  public constructor(scope: Construct, id: string, props: StackSetAdministrationRoleProps) {
    super(scope, id);
    this.role = new Role(this, 'Role', {
      roleName: STACK_SET_ADMINISTRATION_ROLE_NAME,
      description:
        'appvend: StackSets administration role; assumes the execution role in application accounts',
      assumedBy: new ServicePrincipal('cloudformation.amazonaws.com', {
        conditions: {
          StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID },
          ArnLike: {
            'aws:SourceArn': `arn:${Aws.PARTITION}:cloudformation:*:${Aws.ACCOUNT_ID}:stackset/${NAME_PREFIX}-*`,
          },
        },
      }),
      inlinePolicies: {
        AssumeExecutionRoleInOrganization: new PolicyDocument({
          statements: [
            new PolicyStatement({
              actions: ['sts:AssumeRole'],
              resources: [`arn:${Aws.PARTITION}:iam::*:role/${props.executionRoleName}`],
              conditions: { StringEquals: { 'aws:ResourceOrgID': '${aws:PrincipalOrgID}' } },
            }),
          ],
        }),
      },
    });
    Validations.of(this.role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:iam::*:role/${props.executionRoleName}]`,
      reason:
        "Target accounts are created by each vend, so their ids are not known here; the role name is fixed and aws:ResourceOrgID limits it to this organization's accounts.",
    });
  }
}
