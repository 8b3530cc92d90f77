import { checkClosureQuota, closureQuota, recentClosures } from '../../shared/domain/closure-quota';
import { QuotaExceededError } from '../../shared/errors';

describe('Function: checkClosureQuota', () => {
  it('refuses a closure over the quota, naming every figure', () => {
    // Act
    const refuse = () => checkClosureQuota({ toClose: 3, recent: 14, memberAccounts: 152, share: 0.1 });

    // Assess
    expect(refuse).toThrow(QuotaExceededError);
    expect(refuse).toThrow(
      /^closing 3 accounts would make 17 closures in 30 days; the quota is 15 \(10% of 152 member accounts, between 10 and 1000\)/,
    );
  });

  it('allows a closure that reaches the quota exactly, and any closure of nothing', () => {
    expect(checkClosureQuota({ toClose: 1, recent: 14, memberAccounts: 152, share: 0.1 })).toEqual({
      quota: 15,
    });
    expect(checkClosureQuota({ toClose: 0, recent: 19, memberAccounts: 152, share: 0.1 })).toEqual({
      quota: 15,
    });
  });

  it('lets a 20-account organization close a 3-account application: AWS allows at least 10', () => {
    expect(checkClosureQuota({ toClose: 3, recent: 0, memberAccounts: 20, share: 0.1 })).toEqual({
      quota: 10,
    });
    expect(() => checkClosureQuota({ toClose: 3, recent: 8, memberAccounts: 20, share: 0.1 })).toThrow(
      QuotaExceededError,
    );
  });

  it('rounds the quota down, clamped between 10 and 1,000 as AWS does, exact for awkward shares', () => {
    expect(closureQuota(152, 0.1)).toBe(15);
    expect(closureQuota(130, 0.1)).toBe(13);
    expect(closureQuota(100, 0.57)).toBe(57);
    expect(closureQuota(52, 0.1)).toBe(10);
    expect(closureQuota(9, 0.1)).toBe(10);
    expect(closureQuota(20_000, 0.1)).toBe(1000);
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
