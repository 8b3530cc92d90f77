import { vendStateMachineDefinition } from '../../infra/workflow/asl';
import { retryDelayMs } from '../../cli/local-runner';
import * as errors from '../../shared/errors';
import {
  ACCOUNT_NOT_READY_RETRY,
  CLOSURES_BUSY_RETRY,
  NOT_RETRIED,
  PACK_BUSY_RETRY,
  TRANSIENT_ERRORS,
} from '../../shared/domain/retry';

type State = {
  Type: string;
  Retry?: { ErrorEquals: string[]; MaxAttempts?: number; JitterStrategy?: string }[];
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

  it('lists what is not retried, and no error is both', () => {
    const retriedByName = new Set<string>([
      ...TRANSIENT_ERRORS,
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
    { ErrorEquals: ['Throttling'], IntervalSeconds: 5, BackoffRate: 2, MaxAttempts: 3, MaxDelaySeconds: 8 },
    { ErrorEquals: ['States.ALL'], IntervalSeconds: 1, MaxAttempts: 1 },
  ];

  it('waits half the backoff (the mean of full jitter), capped, for as many attempts as allowed', () => {
    expect([0, 1, 2, 3].map((attempt) => retryDelayMs(retriers, 'Throttling', attempt))).toEqual([
      2500,
      4000,
      4000,
      undefined,
    ]);
  });

  it('falls through to States.ALL and answers undefined when nothing retries', () => {
    expect(retryDelayMs(retriers, 'Other', 0)).toBe(500);
    expect(retryDelayMs(retriers, 'Other', 1)).toBeUndefined();
    expect(retryDelayMs([], 'Throttling', 0)).toBeUndefined();
  });
});
