import type { Ledger } from '../ledger/ledger';
import type { ExecutionProgress } from './current-step';

/** The fields of Step Functions' `Execution Status Change` event that matter here. */
export interface ExecutionStatusChange {
  executionArn: string;
  name: string;
  status: string;
  /** The execution's input, as a JSON string. */
  input?: string | null;
  error?: string | null;
  cause?: string | null;
}

/** What was recorded; the application and request when the execution was a vend of the ledger's. */
export interface StoppedVendResult {
  recorded: boolean;
  reason?: string;
  application?: string;
  requestId?: string;
}

/**
 * Records in the ledger a vend whose execution stopped without recording its outcome. The step is
 * read from the execution's history; the application and request from its input.
 */
export async function recordStoppedVend(
  ledger: Ledger,
  progress: ExecutionProgress,
  change: ExecutionStatusChange,
): Promise<StoppedVendResult> {
  let input: { request?: { name?: unknown }; requestId?: unknown };
  try {
    input = JSON.parse(change.input ?? '{}') as typeof input;
  } catch {
    return { recorded: false, reason: 'the execution input is not JSON' };
  }
  const name = input.request?.name;
  const requestId = input.requestId;
  if (typeof name !== 'string' || typeof requestId !== 'string') {
    return { recorded: false, reason: 'not a vend started through the ledger' };
  }
  const step = (await progress.currentStep(change.executionArn).catch(() => undefined)) ?? 'unknown';
  const detail = [change.error, change.cause].filter(Boolean).join(': ');
  const message = `the execution ${change.status.toLowerCase().replace('_', ' ')}${detail ? `: ${detail}` : ''}`;
  const before = await ledger.get(name);
  const after = await ledger.recordStopped(name, requestId, change.name, { step, message });
  const recorded = after !== undefined && after.status === 'FAILED' && before?.status !== 'FAILED';
  return recorded
    ? { recorded, application: name, requestId }
    : {
        recorded,
        reason: 'the ledger holds this vend’s outcome already, or a newer one',
        application: name,
        requestId,
      };
}
