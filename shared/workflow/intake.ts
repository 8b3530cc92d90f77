import { ExecutionAlreadyExists, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { ownAccountClient } from '../aws/client-factory';
import { Ledger, LedgerConflictError } from '../ledger/ledger';
import type { Actor } from '../ledger/principal';
import type { ApplicationRecord, ConflictReason } from '../ledger/record';
import { InvalidRequestError, parseRequest } from '../request/validate';
import { executionInput, type ExecutionInput } from './resume';

/** Starts the vend workflow for a request; the same execution name twice starts it once. */
export interface ExecutionStarter {
  start(executionName: string, input: ExecutionInput): Promise<{ executionArn: string }>;
}

/** What a front door answers (the API maps it to 202, 400, 403 (`not-owner`) or 409). */
export type IntakeResult =
  | {
      outcome: 'started' | 'existing';
      requestId: string;
      status: ApplicationRecord['status'];
      record: ApplicationRecord;
    }
  | { outcome: 'invalid'; problems: { field: string; message: string }[] }
  | { outcome: 'conflict'; reason: ConflictReason; message: string; requestId: string };

/**
 * The one intake of every front door: record the request in the ledger, start its vend once.
 * A request recorded but not started (the process died between the two) is started when the
 * same request arrives again: the execution name makes the start idempotent. The same request
 * after a failed vend starts the next attempt at the step that failed. `actor` is who asked, as
 * the door established it from what AWS vouched for (never from the request): an application it
 * does not own is refused (`not-owner`) and nothing is written or started.
 */
export async function submitApplication(
  ledger: Ledger,
  starter: ExecutionStarter,
  input: unknown,
  actor: Actor,
): Promise<IntakeResult> {
  let submission;
  try {
    submission = await ledger.submit(parseRequest(input), actor);
  } catch (error) {
    if (error instanceof InvalidRequestError) return { outcome: 'invalid', problems: error.problems };
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
  let { record } = submission;
  if (submission.outcome === 'started' || record.status === 'REQUESTED') {
    const { executionArn } = await starter.start(record.executionName, executionInput(record));
    record = (await ledger.markStarted(record.name, record.requestId, executionArn)) ?? record;
  }
  return { outcome: submission.outcome, requestId: record.requestId, status: record.status, record };
}

/**
 * StartExecution under a name, idempotently: a name already taken (by this very request, started
 * before and since ended) answers with that execution.
 */
export async function startNamedExecution(
  client: SFNClient,
  stateMachineArn: string,
  executionName: string,
  input: unknown,
): Promise<{ executionArn: string }> {
  try {
    const { executionArn } = await client.send(
      new StartExecutionCommand({ stateMachineArn, name: executionName, input: JSON.stringify(input) }),
    );
    if (!executionArn) throw new Error(`StartExecution ${executionName} returned no execution ARN`);
    return { executionArn };
  } catch (error) {
    if (error instanceof ExecutionAlreadyExists) {
      return { executionArn: `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${executionName}` };
    }
    throw error;
  }
}

/** Starts executions of the deployed state machine. */
export class StepFunctionsStarter implements ExecutionStarter {
  private readonly client = ownAccountClient(SFNClient);

  public constructor(private readonly stateMachineArn: string) {}

  public start(executionName: string, input: ExecutionInput) {
    return startNamedExecution(this.client, this.stateMachineArn, executionName, input);
  }
}
