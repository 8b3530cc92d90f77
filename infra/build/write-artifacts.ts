import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { validateDefinition } from '../../cli/definition-validation';
import { TEMPLATE_KEYS } from '../../shared/domain/naming';
import { synthesizeVendedTemplates } from '../templates';
import { offboardStateMachineDefinition, vendStateMachineDefinition } from '../workflow/asl';

/**
 * Writes what the CLI and the Lambda bundles ship: the vended templates (plain CloudFormation,
 * one JSON file each) and the state machines' ASL (vend, offboard) for the local runner.
 * Usage: node write-artifacts.js <outDir> [templates|asl|all]
 */
function main(): void {
  const outDir = process.argv[2] ?? 'dist';
  const what = process.argv[3] ?? 'all';
  if (what === 'all' || what === 'templates') {
    const templates = synthesizeVendedTemplates();
    const dir = join(outDir, 'stacksets');
    mkdirSync(dir, { recursive: true });
    for (const key of TEMPLATE_KEYS) {
      writeFileSync(join(dir, `${key}.json`), `${JSON.stringify(templates[key], null, 1)}\n`);
    }
    process.stderr.write(`wrote ${TEMPLATE_KEYS.length} templates to ${dir}\n`);
  }
  if (what === 'all' || what === 'asl') {
    mkdirSync(outDir, { recursive: true });
    // Validated here, as the local runner would, so that the CLI runs them without validating
    // again (cli/definitions.ts): an invalid definition fails the build.
    const definitions = {
      'state-machine.asl.json': vendStateMachineDefinition(),
      'offboard-state-machine.asl.json': offboardStateMachineDefinition(),
    };
    for (const [file, definition] of Object.entries(definitions)) {
      validateDefinition(definition);
      writeFileSync(join(outDir, file), `${JSON.stringify(definition, null, 1)}\n`);
      process.stderr.write(`wrote ${join(outDir, file)}\n`);
    }
  }
}

main();
