import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TemplateKey } from '../domain/naming';

/**
 * The vended templates are synthesized by CDK at build time (`npm run templates`) and shipped
 * next to the code that deploys them: beside the CLI bundle, inside each Lambda bundle.
 */
const cache = new Map<string, string>();

export function templatesDir(configured?: string): string {
  return configured || process.env.APPVEND_TEMPLATES_DIR || join(__dirname, 'stacksets');
}

/** The template body (minified JSON) for a stack set. */
export function loadTemplate(key: TemplateKey, dir = templatesDir()): string {
  const path = join(dir, `${key}.json`);
  let body = cache.get(path);
  if (body === undefined) {
    try {
      body = JSON.stringify(JSON.parse(readFileSync(path, 'utf8')));
    } catch (error) {
      throw new Error(`Cannot read the ${key} template at ${path}; run \`npm run templates\``, {
        cause: error,
      });
    }
    cache.set(path, body);
  }
  return body;
}

export function digest(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 16);
}
