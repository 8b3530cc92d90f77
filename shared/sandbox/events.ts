import type { SandboxSettings } from './context';
import type { SandboxStateJson } from './state';

/**
 * A change AWS makes on its own at a known time: an account finishing creation, a stack set
 * operation ending. Each model module reports its earliest pending one; `settle` applies them in
 * time order up to the clock's `now`, so asynchronous status is always computed from the clock.
 */
export interface PendingEvent {
  at: number;
  /** Tie-breaker among events at the same time (lower first). */
  order: number;
  apply(): void;
}

/** A module's earliest pending event, if any. */
export type EventSource = (state: SandboxStateJson, settings: SandboxSettings) => PendingEvent | undefined;
