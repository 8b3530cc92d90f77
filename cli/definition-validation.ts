import './polyfills';
import { StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';

/**
 * The checks a state machine definition passes before the local runner runs it: aws-local-
 * stepfunctions' own (asl-validator's JSON Schema of the States Language), without the ARN check
 * (the Task states name functions of an account that does not exist here).
 */
export const VALIDATION_OPTIONS = { checkArn: false } as const;

/** Definitions validated with {@link VALIDATION_OPTIONS} in this process, or where they were made. */
const validated = new WeakSet<object>();

/**
 * Validates a definition as the runner would, and throws what is wrong with it. Validation compiles
 * a JSON Schema (about 0.6 s), so it is done where a definition is made (the build, for dist/; the
 * test run's setup, for the tests) and not again by each process that runs it.
 */
export function validateDefinition(definition: Record<string, unknown>): void {
  new StateMachine(definition as unknown as StateMachineDefinition, {
    validationOptions: VALIDATION_OPTIONS,
  });
  validated.add(definition);
}

/** A definition already validated where it was made: its runs skip validating it again. */
export function markValidated<T extends object>(definition: T): T {
  validated.add(definition);
  return definition;
}

export const isValidated = (definition: object): boolean => validated.has(definition);
