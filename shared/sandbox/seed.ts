import { FULL_AWS_ACCESS_CONTENT, FULL_AWS_ACCESS_ID, STACKSET_ADMIN_ROLE } from './aws-constants';
import { accountId, next } from './ids';
import type { SandboxStateJson } from './state';

/** The organization's id and root id; fixed, as nothing is random in the sandbox. */
export const ORGANIZATION_ID = 'o-sandbox0001';
export const ROOT_ID = 'r-sbx1';
export const MANAGEMENT_EMAIL = 'sandbox-management@example.com';

/**
 * A fresh organization as a platform team would have it before appvend runs: all features on,
 * SCPs enabled, the AWS managed FullAWSAccess SCP on the root and the management account, and the
 * StackSets administration role in the management account (self-managed StackSets need it once).
 */
export function initialState(
  managementAccountId: string,
  now: number,
  adminRoleName: string = STACKSET_ADMIN_ROLE,
): SandboxStateJson {
  return {
    version: 1,
    counters: {
      account: 0,
      ou: 0,
      policy: 0,
      createAccount: 0,
      session: 0,
      stackSet: 0,
      stack: 0,
      operation: 0,
      conformancePack: 0,
    },
    organization: { id: ORGANIZATION_ID, rootId: ROOT_ID, managementAccountId, createdAt: now },
    accounts: {
      [managementAccountId]: {
        id: managementAccountId,
        name: 'management',
        email: MANAGEMENT_EMAIL,
        parentId: ROOT_ID,
        status: 'ACTIVE',
        joinedMethod: 'INVITED',
        joinedAt: now,
        // Assumed by the CloudFormation service only, so no account may assume it directly.
        roles: { [adminRoleName]: { name: adminRoleName, trustedAccounts: [] } },
      },
    },
    ous: {},
    policies: {
      [FULL_AWS_ACCESS_ID]: {
        id: FULL_AWS_ACCESS_ID,
        name: 'FullAWSAccess',
        description: 'Allows access to every operation',
        type: 'SERVICE_CONTROL_POLICY',
        content: FULL_AWS_ACCESS_CONTENT,
        awsManaged: true,
      },
    },
    attachments: [
      { policyId: FULL_AWS_ACCESS_ID, targetId: ROOT_ID },
      { policyId: FULL_AWS_ACCESS_ID, targetId: managementAccountId },
    ],
    tags: {},
    createAccountRequests: {},
    sessions: {},
    stackSets: {},
    stackInstances: {},
    operations: {},
    config: {},
  };
}

/**
 * Adds `count` ACTIVE member accounts under the root, as a large organization has them, straight
 * into a state (no CreateAccount requests, no clock): the cheap way to give the sandbox thousands
 * of accounts. They have no IAM role, so nothing enters them; their addresses are
 * `member-<n>@<domain>`. Returns the ids added, in the order ListAccounts lists them (after every
 * account already there). Load the state with `new Sandbox({ clock, state })`.
 */
export function addMemberAccounts(
  state: SandboxStateJson,
  count: number,
  options: { emailDomain?: string; joinedAt?: number } = {},
): string[] {
  if (!Number.isInteger(count) || count < 0)
    throw new RangeError(`count must be a whole number, not ${count}`);
  const domain = options.emailDomain ?? 'members.example.com';
  const joinedAt = options.joinedAt ?? state.organization.createdAt;
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const id = accountId(next(state, 'account'));
    state.accounts[id] = {
      id,
      name: `member-${i + 1}`,
      email: `member-${i + 1}@${domain}`,
      parentId: state.organization.rootId,
      status: 'ACTIVE',
      joinedMethod: 'CREATED',
      joinedAt,
      roles: {},
    };
    ids.push(id);
  }
  return ids;
}

/** The suspended OU `addSuspendedOu` makes: fixed ids outside the counters' ranges. */
export const SUSPENDED_OU_ID = 'ou-sbx1-suspended';
export const SUSPENDED_OU_NAME = 'Suspended';
export const DENY_ALL_POLICY_ID = 'p-denyallsuspended';
export const DENY_ALL_CONTENT = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Sid: 'DenyAll', Effect: 'Deny', Action: '*', Resource: '*' }],
});

/**
 * Adds, under the root, the OU a platform team keeps for accounts it retires ("Suspended") with an
 * SCP that denies every action, as an administrator would make them before offboarding anything
 * (CreateOrganizationalUnit, CreatePolicy, AttachPolicy): what the CLI's new sandbox organization
 * has, so that `appvend offboard` can be tried at once. Like any new OU it also has FullAWSAccess
 * (SCPs need an Allow at every level; the Deny then wins). Its ids are fixed and outside the
 * counters' ranges, so the ids every vend is given stay as they are without it. Returns the OU id.
 */
export function addSuspendedOu(state: SandboxStateJson): string {
  if (state.ous[SUSPENDED_OU_ID]) return SUSPENDED_OU_ID;
  state.ous[SUSPENDED_OU_ID] = {
    id: SUSPENDED_OU_ID,
    name: SUSPENDED_OU_NAME,
    parentId: state.organization.rootId,
  };
  state.policies[DENY_ALL_POLICY_ID] = {
    id: DENY_ALL_POLICY_ID,
    name: 'appvend-suspended-deny-all',
    description: 'Denies every action in the accounts of the Suspended OU',
    type: 'SERVICE_CONTROL_POLICY',
    content: DENY_ALL_CONTENT,
    awsManaged: false,
  };
  state.attachments.push(
    { policyId: FULL_AWS_ACCESS_ID, targetId: SUSPENDED_OU_ID },
    { policyId: DENY_ALL_POLICY_ID, targetId: SUSPENDED_OU_ID },
  );
  return SUSPENDED_OU_ID;
}

/**
 * The Identity Center an administrator of the sample organization set up before using appvend
 * (`events/application-request-access.json` names these): the CLI's fresh sandbox and the test
 * worlds have it, with trusted access for AWS Account Management (alternate contacts).
 */
export const SAMPLE_IDENTITY_CENTER = {
  groups: ['orders-developers', 'orders-oncall', 'orders-approvers'],
  permissionSets: ['AppvendDeveloper', 'ReadOnlyAccess', 'AppvendApprover'],
  trustedServices: ['account.amazonaws.com'],
} as const;
