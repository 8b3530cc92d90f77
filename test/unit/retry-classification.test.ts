import { vendStateMachineDefinition } from '../../infra/workflow/asl';
import { retryDelayMs } from '../../cli/local-runner';
import * as errors from '../../shared/errors';
import {
  ACCOUNT_CREATION_LOOKS,
  CONFORMANCE_PACK_LOOKS,
  STACK_SET_OPERATION_LOOKS,
  lookRetryWaits,
} from '../../shared/domain/polling';
import {
  ACCOUNT_NOT_READY_RETRY,
  CLOSURES_BUSY_RETRY,
  NOT_RETRIED,
  PACK_BUSY_RETRY,
  TRANSIENT_ERRORS,
} from '../../shared/domain/retry';

type State = {
  Type: string;
  Retry?: {
    ErrorEquals: string[];
    MaxAttempts?: number;
    JitterStrategy?: string;
    IntervalSeconds?: number;
    BackoffRate?: number;
    MaxDelaySeconds?: number;
  }[];
  ItemProcessor?: { States: Record<string, State> };
  Branches?: { States: Record<string, State> }[];
};

function tasks(states: Record<string, State>): [string, State][] {
  return Object.entries(states).flatMap(([name, state]) => [
    ...(state.Type === 'Task' ? [[name, state] as [string, State]] : []),
    ...(state.ItemProcessor ? tasks(state.ItemProcessor.States) : []),
    ...(state.Branches ?? []).flatMap((b) => tasks(b.States)),
  ]);
}

