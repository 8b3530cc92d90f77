import type { CallRecord } from '../shared/sandbox';

/** Pure measures over what the sandbox recorded. */

/** API calls by service (`organizations`, `cloudformation`, `sts`, `config`). */
export function callsByService(calls: readonly CallRecord[]): Record<string, number> {
  return callsBy(calls, (call) => call.service);
}

/** The calls counted by a key of each (its service, `service:Operation`, …), keys in order. */
export function callsBy(
  calls: readonly CallRecord[],
  keyOf: (call: CallRecord) => string,
): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const call of calls) {
    const key = keyOf(call);
    counts[key] = (counts[key] ?? 0) + 1;
  }
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

/** What the local runner recorded of one Lambda task: enough to follow a CreateAccount request. */
interface AccountTask {
  function: string;
  startedAt: number;
  endedAt?: number;
  subject?: string;
  outcome?: string;
}

/**
 * The CreateAccount requests as appvend saw them: one interval per account of each vend, from the
 * start task that got the request accepted (outcome IN_PROGRESS) to the first check that saw it
 * SUCCEEDED or FAILED. What the gate controls, measured from the workflow's side; the sandbox's own
 * record ({@link maxInFlight} over its requests) ends each interval when AWS finished instead.
 */
export function requestsSeenByAppvend(
  runs: readonly { tasks: readonly AccountTask[] }[],
): { requestedAt: number; completesAt: number }[] {
  const out: { requestedAt: number; completesAt: number }[] = [];
  for (const run of runs) {
    const open = new Map<string, number>();
    for (const task of run.tasks) {
      const key = task.subject ?? '';
      const at = task.endedAt ?? task.startedAt;
      if (
        task.function.endsWith('start-account-creation') &&
        task.outcome === 'IN_PROGRESS' &&
        !open.has(key)
      ) {
        open.set(key, at);
      } else if (
        task.function.endsWith('check-account-creation') &&
        (task.outcome === 'SUCCEEDED' || task.outcome === 'FAILED') &&
        open.has(key)
      ) {
        out.push({ requestedAt: open.get(key)!, completesAt: at });
        open.delete(key);
      }
    }
  }
  return out;
}
