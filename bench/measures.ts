import type { CallRecord } from '../shared/sandbox';

/** Pure measures over what the sandbox recorded. */

/** API calls by service (`organizations`, `cloudformation`, `sts`, `config`). */
export function callsByService(calls: readonly CallRecord[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const call of calls) counts[call.service] = (counts[call.service] ?? 0) + 1;
  return Object.fromEntries(Object.entries(counts).sort(([a], [b]) => a.localeCompare(b)));
}

/**
 * The most CreateAccount requests in flight at any instant, from the sandbox's own record of the
 * requests (accepted at `requestedAt`, in flight until `completesAt`), not from the workflow.
 */
export function maxInFlight(requests: readonly { requestedAt: number; completesAt: number }[]): number {
  const events = requests.flatMap((r) => [
    { at: r.requestedAt, delta: 1 },
    { at: r.completesAt, delta: -1 },
  ]);
  // A request that ends at the instant another starts frees its slot first (AWS counts IN_PROGRESS).
  events.sort((a, b) => a.at - b.at || a.delta - b.delta);
  let current = 0;
  let max = 0;
  for (const event of events) {
    current += event.delta;
    max = Math.max(max, current);
  }
  return max;
}
