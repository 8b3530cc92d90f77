import { awsClients } from '../../shared/aws/client-factory';
import { stepHandler } from '../../shared/lambda/step-handler';
import type { ApplicationRequest } from '../../shared/request/schema';
import { OrganizationEnv } from '../../shared/workflow/settings';
import { ensureApplicationOu } from '../../shared/workflow/steps/organizational-unit';

export const environment = { ...OrganizationEnv };

export const handler = stepHandler(
  'ensure-organizational-unit',
  environment,
  (input: { request: ApplicationRequest; app?: { recordedOuId?: string } }, env) =>
    ensureApplicationOu(awsClients(), {
      request: input.request,
      parentId: env.APPVEND_PARENT_OU_ID,
      ...(input.app?.recordedOuId !== undefined && { recordedId: input.app.recordedOuId }),
    }),
);
