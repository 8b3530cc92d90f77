import { Stack } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import {
  MANAGEMENT_READ_ROLE_NAME,
  MANAGEMENT_ROLE_ENV,
  MANAGEMENT_WRITE_ROLE_NAME,
} from '../../shared/domain/management-access';
import type { StepPermission } from './step-permissions';

export { MANAGEMENT_READ_ROLE_NAME, MANAGEMENT_ROLE_ENV, MANAGEMENT_WRITE_ROLE_NAME };

/*
 * Which of a function's permissions are calls AWS allows only from the management account, and
 * so go through the roles of the AppvendManagementAccess stack rather than the function's own role:
 * - AWS Organizations (every call: a member account that is no delegated administrator is refused
 *   even ListAccounts, and CreateAccount, MoveAccount, CreateOrganizationalUnit, CloseAccount are
 *   the management account's only);
 * - AWS Account Management's alternate contacts of another account (`AccountId`): the management
 *   account or a delegated administrator of Account Management;
 * - IAM Identity Center (sso, identitystore): the organization instance lives in the management
 *   account, and the sandbox, like appvend's documentation, has no delegated administrator for it;
 * - sts:AssumeRole of the access role, for the readiness probe: CreateAccount makes
 *   OrganizationAccountAccessRole trusting the management account only, so the first entry into a
 *   member account chains through the role. Later entries use the member access role the baseline
 *   makes, with the function's own role (`assumeMemberAccessRole`, shared/domain/member-access.ts).
 * Cited in docs/aws-behaviours.md ("Out of the management account").
 */
const MANAGEMENT_SERVICES = new Set(['organizations', 'account', 'sso', 'identitystore']);

/** The member access role statement (`assumeMemberRole`): it chains through the management role. */
const MEMBER_ROLE_SID = 'AssumeMemberRoleInOrganization';

/** Whether every action of the statement is a call that goes through the management role. */
export function isManagementPermission(permission: StepPermission): boolean {
  const management = permission.actions.map(
    (action) => permission.sid === MEMBER_ROLE_SID || MANAGEMENT_SERVICES.has(action.split(':')[0] ?? ''),
  );
  if (management.every(Boolean)) return true;
  if (!management.some(Boolean)) return false;
  throw new Error(
    `Permission ${permission.sid} mixes management-account calls with others: split it (${permission.actions.join(', ')})`,
  );
}

/** Reads only: List*, Describe*, Get* (the plan's and the reconcile's reads). */
const isRead = (action: string): boolean => /^[a-z-]+:(List|Describe|Get)[A-Za-z]*$/.test(action);

/** The function's own permissions, and those that go through a management role. */
export function splitPermissions(permissions: readonly StepPermission[]): {
  service: StepPermission[];
  management: StepPermission[];
} {
  const management = permissions.filter(isManagementPermission);
  return { service: permissions.filter((p) => !isManagementPermission(p)), management };
}

/** The role a function's management calls go through: the read role when it only reads. */
export function managementRoleFor(management: readonly StepPermission[]): string | undefined {
  if (management.length === 0) return undefined;
  const readsOnly = management.every((p) => p.actions.every(isRead));
  return readsOnly ? MANAGEMENT_READ_ROLE_NAME : MANAGEMENT_WRITE_ROLE_NAME;
}

/** One function's grant: its role's name and the statements it needs through the role. */
export interface ManagementGrant {
  functionRoleName: string;
  permissions: StepPermission[];
}

/**
 * What the service stack's functions need in the management account, collected as they are
 * defined, for the management stack to build its roles from: the roles trust exactly these
 * function roles, and carry exactly these statements.
 */
export class ManagementAccessGrants {
  private readonly byRole = new Map<string, ManagementGrant[]>();

  public constructor(
    /** The management role ARN a function is given, as a CloudFormation value (name → ARN). */
    public readonly roleArn: (roleName: string) => string,
  ) {}

  /** Records a function's management permissions; returns the role it goes through, if any. */
  public register(functionRoleName: string, management: StepPermission[]): string | undefined {
    const role = managementRoleFor(management);
    if (role === undefined) return undefined;
    const grants = this.byRole.get(role) ?? [];
    grants.push({ functionRoleName, permissions: management });
    this.byRole.set(role, grants);
    return role;
  }

  /** The grants of one management role, in the order the functions were defined. */
  public grantsOf(roleName: string): readonly ManagementGrant[] {
    return this.byRole.get(roleName) ?? [];
  }
}

const registries = new WeakMap<Stack, ManagementAccessGrants>();

/** Makes the functions defined in `stack` from now on go through the management roles. */
export function useManagementAccess(stack: Stack, grants: ManagementAccessGrants): void {
  registries.set(stack, grants);
}

/** The registry of the construct's stack, if its functions go through the management roles. */
export function managementAccessOf(construct: IConstruct): ManagementAccessGrants | undefined {
  return registries.get(Stack.of(construct));
}
