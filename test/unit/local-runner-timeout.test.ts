import { runLocally } from '../../cli/local-runner';
import { VirtualClock } from '../../shared/clock/clock';

const definition = {
  StartAt: 'Slow',
  States: {
    Slow: {
      Type: 'Task',
      Resource: 'arn:aws:lambda:us-east-1:111111111111:function:appvend-slow',
      End: true,
    },
  },
};

describe('Function: runLocally', () => {
  afterEach(() => {
    jest.useRealTimers();
  });

  it('lets a Task without TimeoutSeconds run past 60 s of real time, as Step Functions sets no default timeout', async () => {
    // Prepare: a handler that answers only when told to
    jest.useFakeTimers({ doNotFake: ['setImmediate', 'nextTick', 'queueMicrotask'] });
    let finish: (value: unknown) => void = () => undefined;
    const handler = () => new Promise((resolve) => (finish = resolve));
    const outcome: { value?: unknown; error?: unknown } = {};
    const run = runLocally(
      { definition, handlers: { 'appvend-slow': handler as never }, clock: new VirtualClock() },
      { n: 1 },
    ).then(
      (value) => (outcome.value = value),
      (error: unknown) => (outcome.error = error),
    );

    // Act: ten minutes of real time pass, then the task answers
    await jest.advanceTimersByTimeAsync(10 * 60_000);
    const settledEarly = 'value' in outcome || 'error' in outcome;
    finish({ done: true });
    await run;

    // Assess
    expect(settledEarly).toBe(false);
    expect(outcome).toEqual({ value: { done: true } });
  });
});
