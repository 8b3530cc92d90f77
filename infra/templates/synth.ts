/**
 * Writes the vended templates and the conformance pack body to a directory (default
 * `dist/templates`): `esbuild infra/templates/synth.ts --bundle --platform=node --packages=external
 * --outfile=dist/synth-templates.js && node dist/synth-templates.js [outDir]`.
 */
import { writeVendedTemplates } from './index';

const outDir = process.argv[2] ?? 'dist/templates';
for (const path of writeVendedTemplates(outDir)) console.log(path);
