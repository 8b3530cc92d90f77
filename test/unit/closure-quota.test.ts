import { checkClosureQuota, closureQuota, recentClosures } from '../../shared/domain/closure-quota';
import { QuotaExceededError } from '../../shared/errors';

describe('Function: checkClosureQuota', () => {
  it('refuses a closure over the quota, naming every figure', () => {
    // Act
    const refuse = () => checkClosureQuota({ toClose: 3, recent: 4, memberAccounts: 52, share: 0.1 });

    // Assess
    expect(refuse).toThrow(QuotaExceededError);
    expect(refuse).toThrow(
      /^closing 3 accounts would make 7 closures in 30 days; the quota is 5 \(10% of 52 member accounts\)/,
    );
  });

  it('allows a closure that reaches the quota exactly, and any closure of nothing', () => {
    expect(checkClosureQuota({ toClose: 1, recent: 4, memberAccounts: 52, share: 0.1 })).toEqual({
      quota: 5,
    });
    expect(checkClosureQuota({ toClose: 0, recent: 9, memberAccounts: 52, share: 0.1 })).toEqual({
      quota: 5,
    });
  });

  it('rounds the quota down, and is exact for shares that floating point rounds badly', () => {
    expect(closureQuota(52, 0.1)).toBe(5);
    expect(closureQuota(30, 0.1)).toBe(3);
    expect(closureQuota(100, 0.57)).toBe(57);
    expect(closureQuota(9, 0.1)).toBe(0);
  });
});

describe('Function: recentClosures', () => {
  const now = new Date('2026-11-29T12:00:00.000Z');

  it('counts recorded closures of the last 30 days and every account AWS shows closed, each once', () => {
    // Act
    const ids = recentClosures({
      recorded: [
        { id: '200000000001', closedAt: '2026-11-28T12:00:00.000Z' },
        { id: '200000000002', closedAt: '2026-10-30T12:00:01.000Z' },
        { id: '200000000003', closedAt: '2026-10-30T12:00:00.000Z' },
      ],
      closedInAws: ['200000000001', '200000000004'],
      now,
    });

    // Assess: 3 is exactly 30 days old, out of the window.
    expect([...ids].sort()).toEqual(['200000000001', '200000000002', '200000000004']);
  });
});
