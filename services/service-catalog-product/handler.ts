import { ledgerFor } from '../../shared/ledger';
import { logger, stepHandler } from '../../shared/lambda/step-handler';
import {
  handleCustomResource,
  putResponse,
  type CustomResourceRequest,
} from '../../shared/workflow/custom-resource';
import { IntakeEnv } from '../../shared/workflow/settings';
import { StepFunctionsStarter } from '../../shared/workflow/intake';

export const environment = { ...IntakeEnv };

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
      onError: (error) => logger.error('custom resource request failed', { error: error as Error }),
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
