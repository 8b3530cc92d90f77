import { referenceIdeal, scaleLowerBound, stackSetOperation, vendLowerBound } from '../../bench/bound';
import { callsByService, maxInFlight, requestsSeenByAppvend } from '../../bench/measures';
import { pairedRatio } from '../../bench/cold-start';
import { comparePeers } from '../../bench/peers';
import { pollSchedule } from '../../bench/polling';
import { ACCOUNT_POLL_POLICY } from '../../shared/domain/polling';
import { DEFAULT_LATENCY, type LatencyModel } from '../../shared/sandbox';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
/** Round figures, so that each expected value can be checked by hand. */
const latency: LatencyModel = {
  ...DEFAULT_LATENCY,
  createAccount: 3 * MINUTE,
  stackSetOperationOverhead: 15 * SECOND,
  stackInstanceCreate: 1 * MINUTE,
  stackInstanceUpdate: 1 * MINUTE,
  conformancePackDeploy: 2 * MINUTE,
};

describe('Function: vendLowerBound', () => {
  it('is one CreateAccount, the access role, then the guardrails → conformance pack branch for tooling, test and prod', () => {
    // Act
    const bound = vendLowerBound(latency, { stages: 2 }, { createAccountQuota: 5 });

    // Assess: 180 + 60 + max(150, 75, 75 + 120).
    expect(bound.accounts).toBe(3 * MINUTE);
    expect(bound.accessRole).toBe(latency.accessRolePropagation);
    expect(bound.branches).toEqual({ pipeline: 150 * SECOND, roles: 75 * SECOND, guardrails: 195 * SECOND });
    expect(bound.total).toBe(3 * MINUTE + 60 * SECOND + 195 * SECOND);
  });

  it('takes two rounds of CreateAccount when the accounts outnumber the quota', () => {
    // Act
    const bound = vendLowerBound(latency, { stages: 5 }, { createAccountQuota: 5 });

    // Assess: six accounts, five at a time.
    expect(bound.accounts).toBe(6 * MINUTE);
  });

  it('names every wait the vend performs and derives the total in words with the figures', () => {
    // Act
    const bound = vendLowerBound(latency, { stages: 2 }, { createAccountQuota: 5 });

    // Assess
    expect(bound.includes).toEqual([
      'createAccount',
      'accessRolePropagation',
      'stackSetOperationOverhead',
      'stackInstanceCreate',
      'conformancePackDeploy',
    ]);
    expect(bound.derivation.at(-1)).toBe('total: 180 s + 60 s + 195 s = 435 s');
  });

  it('follows the pipeline chain when two stack set operations outlast one plus the conformance pack', () => {
    // Act: 2 × (30 + 90) = 240 > 120 + 120.
    const bound = vendLowerBound(
      { ...latency, stackSetOperationOverhead: 30 * SECOND, stackInstanceCreate: 90 * SECOND },
      { stages: 2 },
      { createAccountQuota: 5 },
    );

    // Assess
    expect(bound.stackSets).toBe(240 * SECOND);
  });
});

describe('Function: stackSetOperation', () => {
  it('deploys every instance at once by default, in batches when the concurrency is lower', () => {
    // Assess
    expect(stackSetOperation(latency, 3)).toBe(75 * SECOND);
    expect(stackSetOperation(latency, 3, 1)).toBe(15 * SECOND + 3 * MINUTE);
  });
});

describe('Function: scaleLowerBound', () => {
  it('is ⌈accounts / quota⌉ CreateAccount rounds plus one stack set tail', () => {
    // Act
    const bound = scaleLowerBound(latency, 100, { stages: 2 }, { createAccountQuota: 5 });

    // Assess: 300 accounts in 60 rounds.
    expect(bound.accounts).toBe(60 * 3 * MINUTE);
    expect(bound.total).toBe(60 * 3 * MINUTE + 60 * SECOND + 195 * SECOND);
  });
});

describe('Function: referenceIdeal', () => {
  it('adds the accounts one by one and six stack deployments in series', () => {
    // Assess: 3 accounts, 4 creates (artifact store, 2 × roles, pipeline), 2 updates.
    expect(referenceIdeal(latency, { stages: 2 })).toBe(9 * MINUTE + 6 * 75 * SECOND);
  });
});

describe('Function: pollSchedule', () => {
  it('follows the account poll policy: looks at 60, 120 and 210 s for a 3-minute CreateAccount', () => {
    // Act
    const schedule = pollSchedule(ACCOUNT_POLL_POLICY, 180);

    // Assess
    expect(schedule).toEqual({ looks: 3, noticedAfterSeconds: 210, overshootSeconds: 30 });
  });

  it('needs a single look when the operation is done by the first one', () => {
    // Assess
    expect(pollSchedule(ACCOUNT_POLL_POLICY, 30).looks).toBe(1);
  });
});

