import { awsClients } from '../../shared/aws/client-factory';
import { stepHandler } from '../../shared/lambda/step-handler';
import { removeApplicationStackSet } from '../../shared/workflow/offboard/stack-sets';
import { StackSetRemovalEnv } from '../../shared/workflow/settings';

export const environment = { ...StackSetRemovalEnv };

export const handler = stepHandler(
  'remove-stack-set',
  environment,
  (input: { name: string; application: string }, env) =>
    removeApplicationStackSet(awsClients(), input, {
      stackSetsMode: env.APPVEND_STACKSETS_MODE,
      ...(env.APPVEND_MANAGEMENT_ACCOUNT_ID && { managementAccountId: env.APPVEND_MANAGEMENT_ACCOUNT_ID }),
    }),
);
