import { serviceAccount } from '../aws/service-account';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { RAMClient } from '@aws-sdk/client-ram';
import { RAM_REGION, planConnectionShare } from '../aws/connection-share';
import { connectionShareName } from '../domain/naming';
import type { ClientFactory } from '../aws/client-factory';
import { DEFAULT_ACCOUNT_QUOTA } from '../domain/account-creation';
import { findRootId } from '../aws/organizations/organizational-unit';
import type { ExemptRoles } from '../domain/scp';
import {
  AccountQuotaEnv,
  IdentityCenterEnv,
  OrganizationEnv,
  PolicyEnv,
  StackSetEnv,
  StackSetModeEnv,
  exemptRolesFrom,
  type EnvironmentOf,
} from './settings';
import { validateApplication, withRecorded } from './steps/validate';
import { optional } from './environment-variables';
import { planGuardrails, planStackSets } from './plan/deployment';
import { stackSetsCallAs, type StackSetsMode } from '../aws/stack-set-permissions';
import { planAccounts, planOrganizationalUnit, planServiceControlPolicy } from './plan/organization';
import { planAccess } from './plan/access';
import { planQuarantineRelease } from './plan/quarantine';
import {
  PLAN_ACTIONS,
  type AccountPlan,
  type Plan,
  type PlanAction,
  type PlanBlocker,
  type PlanStep,
  type ConnectionSharePlan,
} from './plan/types';
import { ConnectionShareConflictError } from '../errors';
import type { ApplicationRequest } from '../request/schema';
import { connectionAccess } from '../domain/connection';
import type { MadeAccess } from '../domain/access';
import { RESERVED_STAGE } from '../domain/naming';

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
  /**
   * The management account (`APPVEND_MANAGEMENT_ACCOUNT_ID`). A codeconnections connection of the
   * account appvend runs in (this one, or with a management role the platform account STS names) is
   * shared with the tooling account by the vend. Unset: every connection of another account than
   * tooling is a note (share it by hand).
   */
  managementAccountId?: string;
  /** `APPVEND_IDENTITY_CENTER_INSTANCE_ARN`: the instance; the only one visible when unset. */
  identityCenterInstanceArn?: string;
  /** `APPVEND_STACKSETS_MODE`: SELF_MANAGED when unset. */
  stackSetsMode?: StackSetsMode;
}

/** The environment a process that plans reads its {@link PlanSettings} from. */
export const PlanEnv = {
  ...OrganizationEnv,
  ...PolicyEnv,
  ...AccountQuotaEnv,
  APPVEND_NOTIFICATION_TOPIC_ARN: StackSetEnv.APPVEND_NOTIFICATION_TOPIC_ARN,
  APPVEND_TEMPLATES_DIR: StackSetEnv.APPVEND_TEMPLATES_DIR,
  AWS_REGION: StackSetEnv.AWS_REGION,
  APPVEND_MANAGEMENT_ACCOUNT_ID: optional(StackSetEnv.APPVEND_MANAGEMENT_ACCOUNT_ID),
  ...StackSetModeEnv,
  ...IdentityCenterEnv,
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
    ...(env.APPVEND_MANAGEMENT_ACCOUNT_ID && { managementAccountId: env.APPVEND_MANAGEMENT_ACCOUNT_ID }),
    ...(env.APPVEND_IDENTITY_CENTER_INSTANCE_ARN && {
      identityCenterInstanceArn: env.APPVEND_IDENTITY_CENTER_INSTANCE_ARN,
    }),
    stackSetsMode: env.APPVEND_STACKSETS_MODE,
  };
}

/** How many steps of the plan take each action. */
export function countActions(steps: readonly PlanStep[]): Record<PlanAction, number> {
  const counts = Object.fromEntries(PLAN_ACTIONS.map((a) => [a, 0])) as Record<PlanAction, number>;
  for (const step of steps) counts[step.action] += 1;
  return counts;
}

/**
 * What the ledger holds of the application's earlier vend, when there is one: the plan looks where
 * the vend would look (the recorded OU and accounts), rather than reading the whole organization.
 */
export interface EarlierVend {
  /** What appvend made of the application's access before: what the request drops is planned `remove`. */
  accessMade?: MadeAccess;
  /** The ids the earlier vend recorded (the ledger record's `ids`). */
  recorded?: { organizationalUnit?: string; accounts?: Readonly<Record<string, string>> };
}

/**
 * What a vend of `input` would do, step by step in the vend's order, compared with the
 * organization as it is. The request is validated as the vend validates it (an
 * `InvalidRequestError` naming each field and rule); then only reads are made (Describe*, List*,
 * and AssumeRole into member accounts when `memberReads`): planning changes nothing.
 *
 * @example
 * const plan = await planVend(awsClients(), JSON.parse(text), settings);
 * plan.counts; // on a fresh organization: { create: 23, update: 0, attach: 0, adopt: 0, remove: 0, keep: 0, unchecked: 0 }
 */
