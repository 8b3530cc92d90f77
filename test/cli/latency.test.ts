import { formatLatency, parseLatencyOverrides } from '../../cli/latency';

describe('Function: parseLatencyOverrides', () => {
  it('reads figures with units, repeated or comma-separated', () => {
    // Act
    const overrides = parseLatencyOverrides([
      'createAccount=10m,stackSetOperationOverhead=30s',
      'stackInstanceCreate=1.5m',
    ]);

    // Assess
    expect(overrides).toEqual({
      createAccount: 600_000,
      stackSetOperationOverhead: 30_000,
      stackInstanceCreate: 90_000,
    });
  });

  it('refuses a figure without a unit and a name the model does not have', () => {
    // Assess
    expect(() => parseLatencyOverrides(['createAccount=10'])).toThrow(/with a unit/);
    expect(() => parseLatencyOverrides(['createAcount=10m'])).toThrow(/unknown name createAcount/);
  });

  it('reads nothing from nothing', () => {
    // Assess
    expect(parseLatencyOverrides()).toEqual({});
  });
});

describe('Function: formatLatency', () => {
  it('writes figures as the docs do', () => {
    // Assess
    expect([180_000, 15_000, 5_400_000, 250, 0].map(formatLatency)).toEqual([
      '3m',
      '15s',
      '1h30m',
      '250ms',
      '0s',
    ]);
  });
});
