import { awsClients } from '../../shared/aws/client-factory';
import { previousAnswer } from '../../shared/lambda/correlation';
import { stepHandler } from '../../shared/lambda/step-handler';
import { checkStackSet } from '../../shared/workflow/steps/stack-set';
import type { StackSetDeployment } from '../../shared/workflow/types';

export const environment = {};

export const handler = stepHandler(
  'check-stack-set-operation',
  environment,
  (input: { previous: StackSetDeployment; correlation: unknown } | StackSetDeployment) =>
    checkStackSet(awsClients(), previousAnswer(input)),
);
