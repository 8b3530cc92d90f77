/**
 * How a cost grows with the number of applications: the exponent k of cost ≈ c · applications^k,
 * fitted by least squares on the logarithms (a straight line on a log-log plot). k ≈ 1 is linear
 * growth, k ≈ 2 quadratic. Fixed costs (starting Node, loading the SDK) flatten the small runs, so
 * the fit is also given from 10 applications up when there are enough points.
 */

export interface ScalingPoint {
  applications: number;
  wallSeconds: number;
  cpuSeconds: number;
  peakRssMiB: number;
}

export interface Fit {
  /** The fitted exponent: the slope of log(cost) against log(applications). */
  exponent: number;
  /** R² of the fit on the logarithms. */
  r2: number;
  /** How many runs it was fitted on. */
  points: number;
}

/** Least-squares slope of log(y) on log(x); undefined with fewer than two distinct x. */
export function fitExponent(xs: readonly number[], ys: readonly number[]): Fit | undefined {
  if (xs.length !== ys.length) throw new RangeError('fitExponent needs as many x as y');
  const pairs = xs.map((x, i) => [x, ys[i]!] as const).filter(([x, y]) => x > 0 && y > 0);
  if (new Set(pairs.map(([x]) => x)).size < 2) return undefined;
  const lx = pairs.map(([x]) => Math.log(x));
  const ly = pairs.map(([, y]) => Math.log(y));
  const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
  const mx = mean(lx);
  const my = mean(ly);
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < lx.length; i += 1) {
    sxy += (lx[i]! - mx) * (ly[i]! - my);
    sxx += (lx[i]! - mx) ** 2;
    syy += (ly[i]! - my) ** 2;
  }
  const exponent = sxy / sxx;
  const r2 = syy === 0 ? 1 : (sxy * sxy) / (sxx * syy);
  return { exponent, r2, points: pairs.length };
}

export interface ScalingFits {
  wallSeconds?: Fit;
  cpuSeconds?: Fit;
  peakRssMiB?: Fit;
  /** The same fits on the runs of 10 applications or more, when there are two or more. */
  from10?: { wallSeconds?: Fit; cpuSeconds?: Fit; peakRssMiB?: Fit };
}

function fitsOf(points: readonly ScalingPoint[]): Omit<ScalingFits, 'from10'> {
  const xs = points.map((p) => p.applications);
  const fit = (key: 'wallSeconds' | 'cpuSeconds' | 'peakRssMiB') => {
    const result = fitExponent(
      xs,
      points.map((p) => p[key]),
    );
    return result ? { [key]: result } : {};
  };
  return { ...fit('wallSeconds'), ...fit('cpuSeconds'), ...fit('peakRssMiB') };
}

/** The exponents of wall time, CPU time and peak memory against applications. */
export function scalingFits(points: readonly ScalingPoint[]): ScalingFits {
  const large = points.filter((p) => p.applications >= 10);
  const from10 = large.length >= 2 && large.length < points.length ? { from10: fitsOf(large) } : {};
  return { ...fitsOf(points), ...from10 };
}

const show = (fit: Fit | undefined) =>
  fit ? `**${fit.exponent.toFixed(2)}** (R² ${fit.r2.toFixed(3)}, ${fit.points} runs)` : 'n/a';

/** A paragraph for the report: the fitted exponents, or nothing with fewer than two runs. */
export function renderScalingFit(points: readonly ScalingPoint[]): string | undefined {
  const fits = scalingFits(points);
  if (!fits.wallSeconds && !fits.peakRssMiB) return undefined;
  const line = (f: Omit<ScalingFits, 'from10'>) =>
    `wall time ${show(f.wallSeconds)}, CPU time ${show(f.cpuSeconds)}, peak RSS ${show(f.peakRssMiB)}`;
  return (
    'Growth with the number of applications, as the exponent k of a least-squares fit of ' +
    'log(cost) = log(c) + k · log(applications) (1 is linear, 2 quadratic): ' +
    `${line(fits)}` +
    (fits.from10 ? `; from 10 applications up (fixed start-up costs left out): ${line(fits.from10)}` : '') +
    '.'
  );
}
