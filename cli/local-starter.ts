import type { Clock } from '../shared/clock/clock';
import type { ExecutionStarter } from '../shared/workflow/intake';
import type { ExecutionInput } from '../shared/workflow/resume';
import { runVend, type VendRun } from './vend';

/**
 * Step Functions' StartExecution, locally: an execution name starts one run, and starting the same
 * name again answers with the same execution. Runs go on in the background; `runs` holds them.
 */
export class LocalExecutionStarter implements ExecutionStarter {
  public readonly runs = new Map<string, Promise<VendRun>>();

  public constructor(
    private readonly options: { definition: Record<string, unknown>; clock: Clock; region?: string },
  ) {}

  public async start(executionName: string, input: ExecutionInput) {
    if (!this.runs.has(executionName)) {
      // The local runner takes the execution's input as it is, resume point included.
      this.runs.set(
        executionName,
        runVend({ input, definition: this.options.definition, clock: this.options.clock, executionName }),
      );
    }
    return {
      executionArn: `arn:aws:states:${this.options.region ?? 'us-east-1'}:000000000000:execution:appvend-vend:${executionName}`,
    };
  }
}
