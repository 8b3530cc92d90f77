import { handler as checkAccountCreation } from '../services/check-account-creation/handler';
import { handler as closeAccounts } from '../services/close-accounts/handler';
import { handler as checkGuardrails } from '../services/check-guardrails/handler';
import { handler as checkStackSetOperation } from '../services/check-stack-set-operation/handler';
import { handler as deployStackSet } from '../services/deploy-stack-set/handler';
import { handler as ensureOrganizationalUnit } from '../services/ensure-organizational-unit/handler';
import { handler as ensureServiceControlPolicy } from '../services/ensure-service-control-policy/handler';
import { handler as grantAccess } from '../services/grant-access/handler';
import { handler as moveAccount } from '../services/move-account/handler';
import { handler as prepareOffboarding } from '../services/prepare-offboarding/handler';
import { handler as registerGuardrails } from '../services/register-guardrails/handler';
import { handler as removeAccess } from '../services/remove-access/handler';
import { handler as removeGuardrails } from '../services/remove-guardrails/handler';
import { handler as removeOrganizationalUnit } from '../services/remove-organizational-unit/handler';
import { handler as removeServiceControlPolicy } from '../services/remove-service-control-policy/handler';
import { handler as removeStackSet } from '../services/remove-stack-set/handler';
import { handler as startAccountCreation } from '../services/start-account-creation/handler';
import { handler as releaseQuarantine } from '../services/release-quarantine/handler';
import { handler as releaseAccountSlots } from '../services/release-account-slots/handler';
import { handler as summarizeOffboarding } from '../services/summarize-offboarding/handler';
import { handler as summarizeVend } from '../services/summarize-vend/handler';
import { handler as suspendAccounts } from '../services/suspend-accounts/handler';
import { handler as validateRequest } from '../services/validate-request/handler';
import type { LocalHandler } from './local-runner';

/** The workflows' Lambda handlers (vend and offboard) by deployed function name, for the local runner. */
export const LOCAL_HANDLERS: Record<string, LocalHandler> = {
  'appvend-validate-request': validateRequest,
  'appvend-ensure-organizational-unit': ensureOrganizationalUnit,
  'appvend-ensure-service-control-policy': ensureServiceControlPolicy,
  'appvend-start-account-creation': startAccountCreation,
  'appvend-check-account-creation': checkAccountCreation,
  'appvend-move-account': moveAccount,
  'appvend-deploy-stack-set': deployStackSet,
  'appvend-check-stack-set-operation': checkStackSetOperation,
  'appvend-register-guardrails': registerGuardrails,
  'appvend-check-guardrails': checkGuardrails,
  'appvend-grant-access': grantAccess,
  'appvend-release-quarantine': releaseQuarantine,
  'appvend-summarize-vend': summarizeVend,
  // Not a step: the CreateAccount line's scheduled sweep, run on the clock while accounts wait.
  'appvend-release-account-slots': releaseAccountSlots,
  'appvend-prepare-offboarding': prepareOffboarding,
  'appvend-remove-guardrails': removeGuardrails,
  'appvend-remove-stack-set': removeStackSet,
  'appvend-remove-service-control-policy': removeServiceControlPolicy,
  'appvend-remove-access': removeAccess,
  'appvend-suspend-accounts': suspendAccounts,
  'appvend-remove-organizational-unit': removeOrganizationalUnit,
  'appvend-close-accounts': closeAccounts,
  'appvend-summarize-offboarding': summarizeOffboarding,
} as Record<string, LocalHandler>;
