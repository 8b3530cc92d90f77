import { ledgerFor } from '../../shared/ledger';
import { stepHandler } from '../../shared/lambda/step-handler';
import {
  offboardingRecordOf,
  summarizeOffboarding,
  type OffboardState,
} from '../../shared/workflow/offboard/summary';
import { LedgerEnv } from '../../shared/workflow/settings';

export const environment = { ...LedgerEnv };

/**
 * The last step of an offboarding, successful or not: the summary, recorded in the ledger. Success
 * makes the application OFFBOARDED with the offboarding added to its history; a failure keeps it
 * OFFBOARDING (no vend may start) with the step and the reason, and the next offboarding converges.
 */
export const handler = stepHandler(
  'summarize-offboarding',
  environment,
  async (
    input: { state: OffboardState & { executionName?: string }; status: 'OFFBOARDED' | 'FAILED' },
    env,
  ) => {
    const summary = summarizeOffboarding(input.state, input.status);
    const ledger = ledgerFor(env.APPVEND_LEDGER_TABLE);
    const { target } = input.state;
    const executionName = target?.executionName ?? input.state.executionName;
    if (!executionName) return summary;
    if (summary.status === 'OFFBOARDED' && target) {
      const record = await ledger.get(summary.application);
      const entry = offboardingRecordOf(summary, target, {
        startedAt: record?.offboarding?.startedAt ?? new Date().toISOString(),
        endedAt: new Date().toISOString(),
      });
      await ledger.recordOffboarded(summary.application, executionName, entry);
    } else if (summary.error) {
      await ledger.recordOffboardingFailure(summary.application, executionName, summary.error);
    }
    return summary;
  },
);
