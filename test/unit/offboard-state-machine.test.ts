import { offboardStateMachineDefinition } from '../../infra/workflow/asl';
import { STACK_SET_OPERATION_LOOKS } from '../../shared/domain/polling';
import { PACK_BUSY_RETRY, TRANSIENT_ERRORS } from '../../shared/domain/retry';
import { ConformancePackBusyError } from '../../shared/errors';
import { OFFBOARD_STEPS } from '../../shared/workflow/offboard/top-level-steps';

type State = {
  Type: string;
  Resource?: string;
  Parameters?: { FunctionName?: string };
  SecondsPath?: string;
  Seconds?: number;
  Retry?: { ErrorEquals: string[]; JitterStrategy?: string }[];
  Catch?: { ErrorEquals: string[]; Next: string }[];
  ItemProcessor?: { States: Record<string, State> };
  Choices?: { Variable?: string; StringEquals?: string; Next: string }[];
  Default?: string;
  Next?: string;
};

function allStates(states: Record<string, State>): [string, State][] {
  return Object.entries(states).flatMap(([name, state]) => [
    [name, state] as [string, State],
    ...(state.ItemProcessor ? allStates(state.ItemProcessor.States) : []),
  ]);
}

describe('State machine: offboard', () => {
  const definition = offboardStateMachineDefinition() as { StartAt: string; States: Record<string, State> };
  const states = allStates(definition.States);

  it('retries the transient errors in every task, with full jitter, and never everything', () => {
    const tasks = states.filter(([, s]) => s.Type === 'Task');
    expect(tasks.length).toBe(10);
    for (const [name, task] of tasks) {
      const retried = (task.Retry ?? []).flatMap((r) => r.ErrorEquals);
      expect({ name, missing: TRANSIENT_ERRORS.filter((e) => !retried.includes(e)) }).toEqual({
        name,
        missing: [],
      });
      expect({ name, catchAll: retried.includes('States.ALL') }).toEqual({ name, catchAll: false });
      expect(task.Retry!.find((r) => r.ErrorEquals.includes('ThrottlingException'))?.JitterStrategy).toBe(
        'FULL',
      );
    }
  });

  it('asks RemoveGuardrails again, for minutes, while a conformance pack is still deploying', () => {
    const guardrails = states.find(([name]) => name === 'RemoveGuardrails')![1];
    const retrier = (guardrails.Retry ?? []).find((r) => r.ErrorEquals.includes(PACK_BUSY_RETRY.error));
    expect(retrier).toMatchObject({ ErrorEquals: [PACK_BUSY_RETRY.error], JitterStrategy: 'FULL' });
    expect(PACK_BUSY_RETRY.error).toBe(new ConformancePackBusyError('x').name);
    const others = states.filter(([name, s]) => name !== 'RemoveGuardrails' && s.Type === 'Task');
    expect(
      others.filter(([, s]) => s.Retry!.some((r) => r.ErrorEquals.includes(PACK_BUSY_RETRY.error))),
    ).toEqual([]);
  });

  it("waits with a Wait state before the first look, for as long as the removal says (later looks: the check's Retry)", () => {
    const waits = states.filter(([, s]) => s.Type === 'Wait');
    expect(waits.map(([name, s]) => [name, s.SecondsPath])).toEqual([
      ['WaitForStackSetRemoval', '$.removal.poll.waitSeconds'],
    ]);
  });

  it('removes a stack set again after its operation ended, also after a deletion that met a bucket refilled by late access logs', () => {
    // The check answers only once the operation ended (SUCCEEDED, or BUCKET_REFILLED: the removal
    // empties the bucket again, then retries); while it runs, the check's Retry looks again.
    const check = states.find(([name]) => name === 'CheckStackSetRemoval')![1];
    expect(check.Next).toBe('RemoveStackSet');
    expect(check.Retry!.find((r) => r.ErrorEquals.includes(STACK_SET_OPERATION_LOOKS.error))).toMatchObject({
      MaxAttempts: STACK_SET_OPERATION_LOOKS.maxAttempts,
      JitterStrategy: 'NONE',
    });
    expect(states.filter(([name]) => name.endsWith('OperationEnded?'))).toEqual([]);
  });

  it('starts by preparing, and records a failure of any top-level step before failing', () => {
    // First the correlation keys every task sends (a Pass: it cannot fail), then the first step.
    expect(definition.StartAt).toBe('CorrelateOffboarding');
    expect(definition.States.CorrelateOffboarding).toMatchObject({
      Type: 'Pass',
      Next: 'PrepareOffboarding',
    });
    for (const step of OFFBOARD_STEPS) {
      const state = definition.States[step];
      expect({ step, catches: state?.Catch?.map((c) => c.Next) }).toEqual({
        step,
        catches: [`OffboardingFailedAt${step}`],
      });
      expect(definition.States[`OffboardingFailedAt${step}`]).toMatchObject({
        Next: 'RecordOffboardingFailure',
      });
    }
    expect(definition.States.RecordOffboardingFailure).toMatchObject({ Next: 'OffboardingFailed' });
  });
});
