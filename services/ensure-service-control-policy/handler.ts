import { awsClients } from '../../shared/aws/client-factory';
import { stepHandler } from '../../shared/lambda/step-handler';
import type { ApplicationRequest } from '../../shared/request/schema';
import { PolicyEnv, exemptRolesFrom } from '../../shared/workflow/settings';
import { ensureApplicationScp } from '../../shared/workflow/steps/service-control-policy';

export const environment = { ...PolicyEnv };

export const handler = stepHandler(
  'ensure-service-control-policy',
  environment,
  (input: { request: ApplicationRequest; ouId: string }, env) =>
    ensureApplicationScp(awsClients(), {
      request: input.request,
      ouId: input.ouId,
      sizeQuota: env.APPVEND_SCP_SIZE_QUOTA,
      attachmentQuota: env.APPVEND_SCP_ATTACHMENT_QUOTA,
      exemptRoles: exemptRolesFrom(env),
    }),
);
