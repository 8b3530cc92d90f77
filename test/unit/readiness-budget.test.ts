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
    expect(caps).toEqual([10, 20, 40, 80, 120, 120, 120, 120, 120, 120, 120, 120, 120]);
    expect(expected).toBe(615);
    expect(expected).toBeGreaterThanOrEqual(9.5 * 60);
    expect(expected).toBeLessThanOrEqual(11 * 60);
  });
});
