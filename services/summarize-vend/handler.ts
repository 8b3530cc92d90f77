import { stepHandler } from '../../shared/lambda/step-handler';
import { summarize, type VendState } from '../../shared/workflow/steps/summary';

export const environment = {};

/** The last step of a vend, successful or not: the summary the caller and the events carry. */
export const handler = stepHandler(
  'summarize-vend',
  environment,
  (input: { state: VendState; status: 'SUCCEEDED' | 'FAILED' }) => summarize(input.state, input.status),
);
