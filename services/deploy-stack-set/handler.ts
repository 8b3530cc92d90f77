import { awsClients } from '../../shared/aws/client-factory';
import type { TemplateKey } from '../../shared/domain/naming';
import { stepHandler } from '../../shared/lambda/step-handler';
import type { ApplicationRequest } from '../../shared/request/schema';
import { StackSetEnv } from '../../shared/workflow/settings';
import { deployStackSet } from '../../shared/workflow/steps/stack-set';
import type { VendedAccount } from '../../shared/workflow/types';

export const environment = { ...StackSetEnv };

export const handler = stepHandler(
  'deploy-stack-set',
  environment,
  (
    input: { template: TemplateKey; request: ApplicationRequest; accounts: VendedAccount[]; ouId?: string },
    env,
  ) =>
    deployStackSet(awsClients(), {
      ...input,
      settings: {
        managementAccountId: env.APPVEND_MANAGEMENT_ACCOUNT_ID,
        adminRoleName: env.APPVEND_STACKSET_ADMIN_ROLE_NAME,
        executionRoleName: env.APPVEND_STACKSET_EXECUTION_ROLE_NAME,
        notificationTopicArn: env.APPVEND_NOTIFICATION_TOPIC_ARN,
        region: env.AWS_REGION,
        templatesDir: env.APPVEND_TEMPLATES_DIR,
        stackSetsMode: env.APPVEND_STACKSETS_MODE,
      },
    }),
);
