import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

/** The project's root: where the CLI is run from, and where the sample events are. */
export const PROJECT_ROOT = join(__dirname, '../..');

/**
 * The CLI as a user runs it: `bin/appvend.js` over the bundle `npm run build` wrote, with only what
 * a user's shell would have (no `APPVEND_*` settings left behind by other tests) and `env`.
 */
export function runAppvend(
  args: readonly string[],
  env: Record<string, string> = {},
): { code: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [join(PROJECT_ROOT, 'bin/appvend.js'), ...args], {
    cwd: PROJECT_ROOT,
    encoding: 'utf8',
    env: {
      ...Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('APPVEND_'))),
      ...env,
    },
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}
