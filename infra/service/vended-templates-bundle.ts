import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TEMPLATE_KEYS } from '../../shared/domain/naming';
import { synthesizeVendedTemplates } from '../templates';

/** Where the functions that deploy stack sets find the templates: `stacksets/` beside `index.js`. */
export const BUNDLED_TEMPLATES_DIR = 'stacksets';

/**
 * Synthesizes the vended templates (with their cdk-nag checks) and writes them to `dir` as
 * `<key>.json`, the layout `shared/templates/template-store.ts` reads. The directory is then copied
 * into each bundle that deploys stack sets, so a function and the templates it deploys are one
 * asset and change together.
 *
 * @example
 * const dir = writeTemplatesForBundling(join(app.outdir, 'appvend-stacksets'));
 */
export function writeTemplatesForBundling(dir: string): string {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const templates = synthesizeVendedTemplates();
  for (const key of TEMPLATE_KEYS) {
    writeFileSync(join(dir, `${key}.json`), `${JSON.stringify(templates[key], null, 1)}\n`);
  }
  return dir;
}
