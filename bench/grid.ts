import type { LatencyModel } from '../shared/sandbox/latency-model';

const SECOND = 1000;
const MINUTE = 60 * SECOND;

/** The latency figures a grid point sets; the rest stay at the run's model. */
export type GridLatency = Pick<
  LatencyModel,
  'createAccount' | 'stackInstanceCreate' | 'stackSetOperationOverhead'
>;

export interface GridPoint {
  latency: GridLatency;
  makespanMs: number;
  boundMs: number;
  ratio: number;
  transitions: number;
  status: string;
}

export interface GridSummary {
  points: GridPoint[];
  worst: GridPoint;
  median: number;
  /** Points at or under 1.10, of all. */
  within110: number;
}

/**
 * Each figure over its documented or estimated range (docs/latency-model.md): CreateAccount one to
 * ten minutes, a small stack's creation 45 to 90 s (61 s: one second past a default figure, which
 * a schedule tuned to the defaults pays for), a stack set operation's overhead 15 to 30 s.
 */
export const FULL_GRID = {
  createAccount: [1, 2, 3, 4, 10].map((m) => m * MINUTE),
  stackInstanceCreate: [45, 60, 61, 75, 90].map((s) => s * SECOND),
  stackSetOperationOverhead: [15, 30].map((s) => s * SECOND),
};

/** The corners and the default-adjacent figures, for `--quick`. */
export const QUICK_GRID = {
  createAccount: [1, 3, 10].map((m) => m * MINUTE),
  stackInstanceCreate: [45, 61, 90].map((s) => s * SECOND),
  stackSetOperationOverhead: [15, 30].map((s) => s * SECOND),
};

/** Every combination of the grid's figures. */
export function gridLatencies(grid: typeof FULL_GRID): GridLatency[] {
  return grid.createAccount.flatMap((createAccount) =>
    grid.stackInstanceCreate.flatMap((stackInstanceCreate) =>
      grid.stackSetOperationOverhead.map((stackSetOperationOverhead) => ({
        createAccount,
        stackInstanceCreate,
        stackSetOperationOverhead,
      })),
    ),
  );
}

/** The worst point, the median ratio (the mean of the two middle ones for an even count) and how many stay ≤ 1.10. */
export function summarizeGrid(points: GridPoint[]): GridSummary {
  if (points.length === 0) throw new Error('An empty latency grid has no worst point');
  const sorted = [...points].sort((a, b) => a.ratio - b.ratio);
  const lower = sorted[Math.floor((sorted.length - 1) / 2)]!.ratio;
  const upper = sorted[Math.ceil((sorted.length - 1) / 2)]!.ratio;
  return {
    points,
    worst: sorted[sorted.length - 1]!,
    median: (lower + upper) / 2,
    within110: points.filter((p) => p.ratio <= 1.1).length,
  };
}
