import { vendStateMachineDefinition } from '../../infra/workflow/asl';
import { TOP_LEVEL_STEPS, VEND_ENTRY_STATES, topLevelStepOf } from '../../shared/workflow/top-level-steps';

type States = Record<
  string,
  { ItemProcessor?: { States: States }; Iterator?: { States: States }; Branches?: { States: States }[] }
>;

/** Every state of the definition with the top-level state it sits under. */
function statesWithParents(states: States, parent?: string): [string, string][] {
  return Object.entries(states).flatMap(([name, state]) => {
    const top = parent ?? name;
    const nested = [
      state.ItemProcessor?.States,
      state.Iterator?.States,
      ...(state.Branches ?? []).map((b) => b.States),
    ];
    return [[name, top] as [string, string], ...nested.flatMap((n) => (n ? statesWithParents(n, top) : []))];
  });
}

describe('Function: topLevelStepOf', () => {
  it('maps every state of the vend state machine to the top-level step it runs under', () => {
    // Prepare
    const definition = vendStateMachineDefinition() as { States: States };
    // The entry states (correlation keys, the resume Choice) are read as validation, where a new
    // vend is; the failure states as the summary.
    const expected = statesWithParents(definition.States).map(([name, top]) => [
      name,
      (TOP_LEVEL_STEPS as readonly string[]).includes(top)
        ? top
        : VEND_ENTRY_STATES.has(top)
          ? 'ValidateRequest'
          : 'Summarize',
    ]);

    // Act
    const actual = expected.map(([name]) => [name, topLevelStepOf(name!)]);

    // Assess
    expect(actual).toEqual(expected);
    expect(expected.length).toBeGreaterThan(40);
  });
});
