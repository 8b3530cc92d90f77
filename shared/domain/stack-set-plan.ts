import type { ApplicationRequest } from '../request/schema';
import { EXTRA_SERVICES, extraServiceParameter } from './extra-services';
import { RESERVED_STAGE, stackSetName, type TemplateKey } from './naming';

/** An account as the plan needs it. */
export interface PlannedAccount {
  stage: string;
  id: string;
}

export interface StackSetTargets {
  name: string;
  accounts: string[];
  parameters: Record<string, string>;
}

/**
 * Where each vended template goes and with which parameters (DESIGN.md §3): the artifact store
 * and the pipeline in the tooling account, the cross-account roles in each stage account, the
 * guardrails everywhere. Parameters are plain values: every name is derived inside the templates.
 */
export function planStackSet(
  template: TemplateKey,
  request: ApplicationRequest,
  accounts: PlannedAccount[],
  settings: { notificationTopicArn: string },
): StackSetTargets {
  const tooling = accounts.find((a) => a.stage === RESERVED_STAGE);
  if (!tooling) throw new Error('The tooling account is missing from the vended accounts');
  // Stages in the request's order: it is the pipeline's order of promotion.
  const stages = request.stages.map((stage) => {
    const account = accounts.find((a) => a.stage === stage);
    if (!account) throw new Error(`The ${stage} account is missing from the vended accounts`);
    return account;
  });
  const stageIds = stages.map((a) => a.id).join(',');
  const name = stackSetName(request.name, template);
  switch (template) {
    case 'artifact-store':
      return {
        name,
        accounts: [tooling.id],
        parameters: { AppName: request.name, StageAccountIds: stageIds },
      };
    case 'cross-account-roles':
      return {
        name,
        accounts: stages.map((a) => a.id),
        parameters: {
          AppName: request.name,
          ToolingAccountId: tooling.id,
          ...Object.fromEntries(
            EXTRA_SERVICES.map((service) => [
              extraServiceParameter(service),
              String(request.allowedServices.includes(service)),
            ]),
          ),
        },
      };
    case 'guardrails':
      return {
        name,
        accounts: [tooling, ...stages].map((a) => a.id),
        parameters: { AppName: request.name, NotificationTopicArn: settings.notificationTopicArn },
      };
    case 'pipeline':
      return {
        name,
        accounts: [tooling.id],
        parameters: {
          AppName: request.name,
          StageNames: request.stages.join(','),
          StageAccountIds: stageIds,
          StageCount: String(request.stages.length),
          ConnectionArn: request.source.connectionArn,
          Repository: request.source.repository,
          Branch: request.source.branch,
        },
      };
  }
}
