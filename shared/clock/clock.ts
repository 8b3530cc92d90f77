/**
 * Time as the workflow sees it. On AWS it is the wall clock; on the sandbox it is a virtual clock,
 * so that a vend that would take AWS twenty minutes runs in a second and still reports twenty.
 */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Resolves once `ms` have passed on this clock. */
  sleep(ms: number): Promise<void>;
  /** Runs work that must finish before virtual time may move on (a task in flight). */
  busy<T>(work: () => Promise<T>): Promise<T>;
}

/** The wall clock: sleeping really waits. For runs against real AWS. */
export class WallClock implements Clock {
  public now(): number {
    return Date.now();
  }

  public sleep(ms: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, ms));
  }

  public busy<T>(work: () => Promise<T>): Promise<T> {
    return work();
  }
}

interface Sleeper {
  wakeAt: number;
  seq: number;
  resolve: () => void;
}

/** How many consecutive idle turns of the event loop mean "everyone is waiting". */
const IDLE_TURNS = 3;

/**
 * A discrete-event clock. Time stands still while any work is in flight; when every branch of the
 * run is asleep, it jumps to the earliest wake-up time. Parallel branches therefore overlap in
 * virtual time exactly as they would in AWS, and the run finishes as fast as the CPU allows.
 */
export class VirtualClock implements Clock {
  private current: number;
  private sleepers: Sleeper[] = [];
  private inFlight = 0;
  private seq = 0;
  private checkScheduled = false;

  public constructor(startMs: number = Date.UTC(2026, 0, 1)) {
    this.current = startMs;
  }

  public now(): number {
    return this.current;
  }

  /** Moves the clock forward by hand (tests and tools). */
  public advance(ms: number): void {
    if (ms < 0) throw new RangeError('A clock cannot go backwards');
    this.current += ms;
    this.wakeDue();
  }

  public sleep(ms: number): Promise<void> {
    if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`Cannot sleep for ${ms} ms`);
    if (ms === 0) return Promise.resolve();
    return new Promise((resolve) => {
      this.sleepers.push({ wakeAt: this.current + ms, seq: this.seq++, resolve });
      this.scheduleIdleCheck();
    });
  }

  public async busy<T>(work: () => Promise<T>): Promise<T> {
    this.inFlight += 1;
    try {
      return await work();
    } finally {
      this.inFlight -= 1;
      this.scheduleIdleCheck();
    }
  }

  private scheduleIdleCheck(turn = 0): void {
    if (this.checkScheduled && turn === 0) return;
    this.checkScheduled = true;
    setImmediate(() => {
      if (this.inFlight > 0 || this.sleepers.length === 0) {
        this.checkScheduled = false;
        return;
      }
      // Let pending promise chains (the runner moving between states) settle before jumping.
      if (turn + 1 < IDLE_TURNS) {
        this.scheduleIdleCheck(turn + 1);
        return;
      }
      this.checkScheduled = false;
      const next = Math.min(...this.sleepers.map((s) => s.wakeAt));
      if (next > this.current) this.current = next;
      this.wakeDue();
    });
  }

  private wakeDue(): void {
    const due = this.sleepers
      .filter((s) => s.wakeAt <= this.current)
      .sort((a, b) => a.wakeAt - b.wakeAt || a.seq - b.seq);
    if (due.length === 0) return;
    this.sleepers = this.sleepers.filter((s) => s.wakeAt > this.current);
    for (const sleeper of due) sleeper.resolve();
    if (this.sleepers.length > 0) this.scheduleIdleCheck();
  }
}