export async function planVend(
  clients: ClientFactory,
  input: unknown,
  settings: PlanSettings,
  earlier: EarlierVend = {},
): Promise<Plan> {
  const made = earlier.accessMade;
  const {
    request,
    accounts: specs,
    recordedOuId,
  } = withRecorded(validateApplication(input), earlier.recorded);
  const organizations = clients.organizations();
  const parentId = settings.parentOuId ?? (await findRootId(organizations));
  const ou = await planOrganizationalUnit(organizations, request, parentId, recordedOuId);
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
  const [stackSets, connection, guardrails, quarantine, access] = await Promise.all([
    planStackSets(clients.managementClient(CloudFormationClient), request, accounts.plans, {
      ...settings,
      // Service-managed stack sets are read as the vend reaches them (SELF or DELEGATED_ADMIN).
      callAs: await stackSetsCallAs(clients, {
        mode: settings.stackSetsMode ?? 'SELF_MANAGED',
        ...(settings.managementAccountId && { managementAccountId: settings.managementAccountId }),
      }),
    }),
    planConnection(clients, request, accounts.plans, settings.managementAccountId),
    planGuardrails(clients, request, accounts.plans, settings.memberReads),
    planQuarantineRelease(organizations, accounts.plans),
    planAccess(clients, request, accounts.plans, settings.identityCenterInstanceArn, made),
  ]);
  const steps: PlanStep[] = [
    ou,
    scp.plan,
    ...accounts.plans,
    ...beforePipeline(stackSets.steps, connection.steps),
    ...guardrails.steps,
    ...access.steps,
    ...quarantine,
  ];
  return {
    application: request.name,
    steps,
    counts: countActions(steps),
    blockers: [
      ...access.blockers,
      ...scp.blockers,
      ...accounts.blockers,
      ...stackSets.blockers,
      ...connection.blockers,
    ],
    notes: [...accounts.notes, ...guardrails.notes, ...connection.notes, ...access.notes],
  };
}

/** The connection's share goes just before the pipeline's stack set, as the vend makes it. */
function beforePipeline(stackSetSteps: readonly PlanStep[], shareSteps: readonly PlanStep[]): PlanStep[] {
  const at = stackSetSteps.findIndex((s) => s.kind === 'stack-set' && s.template === 'pipeline');
  if (at < 0) return [...stackSetSteps, ...shareSteps];
  return [...stackSetSteps.slice(0, at), ...shareSteps, ...stackSetSteps.slice(at)];
}

/**
 * Whether the tooling account's pipeline can use the request's connection: one it can never use
 * (a codestar-connections connection of another account) stops the vend at DeployStackSets, as
 * the vend itself would; one of the account appvend runs in is a step (the vend shares it through
 * AWS RAM: create, add what the share lacks, or keep); one of any other account is a note (shared
 * by hand).
 */
async function planConnection(
  clients: ClientFactory,
  request: ApplicationRequest,
  accounts: readonly AccountPlan[],
  managementAccountId: string | undefined,
): Promise<{ steps: ConnectionSharePlan[]; blockers: PlanBlocker[]; notes: string[] }> {
  const connectionArn = request.source.connectionArn;
  const tooling = accounts.find((a) => a.stage === RESERVED_STAGE);
  const appvendAccount = managementAccountId && (await serviceAccount(clients, managementAccountId));
  const access = connectionAccess(connectionArn, tooling?.id, appvendAccount || undefined);
  if (access.kind === 'unusable')
    return { steps: [], blockers: [{ step: 'DeployStackSets', message: access.message }], notes: [] };
  if (access.kind === 'shared') return { steps: [], blockers: [], notes: [access.message] };
  if (access.kind === 'owned') return { steps: [], blockers: [], notes: [] };
  const name = connectionShareName(request.name);
  const step = (action: ConnectionSharePlan['action'], resourceShareArn?: string): ConnectionSharePlan => ({
    kind: 'connection-share',
    step: 'DeployStackSets',
    action,
    name,
    connectionArn,
    ...(tooling?.id && { accountId: tooling.id }),
    ...(resourceShareArn && { resourceShareArn }),
  });
  const ram = clients.managementClient(RAMClient, { region: RAM_REGION });
  try {
    // A new tooling account is in no share yet; its id stands in until it exists.
    const planned = await planConnectionShare(ram, {
      application: request.name,
      name,
      connectionArn,
      principal: tooling?.id ?? '(new tooling account)',
    });
    const action = planned.action === 'associate' ? 'update' : planned.action;
    return { steps: [step(action, planned.share?.resourceShareArn)], blockers: [], notes: [] };
  } catch (error) {
    if (error instanceof ConnectionShareConflictError)
      return {
        steps: [step('create')],
        blockers: [{ step: 'DeployStackSets', message: error.message }],
        notes: [],
      };
    throw error;
  }
}

/** Plans vends of requests: what the portal API's dry run is given. */
export interface VendPlanner {
  plan(input: unknown): Promise<Plan>;
}

/** A {@link VendPlanner} over these clients and settings. */
export function vendPlanner(clients: ClientFactory, settings: PlanSettings): VendPlanner {
  return { plan: (input) => planVend(clients, input, settings) };
}
