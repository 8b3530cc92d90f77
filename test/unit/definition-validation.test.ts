import { isValidated, validateDefinition } from '../../cli/definition-validation';
import { definitionOf } from '../setup/definitions';

describe('State machine definitions are validated where they are made, once', () => {
  it('refuses a definition the States Language does not allow, naming what is wrong', () => {
    // Prepare: a Task state without its Resource, and a Next that names no state.
    const broken = {
      StartAt: 'Work',
      States: { Work: { Type: 'Task', Next: 'Nowhere' } },
    };

    // Act
    const validate = () => validateDefinition(broken);

    // Assess
    expect(validate).toThrow(/invalid[\s\S]*\/States\/Work/);
    expect(isValidated(broken)).toBe(false);
  });

  it('marks a definition it accepts, so that its runs skip validating it again', () => {
    // Prepare
    const definition = { StartAt: 'Done', States: { Done: { Type: 'Succeed' } } };

    // Act
    validateDefinition(definition);

    // Assess
    expect(isValidated(definition)).toBe(true);
  });

  it("takes the test run's definitions as validated by its setup, which validated them", () => {
    expect(isValidated(definitionOf('vend'))).toBe(true);
    expect(isValidated(definitionOf('offboard'))).toBe(true);
  });
});
