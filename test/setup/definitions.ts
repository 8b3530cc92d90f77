import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { markValidated, validateDefinition } from '../../cli/definition-validation';

/**
 * The state machines' ASL as CDK defines it, synthesized and validated once for the whole jest run
 * (globalSetup) instead of in each test file: CDK's synth and the validator's JSON Schema cost
 * about a second per file that runs a workflow, and dozens do. The files hold exactly what
 * `vendStateMachineDefinition()` and `offboardStateMachineDefinition()` return.
 */
export const DEFINITIONS_VARIABLE = 'APPVEND_TEST_DEFINITIONS';

export type DefinitionName = 'vend' | 'offboard';

/**
 * CDK's synth of a definition. aws-cdk-lib is loaded only here, when asked: a test file that reads
 * the run's definitions does not pay for loading it.
 */
function synthesize(name: DefinitionName): Record<string, unknown> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on demand, see above
  const asl = require('../../infra/workflow/asl') as typeof import('../../infra/workflow/asl');
  return name === 'vend' ? asl.vendStateMachineDefinition() : asl.offboardStateMachineDefinition();
}

export function writeDefinitions(): void {
  const dir = mkdtempSync(join(tmpdir(), 'appvend-definitions-'));
  for (const name of ['vend', 'offboard'] as const) {
    const definition = synthesize(name);
    validateDefinition(definition);
    writeFileSync(join(dir, `${name}.asl.json`), JSON.stringify(definition));
  }
  process.env[DEFINITIONS_VARIABLE] = dir;
}

export function removeDefinitions(): void {
  const dir = process.env[DEFINITIONS_VARIABLE];
  if (dir) rmSync(dir, { recursive: true, force: true });
}

/**
 * A state machine's definition: the run's, validated by the setup, when jest's globalSetup wrote
 * them; otherwise (a script outside jest: the fault matrix's runner, the benchmark) synthesized
 * here, to be validated by its first run.
 */
export function definitionOf(name: DefinitionName): Record<string, unknown> {
  const dir = process.env[DEFINITIONS_VARIABLE];
  if (!dir) return synthesize(name);
  return markValidated(
    JSON.parse(readFileSync(join(dir, `${name}.asl.json`), 'utf8')) as Record<string, unknown>,
  );
}
