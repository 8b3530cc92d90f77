import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The state machine definitions the build writes (dist/), beside the CLI bundle that runs them. */
export type DefinitionFile = 'state-machine.asl.json' | 'offboard-state-machine.asl.json';

/**
 * Reads a state machine definition from the directory of the running code: the bundle's (dist/)
 * in the CLI, so the CLI runs exactly the definition the build synthesized.
 */
export function readDefinition(file: DefinitionFile): Record<string, unknown> {
  return JSON.parse(readFileSync(join(__dirname, file), 'utf8')) as Record<string, unknown>;
}
