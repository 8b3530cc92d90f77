import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import type { ClientFactory } from '../aws/client-factory';
import { DEFAULT_ACCOUNT_QUOTA } from '../domain/account-creation';
import { findRootId } from '../aws/organizations/organizational-unit';
import type { ExemptRoles } from '../domain/scp';
import {
  AccountQuotaEnv,
  OrganizationEnv,
  PolicyEnv,
  StackSetEnv,
  exemptRolesFrom,
  type EnvironmentOf,
} from './settings';
import { validateApplication } from './steps/validate';
import { planGuardrails, planStackSets } from './plan/deployment';
import { planAccounts, planOrganizationalUnit, planServiceControlPolicy } from './plan/organization';
import { planQuarantineRelease } from './plan/quarantine';
import {
  PLAN_ACTIONS,
  type AccountPlan,
  type Plan,
  type PlanAction,
  type PlanBlocker,
  type PlanStep,
} from './plan/types';
import { connectionAccess } from '../domain/connection';
import { RESERVED_STAGE } from '../request/schema';

export * from './plan/types';
export { GUARDRAILS_NOT_CHECKED } from './plan/deployment';

/** What the plan needs of the service's settings: those the steps it mirrors read. */
export interface PlanSettings {
  /** `APPVEND_PARENT_OU_ID`: where the OU is looked for; the root when unset. */
  parentOuId?: string;
  scpSizeQuota: number;
  scpAttachmentQuota: number;
  /** The roles the SCP exempts and protects (`APPVEND_MEMBER_ROLE`, `APPVEND_STACKSET_EXECUTION_ROLE_NAME`). */
  exemptRoles: ExemptRoles;
  /** `APPVEND_ACCOUNT_QUOTA`: the accounts the organization may hold (AWS's default 10 when unset). */
  accountQuota?: number;
  /** The guardrails stack set's `NotificationTopicArn` parameter (`APPVEND_NOTIFICATION_TOPIC_ARN`). */
  notificationTopicArn: string;
  /** The Region of stack instances (`AWS_REGION`). */
  region: string;
  /** Where the vended templates are (`APPVEND_TEMPLATES_DIR`); beside the code when unset. */
  templatesDir?: string;
  /**
   * Whether to read each member account's Config guardrails through the member role, as the
   * register-guardrails step does. The CLI does; the portal API does not hold sts:AssumeRole.
   */
  memberReads: boolean;
  /**
   * The most pages of ListAccounts (20 accounts each) the plan reads to find the accounts by
   * email; all of them when unset. The portal API's dry run sets it (DRY_RUN_ACCOUNT_PAGES): an
   * address not found within them is planned `unchecked`, with a note.
   */
  accountPages?: number;
}

/** The environment a process that plans reads its {@link PlanSettings} from. */
export const PlanEnv = {
  ...OrganizationEnv,
  ...PolicyEnv,
  ...AccountQuotaEnv,
  APPVEND_NOTIFICATION_TOPIC_ARN: StackSetEnv.APPVEND_NOTIFICATION_TOPIC_ARN,
  APPVEND_TEMPLATES_DIR: StackSetEnv.APPVEND_TEMPLATES_DIR,
  AWS_REGION: StackSetEnv.AWS_REGION,
};

/** {@link PlanSettings} from an environment parsed with {@link PlanEnv}. */
export function planSettingsFrom(
  env: EnvironmentOf<typeof PlanEnv>,
  options: { memberReads: boolean; accountPages?: number },
): PlanSettings {
  return {
    ...(env.APPVEND_PARENT_OU_ID && { parentOuId: env.APPVEND_PARENT_OU_ID }),
    scpSizeQuota: env.APPVEND_SCP_SIZE_QUOTA,
    scpAttachmentQuota: env.APPVEND_SCP_ATTACHMENT_QUOTA,
    exemptRoles: exemptRolesFrom(env),
    accountQuota: env.APPVEND_ACCOUNT_QUOTA,
    notificationTopicArn: env.APPVEND_NOTIFICATION_TOPIC_ARN,
    region: env.AWS_REGION,
    ...(env.APPVEND_TEMPLATES_DIR && { templatesDir: env.APPVEND_TEMPLATES_DIR }),
    memberReads: options.memberReads,
    ...(options.accountPages !== undefined && { accountPages: options.accountPages }),
  };
}

