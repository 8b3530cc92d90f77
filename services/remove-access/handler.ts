import { identityCenterClients } from '../../shared/aws/identity-center';
import { stepHandler } from '../../shared/lambda/step-handler';
import { removeAccess, type AccessRemoval } from '../../shared/workflow/offboard/access';
import type { OffboardTarget } from '../../shared/workflow/offboard/types';
import { IdentityCenterEnv } from '../../shared/workflow/settings';

export const environment = { ...IdentityCenterEnv };

/** Removes the Identity Center assignments the vend made; called again (after a Wait) while deletions run. */
export const handler = stepHandler(
  'remove-access',
  environment,
  (input: { target: OffboardTarget; previous?: AccessRemoval }, env) =>
    removeAccess(identityCenterClients(), {
      ...input,
      ...(env.APPVEND_IDENTITY_CENTER_INSTANCE_ARN && {
        instanceArn: env.APPVEND_IDENTITY_CENTER_INSTANCE_ARN,
      }),
    }),
);
