import type { Clock } from '../shared/clock/clock';
import type { TaskTokens, TokenAnswer } from '../shared/aws/task-tokens';

/**
 * Step Functions' task tokens for executions run in-process (`.waitForTaskToken` tasks in the
 * local runner): a task waits until SendTaskSuccess or SendTaskFailure with its token, or fails
 * with States.HeartbeatTimeout when no heartbeat came for HeartbeatSeconds, or States.Timeout
 * after TimeoutSeconds, on the run's clock (virtual on the sandbox). A token whose task has ended
 * is answered as AWS does (TaskTimedOut), here `gone`; one never issued too (InvalidToken).
 */
interface Waiting {
  clock: Clock;
  lastBeat: number;
  settled: boolean;
  resolve: (output: unknown) => void;
  reject: (error: Error) => void;
}

function statesError(name: string, message: string): Error {
  const error = new Error(message);
  error.name = name;
  return error;
}

export class LocalTaskTokens implements TaskTokens {
  private readonly waiting = new Map<string, Waiting>();
  private issued = 0;
  private sweeping = false;
  private sweep?: { run: () => Promise<unknown>; everyMs: number; clock: Clock };

  /** A new token, unique in this process (AWS's are opaque strings of up to 2,048 characters). */
  public issue(): string {
    this.issued += 1;
    return `local-task-token-${process.pid}-${this.issued}`;
  }

  /**
   * Waits for the token's answer. Call before the task's Lambda runs: it may answer the token
   * itself (a slot free at once).
   */
  public wait(
    token: string,
    options: { clock: Clock; heartbeatSeconds?: number; timeoutSeconds?: number },
  ): Promise<unknown> {
    const { clock } = options;
    const result = new Promise<unknown>((resolve, reject) => {
      this.waiting.set(token, { clock, lastBeat: clock.now(), settled: false, resolve, reject });
    });
    void this.watch(token, options);
    this.keepSweeping();
    return result;
  }

  /** Runs `run` every `everyMs` on the clock while any token waits (the scheduled sweep). */
  public schedule(run: () => Promise<unknown>, everyMs: number, clock: Clock): void {
    if (this.sweep?.clock === clock && this.sweep.everyMs === everyMs) return;
    this.sweep = { run, everyMs, clock };
    this.keepSweeping();
  }

  public async succeed(token: string, output: unknown): Promise<TokenAnswer> {
    return this.settle(token, (w) => w.resolve(structuredClone(output)));
  }

  public async fail(token: string, error: string, cause: string): Promise<TokenAnswer> {
    return this.settle(token, (w) => w.reject(statesError(error, cause)));
  }

  public async heartbeat(token: string): Promise<TokenAnswer> {
    const waiting = this.waiting.get(token);
    if (!waiting || waiting.settled) return 'gone';
    waiting.lastBeat = waiting.clock.now();
    return 'sent';
  }

  /** Tokens still waiting (tests). */
  public get pending(): number {
    return this.waiting.size;
  }

  private settle(token: string, answer: (waiting: Waiting) => void): TokenAnswer {
    const waiting = this.waiting.get(token);
    if (!waiting || waiting.settled) return 'gone';
    waiting.settled = true;
    this.waiting.delete(token);
    answer(waiting);
    return 'sent';
  }

  private async watch(
    token: string,
    options: { clock: Clock; heartbeatSeconds?: number; timeoutSeconds?: number },
  ): Promise<void> {
    const { clock } = options;
    const start = clock.now();
    const deadline = options.timeoutSeconds === undefined ? Infinity : start + options.timeoutSeconds * 1000;
    const heartbeatMs = options.heartbeatSeconds === undefined ? Infinity : options.heartbeatSeconds * 1000;
    if (deadline === Infinity && heartbeatMs === Infinity) return;
    for (;;) {
      const waiting = this.waiting.get(token);
      if (!waiting || waiting.settled) return;
      const now = clock.now();
      if (now >= deadline) {
        this.settle(token, (w) => w.reject(statesError('States.Timeout', 'The task timed out')));
        return;
      }
      if (now >= waiting.lastBeat + heartbeatMs) {
        this.settle(token, (w) =>
          w.reject(statesError('States.HeartbeatTimeout', 'No heartbeat within HeartbeatSeconds')),
        );
        return;
      }
      await clock.sleep(Math.min(deadline, waiting.lastBeat + heartbeatMs) - now);
    }
  }

  private keepSweeping(): void {
    if (this.sweeping || !this.sweep || this.waiting.size === 0) return;
    this.sweeping = true;
    const sweep = this.sweep;
    const { run, everyMs, clock } = sweep;
    void (async () => {
      try {
        // A later run's schedule (another clock) takes over: this loop ends.
        while (this.waiting.size > 0 && this.sweep === sweep) {
          await clock.sleep(everyMs);
          // A failed sweep is tried again at the next one, as a scheduled Lambda's would be.
          if (this.waiting.size > 0) await clock.busy(run).catch(() => undefined);
        }
      } finally {
        this.sweeping = false;
        this.keepSweeping();
      }
    })();
  }
}

/** The process's local tokens: the local runner waits on them, the handlers answer them. */
export const localTaskTokens = new LocalTaskTokens();