/** How many steps of the plan take each action. */
export function countActions(steps: readonly PlanStep[]): Record<PlanAction, number> {
  const counts = Object.fromEntries(PLAN_ACTIONS.map((a) => [a, 0])) as Record<PlanAction, number>;
  for (const step of steps) counts[step.action] += 1;
  return counts;
}

/**
 * What a vend of `input` would do, step by step in the vend's order, compared with the
 * organization as it is. The request is validated as the vend validates it (an
 * `InvalidRequestError` naming each field and rule); then only reads are made (Describe*, List*,
 * and AssumeRole into member accounts when `memberReads`): planning changes nothing.
 *
 * @example
 * const plan = await planVend(awsClients(), JSON.parse(text), settings);
 * plan.counts; // on a fresh organization: { create: 22, update: 0, attach: 0, adopt: 0, keep: 0, unchecked: 0 }
 */
export async function planVend(
  clients: ClientFactory,
  input: unknown,
  settings: PlanSettings,
): Promise<Plan> {
  const { request, accounts: specs } = validateApplication(input);
  const organizations = clients.organizations();
  const parentId = settings.parentOuId ?? (await findRootId(organizations));
  const ou = await planOrganizationalUnit(organizations, request, parentId);
  const [scp, accounts] = await Promise.all([
    planServiceControlPolicy(
      organizations,
      request,
      ou,
      {
        size: settings.scpSizeQuota,
        attachments: settings.scpAttachmentQuota,
      },
      settings.exemptRoles,
    ),
    planAccounts(organizations, specs, ou, {
      application: request.name,
      accountQuota: settings.accountQuota ?? DEFAULT_ACCOUNT_QUOTA,
      ...(settings.accountPages !== undefined && { accountPages: settings.accountPages }),
    }),
  ]);
  const [stackSets, guardrails, quarantine] = await Promise.all([
    planStackSets(clients.managementClient(CloudFormationClient), request, accounts.plans, settings),
    planGuardrails(clients, request, accounts.plans, settings.memberReads),
    planQuarantineRelease(organizations, accounts.plans),
  ]);
  const steps: PlanStep[] = [
    ou,
    scp.plan,
    ...accounts.plans,
    ...stackSets.steps,
    ...guardrails.steps,
    ...quarantine,
  ];
  const connection = planConnection(request.source.connectionArn, accounts.plans);
  return {
    application: request.name,
    steps,
    counts: countActions(steps),
    blockers: [...scp.blockers, ...accounts.blockers, ...stackSets.blockers, ...connection.blockers],
    notes: [...accounts.notes, ...guardrails.notes, ...connection.notes],
  };
}

/**
 * Whether the tooling account's pipeline can use the request's connection: one it can never use
 * (a codestar-connections connection of another account) stops the vend at DeployStackSets, as
 * the vend itself would; one that must be shared through AWS RAM is a note, since appvend can
 * neither check nor make the share.
 */
function planConnection(
  connectionArn: string,
  accounts: readonly AccountPlan[],
): { blockers: PlanBlocker[]; notes: string[] } {
  const tooling = accounts.find((a) => a.stage === RESERVED_STAGE);
  const access = connectionAccess(connectionArn, tooling?.id);
  if (access.kind === 'unusable')
    return { blockers: [{ step: 'DeployStackSets', message: access.message }], notes: [] };
  if (access.kind === 'shared') return { blockers: [], notes: [access.message] };
  return { blockers: [], notes: [] };
}

/** Plans vends of requests: what the portal API's dry run is given. */
export interface VendPlanner {
  plan(input: unknown): Promise<Plan>;
}

/** A {@link VendPlanner} over these clients and settings. */
export function vendPlanner(clients: ClientFactory, settings: PlanSettings): VendPlanner {
  return { plan: (input) => planVend(clients, input, settings) };
}
