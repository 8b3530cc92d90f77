import { awsClients } from '../../shared/aws/client-factory';
import { stepHandler } from '../../shared/lambda/step-handler';
import { releaseQuarantine } from '../../shared/workflow/steps/quarantine';
import type { VendedAccount } from '../../shared/workflow/types';

export const environment = {};

export const handler = stepHandler(
  'release-quarantine',
  environment,
  (input: { accounts: VendedAccount[]; application: string }) => releaseQuarantine(awsClients(), input),
);
