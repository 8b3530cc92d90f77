import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
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
    writeFileSync(
      join(outDir, 'state-machine.asl.json'),
      `${JSON.stringify(vendStateMachineDefinition(), null, 1)}\n`,
    );
    process.stderr.write(`wrote ${join(outDir, 'state-machine.asl.json')}\n`);
    writeFileSync(
      join(outDir, 'offboard-state-machine.asl.json'),
      `${JSON.stringify(offboardStateMachineDefinition(), null, 1)}\n`,
    );
    process.stderr.write(`wrote ${join(outDir, 'offboard-state-machine.asl.json')}\n`);
  }
}

main();
