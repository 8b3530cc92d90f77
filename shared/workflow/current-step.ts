import { GetExecutionHistoryCommand, SFNClient } from '@aws-sdk/client-sfn';
import { ownAccountClient } from '../aws/client-factory';
import { topLevelStepOf, type TopLevelStep } from './top-level-steps';

/** Where a running vend is. */
export interface ExecutionProgress {
  currentStep(executionArn: string): Promise<TopLevelStep | undefined>;
}

/**
 * The current step of a running execution, read from its history (the latest state entered)
 * rather than written by every step: progress costs nothing while nobody asks.
 */
export class StepFunctionsProgress implements ExecutionProgress {
  private readonly client = ownAccountClient(SFNClient);

  public async currentStep(executionArn: string): Promise<TopLevelStep | undefined> {
    const { events } = await this.client.send(
      new GetExecutionHistoryCommand({
        executionArn,
        reverseOrder: true,
        maxResults: 25,
        includeExecutionData: false,
      }),
    );
    for (const event of events ?? []) {
      const name = event.stateEnteredEventDetails?.name;
      const step = name === undefined ? undefined : topLevelStepOf(name);
      if (step) return step;
    }
    return undefined;
  }
}
