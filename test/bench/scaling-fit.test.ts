import { fitExponent, renderScalingFit, scalingFits } from '../../bench/scaling-fit';

const run = (applications: number, wallSeconds: number, peakRssMiB: number) => ({
  applications,
  wallSeconds,
  cpuSeconds: wallSeconds,
  peakRssMiB,
});

describe('Function: fitExponent', () => {
  it('finds 1 for a cost proportional to the applications and 2 for one proportional to their square', () => {
    // Prepare
    const xs = [1, 10, 50, 100];

    // Act
    const linear = fitExponent(
      xs,
      xs.map((x) => 3 * x),
    )!;
    const quadratic = fitExponent(
      xs,
      xs.map((x) => 0.5 * x * x),
    )!;

    // Assess
    expect(linear.exponent).toBeCloseTo(1, 10);
    expect(linear.r2).toBeCloseTo(1, 10);
    expect(quadratic.exponent).toBeCloseTo(2, 10);
    expect(linear.points).toBe(4);
  });

  it('fits the least-squares slope of noisy points: log2 of (2, 4.4, 7.6) against (1, 2, 4)', () => {
    // Act: slope of (0, 1.1375, 2.926) on (0, 1, 2) in log2 units (the base cancels out).
    const fit = fitExponent([1, 2, 4], [2, 4.4, 7.6])!;

    // Assess: Σ(x−x̄)(y−ȳ)/Σ(x−x̄)² with x = log2(1, 2, 4) = (0, 1, 2)
    const ly = [2, 4.4, 7.6].map(Math.log2);
    expect(fit.exponent).toBeCloseTo((ly[2]! - ly[0]!) / 2, 10);
    expect(fit.r2).toBeLessThan(1);
  });

  it('gives no fit without two distinct application counts, and ignores non-positive figures', () => {
    // Act + Assess
    expect(fitExponent([10, 10], [1, 2])).toBeUndefined();
    expect(fitExponent([10, 20, 40], [0, 4, 8])!.points).toBe(2);
    expect(() => fitExponent([1, 2], [1])).toThrow(RangeError);
  });
});

describe('Function: scalingFits', () => {
  it('fits all runs, and separately the runs from 10 applications up', () => {
    // Prepare: a fixed 2 s start-up plus 0.1 s per application
    const runs = [1, 10, 100, 1000].map((n) => run(n, 2 + 0.1 * n, 100 + n));

    // Act
    const fits = scalingFits(runs);

    // Assess: the start-up flattens the whole fit; from 10 up it is closer to linear
    expect(fits.wallSeconds!.exponent).toBeLessThan(fits.from10!.wallSeconds!.exponent);
    expect(fits.from10!.wallSeconds!.points).toBe(3);
    expect(fits.from10!.wallSeconds!.exponent).toBeGreaterThan(0.75);
    expect(fits.wallSeconds!.exponent).toBeLessThan(0.75);
  });

  it('renders the exponents, and nothing with a single run', () => {
    // Act
    const text = renderScalingFit([run(10, 5, 150), run(100, 50, 300)])!;

    // Assess
    expect(text).toContain('wall time **1.00**');
    expect(text).toContain('peak RSS **0.30**');
    expect(renderScalingFit([run(10, 5, 150)])).toBeUndefined();
  });
});
