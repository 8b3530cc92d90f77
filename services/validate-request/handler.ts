import { stepHandler } from '../../shared/lambda/step-handler';
import { validateApplication } from '../../shared/workflow/steps/validate';

export const environment = {};

/** Validates the request (throws InvalidRequestError naming each field) and lists its accounts. */
export const handler = stepHandler('validate-request', environment, (input: { request: unknown }) =>
  validateApplication(input.request),
);
