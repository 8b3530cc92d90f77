import {
  ACCOUNT_NOT_READY_RETRY,
  expectedFullJitterSeconds,
  retryCapsSeconds,
} from '../../shared/domain/retry';

describe('Policy: ACCOUNT_NOT_READY_RETRY', () => {
  it('waits about ten minutes on average with full jitter: half the sum of the caps', () => {
    // Act
    const caps = retryCapsSeconds(ACCOUNT_NOT_READY_RETRY);
    const expected = expectedFullJitterSeconds(ACCOUNT_NOT_READY_RETRY);

    // Assess
    expect(caps.map((c) => Math.round(c * 100) / 100)).toEqual([
      4, 6, 9, 13.5, 20.25, 30.38, 45.56, 68.34, 102.52, 120, 120, 120, 120, 120, 120, 120, 120,
    ]);
    expect(Math.round(expected)).toBe(630);
    expect(expected).toBeGreaterThanOrEqual(9.5 * 60);
    expect(expected).toBeLessThanOrEqual(11 * 60);
  });
});
