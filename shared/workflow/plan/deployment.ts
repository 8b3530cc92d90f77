import { ConfigServiceClient } from '@aws-sdk/client-config-service';
import type { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import type { ClientFactory } from '../../aws/client-factory';
import type { CallAs } from '../../aws/stack-set-permissions';
import { conformancePackTemplate } from '../../domain/conformance-pack';
import { TEMPLATE_KEYS, conformancePackName } from '../../domain/naming';
import { planStackSet, type PlannedAccount } from '../../domain/stack-set-plan';
import { errorMessage } from '../../errors';
import type { ApplicationRequest } from '../../request/schema';
import { digest, loadTemplate } from '../../templates/template-store';
import {
  conformancePackDigest,
  conformancePackStatus,
  describeStackSet,
  recorderState,
  stackInstances,
  type RecorderState,
} from './reads';
import { stackSetDifferences } from '../../domain/stack-set-differences';
import type {
  AccountPlan,
  ConfigRecorderPlan,
  ConformancePackPlan,
  PlanBlocker,
  PlanStep,
  StackInstancePlan,
  StackSetPlan,
} from './types';

/**
 * A stand-in id for an account the vend has yet to create: it takes the account's place in the
 * stack set parameters (`StageAccountIds: 222222222222,(new prod account)`), so a parameter that
 * will change because of a new account shows as changed, and reads as such.
 */
const newAccountId = (stage: string): string => `(new ${stage} account)`;

export interface StackSetPlanSettings {
  notificationTopicArn: string;
  region: string;
  templatesDir?: string;
  /** Service-managed stack sets: how they are reached (see `stackSetsCallAs`). */
  callAs?: CallAs | undefined;
}

/**
 * Step 6 (stack sets) as a plan, template by template in the vend's order: the stack set is
 * created, updated (template digest, parameters) or kept, and each account's instance is created,
 * updated with its stack set, or kept. An instance the vend finds not CURRENT while its stack set
 * needs no update stops the vend: that is a blocker.
 */
export async function planStackSets(
  client: CloudFormationClient,
  request: ApplicationRequest,
  accounts: AccountPlan[],
  settings: StackSetPlanSettings,
): Promise<{ steps: (StackSetPlan | StackInstancePlan)[]; blockers: PlanBlocker[] }> {
  const planned: PlannedAccount[] = accounts.map((a) => ({
    stage: a.stage,
    id: a.id ?? newAccountId(a.stage),
  }));
  const stageOf = new Map(planned.map((a) => [a.id, a.stage]));
  const existingIds = new Set(accounts.flatMap((a) => (a.id ? [a.id] : [])));
  const perTemplate = await Promise.all(
    TEMPLATE_KEYS.map(async (template) => {
      const targets = planStackSet(template, request, planned, settings);
      const templateBody = loadTemplate(template, settings.templatesDir);
      const deployed = await describeStackSet(client, targets.name, settings.callAs);
      const instance = (
        accountId: string,
        action: StackInstancePlan['action'],
        status?: string,
      ): StackInstancePlan => ({
        kind: 'stack-instance',
        step: 'DeployStackSets',
        action,
        stackSet: targets.name,
        stage: stageOf.get(accountId) ?? '',
        ...(existingIds.has(accountId) && { accountId }),
        ...(status !== undefined && { status }),
      });

      if (!deployed) {
        const stackSet: StackSetPlan = {
          kind: 'stack-set',
          step: 'DeployStackSets',
          action: 'create',
          template,
          name: targets.name,
          templateDigest: { wanted: digest(templateBody) },
          parameters: Object.entries(targets.parameters).map(([key, wanted]) => ({ key, wanted })),
        };
        return { steps: [stackSet, ...targets.accounts.map((id) => instance(id, 'create'))], blockers: [] };
      }

      const differences = stackSetDifferences(deployed, { templateBody, parameters: targets.parameters });
      const stackSet: StackSetPlan = {
        kind: 'stack-set',
        step: 'DeployStackSets',
        action: differences.upToDate ? 'keep' : 'update',
        template,
        name: targets.name,
        templateDigest: differences.templateDigest,
        parameters: differences.parameters,
      };
      const found = new Map(
        (await stackInstances(client, targets.name, settings.region, settings.callAs)).map((i) => [
          i.Account ?? '',
          i,
        ]),
      );
      const blockers: PlanBlocker[] = [];
      const instances = targets.accounts.map((id) => {
        const summary = found.get(id);
        if (!summary) return instance(id, 'create');
        if (differences.upToDate && summary.Status !== 'CURRENT') {
          blockers.push({
            step: 'DeployStackSets',
            message:
              `Stack set ${targets.name} has instances that are not current: ${id} ${summary.Status}` +
              (summary.StatusReason ? ` (${summary.StatusReason})` : ''),
          });
        }
        return instance(id, differences.upToDate ? 'keep' : 'update', summary.Status);
      });
      return { steps: [stackSet, ...instances], blockers };
    }),
  );
  return {
    steps: perTemplate.flatMap((t) => t.steps),
    blockers: perTemplate.flatMap((t) => t.blockers),
  };
}

/** Why guardrails are not read from the portal API (see `planGuardrails`). */
export const GUARDRAILS_NOT_CHECKED =
  'Guardrails were not checked: the Config recorder and conformance pack live in each member ' +
  'account, which the portal API does not enter (it may not assume roles there); `appvend plan` checks them.';

/**
 * Step 7 (register-guardrails) as a plan: in each account, the Config recorder and the profile's
 * conformance pack, read through the member role exactly as the step reaches them. A new account
 * has neither. Without `memberReads` (the portal API), existing accounts are left unchecked.
 */
export async function planGuardrails(
  clients: ClientFactory,
  request: ApplicationRequest,
  accounts: AccountPlan[],
  memberReads: boolean,
): Promise<{ steps: PlanStep[]; notes: string[] }> {
  const name = conformancePackName(request.name);
  const wanted = digest(conformancePackTemplate(request.profile));
  const notes: (string | undefined)[] = accounts.map(() => undefined);
  const perAccount = await Promise.all(
    accounts.map(async (account, index): Promise<[ConfigRecorderPlan, ConformancePackPlan]> => {
      const where = { stage: account.stage, ...(account.id && { accountId: account.id }) };
      const recorder = (action: ConfigRecorderPlan['action']): ConfigRecorderPlan => ({
        kind: 'config-recorder',
        step: 'DeployStackSets',
        action,
        ...where,
      });
      const pack = (action: ConformancePackPlan['action'], current?: string): ConformancePackPlan => ({
        kind: 'conformance-pack',
        step: 'DeployStackSets',
        action,
        name,
        ...where,
        digest: { ...(current !== undefined && { current }), wanted },
      });
      if (account.action === 'unchecked') return [recorder('unchecked'), pack('unchecked')];
      if (!account.id) return [recorder('create'), pack('create')];
      if (!memberReads) return [recorder('unchecked'), pack('unchecked')];
      let state: RecorderState;
      let deployed: Awaited<ReturnType<typeof conformancePackDigest>>;
      let packFailed: boolean;
      try {
        const client = await clients.memberClient(ConfigServiceClient, account.id);
        [state, deployed] = [await recorderState(client), await conformancePackDigest(client, name)];
        packFailed = deployed.exists && (await conformancePackStatus(client, name)).state === 'CREATE_FAILED';
      } catch (error) {
        // The vend would fail here too, or wait for the role to appear; the plan says it could not look.
        const reason = errorMessage(error).split('\n')[0];
        notes[index] = `Guardrails of ${account.stage} (${account.id}) not checked: ${reason}`;
        return [recorder('unchecked'), pack('unchecked')];
      }
      const recorderAction = !state.exists
        ? 'create'
        : state.recording && state.deliveryChannel
          ? 'keep'
          : 'update';
      // A pack that ended CREATE_FAILED carries the wanted digest but no working rules: drift.
      const packAction = !deployed.exists
        ? 'create'
        : deployed.digest === wanted && !packFailed
          ? 'keep'
          : 'update';
      return [recorder(recorderAction), pack(packAction, deployed.digest)];
    }),
  );
  // In account order, whichever read failed first.
  const found = notes.filter((note): note is string => note !== undefined);
  if (!memberReads && accounts.some((a) => a.id)) found.push(GUARDRAILS_NOT_CHECKED);
  return { steps: perAccount.flat(), notes: found };
}
