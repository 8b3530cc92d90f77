import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { markValidated } from './definition-validation';

/** The state machine definitions the build writes (dist/), beside the CLI bundle that runs them. */
export type DefinitionFile = 'state-machine.asl.json' | 'offboard-state-machine.asl.json';

/**
 * Reads a state machine definition from the directory of the running code: the bundle's (dist/)
 * in the CLI, so the CLI runs exactly the definition the build synthesized. The build validated
 * it before writing it (infra/build/write-artifacts.ts): the runner does not validate it again.
 */
export function readDefinition(file: DefinitionFile): Record<string, unknown> {
  return markValidated(JSON.parse(readFileSync(join(__dirname, file), 'utf8')) as Record<string, unknown>);
}
