import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** Where the buildspec lives in the repository. */
export const BUILDSPEC_PATH = 'templates/buildspec.yml';

/** The buildspec file as written, found by walking up from `from` to the repository root. */
export function readBuildspec(from: string = __dirname): string {
  for (let dir = from; ; dir = dirname(dir)) {
    const candidate = join(dir, BUILDSPEC_PATH);
    if (existsSync(candidate)) return readFileSync(candidate, 'utf8');
    if (dirname(dir) === dir) throw new Error(`Cannot find ${BUILDSPEC_PATH} above ${from}`);
  }
}

/**
 * The buildspec appvend ships, as embedded in each CodeBuild project: the application repository
 * cannot change what the build runs with the build role's permissions, and there is one copy to
 * review. Top-level comment lines are dropped: they document the file for people, and their
 * `${AppName}`-style examples would read as unresolved CloudFormation substitutions.
 */
export function shippedBuildspec(from: string = __dirname): string {
  return readBuildspec(from)
    .split('\n')
    .filter((line) => !line.startsWith('#'))
    .join('\n')
    .trimStart();
}
