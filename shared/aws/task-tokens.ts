import {
  SendTaskFailureCommand,
  SendTaskHeartbeatCommand,
  SendTaskSuccessCommand,
  SFNClient,
} from '@aws-sdk/client-sfn';
import { ownAccountClient } from './client-factory';
import { isAwsError } from './paginate';

/**
 * What a token's answer came to: `sent`, or `gone` when Step Functions no longer waits on it
 * (TaskTimedOut: "The task token has either expired or the task associated with the token has
 * already been closed"; InvalidToken; TaskDoesNotExist). A gone token is dropped, never retried.
 */
export type TokenAnswer = 'sent' | 'gone';

/** SendTaskSuccess / SendTaskFailure / SendTaskHeartbeat, on AWS or on the local runner. */
export interface TaskTokens {
  succeed(token: string, output: unknown): Promise<TokenAnswer>;
  fail(token: string, error: string, cause: string): Promise<TokenAnswer>;
  heartbeat(token: string): Promise<TokenAnswer>;
}

const GONE = ['TaskTimedOut', 'InvalidToken', 'TaskDoesNotExist'];

async function answered(send: () => Promise<unknown>): Promise<TokenAnswer> {
  try {
    await send();
    return 'sent';
  } catch (error) {
    if (GONE.some((name) => isAwsError(error, name))) return 'gone';
    throw error;
  }
}

/** Step Functions' own task-token API, in the service's own account (its state machines). */
export class StepFunctionsTaskTokens implements TaskTokens {
  private client(): SFNClient {
    return ownAccountClient(SFNClient);
  }

  public succeed(token: string, output: unknown): Promise<TokenAnswer> {
    return answered(() =>
      this.client().send(new SendTaskSuccessCommand({ taskToken: token, output: JSON.stringify(output) })),
    );
  }

  public fail(token: string, error: string, cause: string): Promise<TokenAnswer> {
    return answered(() => this.client().send(new SendTaskFailureCommand({ taskToken: token, error, cause })));
  }

  public heartbeat(token: string): Promise<TokenAnswer> {
    return answered(() => this.client().send(new SendTaskHeartbeatCommand({ taskToken: token })));
  }
}

let configured: TaskTokens | undefined;

/**
 * Where task tokens are answered in this process: Step Functions on AWS; local runs (the CLI, on
 * the sandbox or moto) put the local runner's tokens here, since their executions run in-process.
 */
export function configureTaskTokens(tokens: TaskTokens | undefined): void {
  configured = tokens;
}

export function taskTokens(): TaskTokens {
  configured ??= new StepFunctionsTaskTokens();
  return configured;
}