describe('Retry classification', () => {
  const definition = vendStateMachineDefinition() as { States: Record<string, State> };
  const all = tasks(definition.States);

  it('retries the transient errors in every task, with full jitter, and never everything', () => {
    expect(all.length).toBeGreaterThan(10);
    for (const [name, task] of all) {
      const retried = (task.Retry ?? []).flatMap((r) => r.ErrorEquals);
      expect({ name, missing: TRANSIENT_ERRORS.filter((e) => !retried.includes(e)) }).toEqual({
        name,
        missing: [],
      });
      expect({ name, catchAll: retried.includes('States.ALL') }).toEqual({ name, catchAll: false });
      const ours = task.Retry!.find((r) => r.ErrorEquals.includes('TooManyRequestsException'))!;
      expect(ours.JitterStrategy).toBe('FULL');
    }
  });

  it('retries "the account does not answer yet" only where the probe runs', () => {
    const probing = all.filter(([, t]) =>
      (t.Retry ?? []).some((r) => r.ErrorEquals.includes(ACCOUNT_NOT_READY_RETRY.error)),
    );
    expect(probing.map(([name]) => name)).toEqual(['MoveAccount']);
    expect(ACCOUNT_NOT_READY_RETRY.error).toBe(new errors.AccountNotReadyError('x').name);
  });

  it('looks again at a running operation only in its check task, by a Retry without jitter', () => {
    const looks = [ACCOUNT_CREATION_LOOKS, STACK_SET_OPERATION_LOOKS, CONFORMANCE_PACK_LOOKS];
    const looking = all.flatMap(([name, t]) =>
      (t.Retry ?? [])
        .filter((r) => looks.some((look) => r.ErrorEquals.includes(look.error)))
        .map((r) => ({ name, retry: r })),
    );
    expect(looking.map(({ name, retry }) => `${name}: ${retry.ErrorEquals.join()}`).sort()).toEqual([
      'CheckAccountCreation: AccountCreationInProgressError',
      'CheckArtifactStore: StackSetOperationRunningError',
      'CheckConformancePacks: ConformancePacksDeployingError',
      'CheckCrossAccountRoles: StackSetOperationRunningError',
      'CheckGuardrails: StackSetOperationRunningError',
      'CheckPipeline: StackSetOperationRunningError',
    ]);
    for (const { retry } of looking) {
      const look = looks.find((l) => retry.ErrorEquals.includes(l.error))!;
      expect(retry).toEqual({
        ErrorEquals: [look.error],
        IntervalSeconds: look.intervalSeconds,
        BackoffRate: look.backoffRate,
        MaxAttempts: look.maxAttempts,
        MaxDelaySeconds: look.maxDelaySeconds,
        JitterStrategy: 'NONE',
      });
    }
    // The names the handlers throw are the names the Retry catches.
    expect(ACCOUNT_CREATION_LOOKS.error).toBe(new errors.AccountCreationInProgressError('x').name);
    expect(STACK_SET_OPERATION_LOOKS.error).toBe(new errors.StackSetOperationRunningError('x').name);
    expect(CONFORMANCE_PACK_LOOKS.error).toBe(new errors.ConformancePacksDeployingError('x').name);
    // Each looks for at least a day before the step fails.
    for (const look of looks) {
      expect(lookRetryWaits(look).reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(24 * 3600);
    }
  });

  it('lists what is not retried, and no error is both', () => {
    const retriedByName = new Set<string>([
      ...TRANSIENT_ERRORS,
      ACCOUNT_CREATION_LOOKS.error,
      STACK_SET_OPERATION_LOOKS.error,
      CONFORMANCE_PACK_LOOKS.error,
      ACCOUNT_NOT_READY_RETRY.error,
      PACK_BUSY_RETRY.error,
      CLOSURES_BUSY_RETRY.error,
    ]);
    expect(Object.keys(NOT_RETRIED).filter((name) => retriedByName.has(name))).toEqual([]);
    // Every error appvend raises on purpose is classified one way or the other.
    const raised = Object.values(errors)
      .filter(
        (value): value is typeof errors.AppvendError =>
          typeof value === 'function' && value.prototype instanceof errors.AppvendError,
      )
      .map((error) => error.name);
    expect(raised.filter((name) => !retriedByName.has(name) && !(name in NOT_RETRIED))).toEqual([]);
  });
});

describe('Function: retryDelayMs (the local runner spends Retry waits on the clock)', () => {
  const retriers = [
    {
      ErrorEquals: ['Throttling'],
      IntervalSeconds: 5,
      BackoffRate: 2,
      MaxAttempts: 3,
      MaxDelaySeconds: 8,
      JitterStrategy: 'FULL' as const,
    },
    {
      ErrorEquals: ['StillRunning'],
      IntervalSeconds: 10,
      BackoffRate: 1.5,
      MaxAttempts: 4,
      MaxDelaySeconds: 20,
    },
    { ErrorEquals: ['States.ALL'], IntervalSeconds: 1, MaxAttempts: 1 },
  ];
  const delays = (error: string, counts: number[]) =>
    retryDelayMs(retriers, error, (i) => counts[i] ?? 0)?.delayMs;

  it('waits half the backoff with full jitter (its mean), capped, for as many attempts as allowed', () => {
    expect([0, 1, 2, 3].map((attempt) => delays('Throttling', [attempt]))).toEqual([
      2500,
      4000,
      4000,
      undefined,
    ]);
  });

  it('waits the whole backoff without jitter (JitterStrategy NONE, the default)', () => {
    expect([0, 1, 2, 3, 4].map((attempt) => delays('StillRunning', [0, attempt]))).toEqual([
      10_000,
      15_000,
      20_000,
      20_000,
      undefined,
    ]);
  });

  it("counts each retrier's attempts apart, as Step Functions does", () => {
    // Two throttles already retried do not use up the looks' attempts.
    expect(retryDelayMs(retriers, 'StillRunning', (i) => [2, 0][i] ?? 0)).toEqual({
      retrier: 1,
      delayMs: 10_000,
    });
    expect(retryDelayMs(retriers, 'Throttling', (i) => [2, 3][i] ?? 0)).toEqual({
      retrier: 0,
      delayMs: 4000,
    });
  });

  it('falls through to States.ALL and answers undefined when nothing retries', () => {
    expect(delays('Other', [0, 0, 0])).toBe(1000);
    expect(delays('Other', [0, 0, 1])).toBeUndefined();
    expect(retryDelayMs([], 'Throttling', () => 0)).toBeUndefined();
  });
});
