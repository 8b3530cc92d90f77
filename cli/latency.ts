import { DEFAULT_LATENCY, type LatencyModel } from '../shared/sandbox';

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/**
 * Reads latency overrides as people write them on a command line: `createAccount=10m`,
 * `stackInstanceCreate=90s`, several separated by commas or given as repeated options. A figure
 * needs its unit (ms, s, m, h); the names are those of the sandbox's latency model.
 *
 * @example
 * parseLatencyOverrides(['createAccount=10m,stackSetOperationOverhead=30s'])
 * // → { createAccount: 600000, stackSetOperationOverhead: 30000 }
 */
export function parseLatencyOverrides(values: readonly string[] = []): Partial<LatencyModel> {
  const overrides: Partial<LatencyModel> = {};
  const known = Object.keys(DEFAULT_LATENCY);
  for (const item of values.flatMap((v) => v.split(',')).map((v) => v.trim())) {
    if (item === '') continue;
    const match = /^([A-Za-z]+)=(\d+(?:\.\d+)?)(ms|s|m|h)$/.exec(item);
    if (!match) {
      throw new RangeError(
        `latency "${item}": expected name=figure with a unit (ms, s, m, h), e.g. createAccount=10m`,
      );
    }
    const [, name, figure, unit] = match as unknown as [string, string, string, string];
    if (!known.includes(name)) {
      throw new RangeError(`latency "${item}": unknown name ${name}; one of ${known.join(', ')}`);
    }
    overrides[name as keyof LatencyModel] = Math.round(Number(figure) * UNITS[unit]!);
  }
  return overrides;
}

/** `3m`, `15s`, `1h30m`, `250ms`: a latency figure as the docs and the reports write it. */
export function formatLatency(ms: number): string {
  if (ms === 0) return '0s';
  if (ms % 1000 !== 0) return `${ms}ms`;
  const seconds = ms / 1000;
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  return `${h ? `${h}h` : ''}${m ? `${m}m` : ''}${s ? `${s}s` : ''}`;
}
