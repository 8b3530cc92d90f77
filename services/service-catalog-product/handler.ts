import { z } from 'zod';
import { ledgerFor } from '../../shared/ledger';
import { logger, stepHandler } from '../../shared/lambda/step-handler';
import {
  handleCustomResource,
  putResponse,
  type CustomResourceRequest,
} from '../../shared/workflow/custom-resource';
import { StepFunctionsStarter } from '../../shared/workflow/intake';

/** Like the EventBridge door's: the ledger table and the vend state machine. */
export const environment = {
  APPVEND_LEDGER_TABLE: z.string().min(3).max(255),
  APPVEND_STATE_MACHINE_ARN: z
    .string()
    .regex(/^arn:aws[a-z-]*:states:[a-z0-9-]+:\d{12}:stateMachine:[\w-]{1,80}$/, {
      error: 'must be a Step Functions state machine ARN',
    }),
};

/**
 * The Service Catalog door: the `Custom::ApplicationEnvironment` resource of the "New application
 * environment" product. Every request is answered (now, or when its vend ends); the function never
 * throws, because CloudFormation would only wait for an answer until its timeout.
 */
export const handler = stepHandler(
  'service-catalog-product',
  environment,
  async (request: CustomResourceRequest, env) => {
    const outcome = await handleCustomResource(request, {
      ledger: ledgerFor(env.APPVEND_LEDGER_TABLE),
      starter: new StepFunctionsStarter(env.APPVEND_STATE_MACHINE_ARN),
      send: putResponse,
    });
    const context = {
      requestType: request.RequestType,
      stackId: request.StackId,
      logicalResourceId: request.LogicalResourceId,
      outcome,
    };
    if (outcome.answered === 'FAILED') logger.warn('custom resource request refused', context);
    else logger.info('custom resource request handled', context);
    return outcome;
  },
);
