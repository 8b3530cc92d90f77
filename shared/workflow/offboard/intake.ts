import { SFNClient } from '@aws-sdk/client-sfn';
import { ownAccountClient } from '../../aws/client-factory';
import { OrganizationSetupError } from '../../errors';
import { Ledger, LedgerConflictError, UnknownApplicationError } from '../../ledger/ledger';
import type { Actor } from '../../ledger/principal';
import type { ApplicationRecord, ConflictReason } from '../../ledger/record';
import { startNamedExecution } from '../intake';

/** Starts executions of the offboarding state machine; the same name twice starts it once. */
export interface OffboardStarter {
  start(
    executionName: string,
    input: { application: string; executionName: string },
  ): Promise<{ executionArn: string }>;
}

export type OffboardIntakeResult =
  | { outcome: 'started' | 'running' | 'offboarded'; record: ApplicationRecord }
  | { outcome: 'unknown' }
  /** The offboarding's configuration is missing (the suspended OU): nothing was marked or started. */
  | { outcome: 'not-configured'; message: string }
  | { outcome: 'conflict'; reason: ConflictReason; message: string; requestId: string };

/**
 * The one way an offboarding starts from a front door (the portal's DELETE): the ledger decides
 * (a vend in progress is refused; a running offboarding is not started twice; an offboarded
 * application is answered as it is; one `actor` does not own is refused, `not-owner`), then the
 * execution starts under the name the ledger chose. `checkConfiguration` (the suspended OU, as
 * `checkSuspendedOu`) runs before the ledger marks anything: when it throws
 * {@link OrganizationSetupError}, the application stays as it was (`not-configured`).
 */
export async function requestOffboarding(
  ledger: Ledger,
  starter: OffboardStarter,
  name: string,
  options: {
    closeAccounts: boolean;
    actor: Actor;
    checkConfiguration?: (record: ApplicationRecord) => Promise<void>;
  },
): Promise<OffboardIntakeResult> {
  let start;
  try {
    start = await ledger.beginOffboarding(name, {
      closeAccounts: options.closeAccounts,
      actor: options.actor,
      ...(options.checkConfiguration && { checkBeforeStart: options.checkConfiguration }),
    });
  } catch (error) {
    if (error instanceof UnknownApplicationError) return { outcome: 'unknown' };
    if (error instanceof OrganizationSetupError) return { outcome: 'not-configured', message: error.message };
    if (error instanceof LedgerConflictError) {
      return {
        outcome: 'conflict',
        reason: error.reason,
        message: error.message,
        requestId: error.current.requestId,
      };
    }
    throw error;
  }
  if (start.outcome !== 'started') return start;
  const executionName = start.record.offboarding!.executionName;
  const { executionArn } = await starter.start(executionName, { application: name, executionName });
  const record = (await ledger.markOffboardingStarted(name, executionName, executionArn)) ?? start.record;
  return { outcome: 'started', record };
}

/** Starts executions of the deployed offboarding state machine. */
export class StepFunctionsOffboardStarter implements OffboardStarter {
  private readonly client = ownAccountClient(SFNClient);

  public constructor(private readonly stateMachineArn: string) {}

  public start(executionName: string, input: { application: string; executionName: string }) {
    return startNamedExecution(this.client, this.stateMachineArn, executionName, input);
  }
}