describe('Function: maxInFlight', () => {
  it('counts the requests that overlap, a slot freed at an instant counting before one taken', () => {
    // Prepare
    const requests = [
      { requestedAt: 0, completesAt: 10 },
      { requestedAt: 5, completesAt: 15 },
      { requestedAt: 10, completesAt: 20 },
      { requestedAt: 12, completesAt: 13 },
    ];

    // Act / Assess
    expect(maxInFlight(requests)).toBe(3);
    expect(maxInFlight([])).toBe(0);
  });
});

describe('Function: callsByService', () => {
  it('counts the call log by service', () => {
    // Prepare
    const call = (service: string) => ({ service, operation: 'X', accountId: '', mutating: false, at: 0 });

    // Act / Assess
    expect(callsByService([call('sts'), call('organizations'), call('sts')])).toEqual({
      organizations: 1,
      sts: 2,
    });
  });
});

describe('Function: requestsSeenByAppvend', () => {
  it('spans each account from the accepted start to the first check that saw it end, queued starts left out', () => {
    // Prepare: tooling accepted at 0 and seen done at 200; test queued at 0, accepted at 30, seen at 250.
    const tasks = [
      {
        function: 'appvend-start-account-creation',
        startedAt: 0,
        endedAt: 0,
        subject: 'tooling',
        outcome: 'IN_PROGRESS',
      },
      {
        function: 'appvend-start-account-creation',
        startedAt: 0,
        endedAt: 0,
        subject: 'test',
        outcome: 'QUEUED',
      },
      {
        function: 'appvend-start-account-creation',
        startedAt: 30,
        endedAt: 30,
        subject: 'test',
        outcome: 'IN_PROGRESS',
      },
      {
        function: 'appvend-check-account-creation',
        startedAt: 150,
        endedAt: 150,
        subject: 'tooling',
        outcome: 'IN_PROGRESS',
      },
      {
        function: 'appvend-check-account-creation',
        startedAt: 200,
        endedAt: 200,
        subject: 'tooling',
        outcome: 'SUCCEEDED',
      },
      {
        function: 'appvend-check-account-creation',
        startedAt: 250,
        endedAt: 250,
        subject: 'test',
        outcome: 'SUCCEEDED',
      },
    ];

    // Act
    const requests = requestsSeenByAppvend([{ tasks }]);

    // Assess
    expect(requests).toEqual([
      { requestedAt: 0, completesAt: 200 },
      { requestedAt: 30, completesAt: 250 },
    ]);
    expect(maxInFlight(requests)).toBe(2);
  });
});

describe('Module: peers', () => {
  it('models each peer on the latency model, by hand at the round figures', () => {
    // Act
    const peers = comparePeers(latency, { stages: 2 }, [{ applications: 1, makespanMs: 450 * SECOND }]);

    // Assess: 3 × 180 s one by one (15 s looks divide 180) + 60 s role + 195 s tail = 795 s; five at
    // once 180 + 255 = 435 s; the seed 3 × 180 + 60 + 4 × 75 + 2 × 75 + 75 + 120 = 1,245 s.
    expect(peers.map((p) => p.points[0]!.makespanMs / SECOND)).toEqual([795, 435, 1245]);
    expect(peers[0]!.points[0]!.ratio).toBeCloseTo(795 / 450);
    expect(peers.every((p) => p.sources.length > 0)).toBe(true);
  });

  it('queues accounts by each peer’s concurrency as applications grow', () => {
    // Act: 10 applications, 30 accounts.
    const peers = comparePeers(latency, { stages: 2 }, [{ applications: 10, makespanMs: 1 }]);

    // Assess: one at a time 30 × 180 s; five at a time 6 rounds; the seed ten times its one.
    expect(peers.map((p) => p.points[0]!.makespanMs / SECOND)).toEqual([
      30 * 180 + 255,
      6 * 180 + 255,
      10 * 1245,
    ]);
  });
});

describe('Function: pairedRatio', () => {
  it('gives the median, the quartiles and the extremes of the paired ratios', () => {
    // Act
    const spread = pairedRatio([1.4, 1.0, 1.2, 1.1, 1.3]);

    // Assess
    expect(spread).toEqual({ pairs: 5, median: 1.2, q1: 1.1, q3: 1.3, min: 1.0, max: 1.4 });
  });
});
