import { awsClients } from '../../shared/aws/client-factory';
import { previousAnswer } from '../../shared/lambda/correlation';
import { stepHandler } from '../../shared/lambda/step-handler';
import type { PollState } from '../../shared/domain/polling';
import { MemberAccessEnv } from '../../shared/workflow/settings';
import { awaitGuardrails } from '../../shared/workflow/steps/guardrails';
import type { GuardrailsResult } from '../../shared/workflow/types';

export const environment = { ...MemberAccessEnv };

export const handler = stepHandler(
  'check-guardrails',
  environment,
  (
    input:
      | { previous: GuardrailsResult & { poll?: PollState }; correlation: unknown }
      | (GuardrailsResult & { poll?: PollState }),
  ) => awaitGuardrails(awsClients(), previousAnswer(input)),
);
