import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { BackendKind } from './backends';
import { parseLatencyOverrides } from './latency';

/** What every command shares about its arguments: usage errors (exit 2), request files, backends. */

/** A mistake in how a command was called: `appvend` answers it with exit 2 and a pointer to --help. */
export class UsageError extends Error {}

/** Reads and parses a request file; a problem is reported as the file's, not the request's. */
export function readRequest(path: string | undefined): unknown {
  if (!path) throw new UsageError('missing <request.json>');
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read ${path}: ${(error as Error).message}`);
  }
  // A UTF-8 byte order mark (Windows editors write one) is not JSON, but not part of the request.
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new UsageError(`${path} is not valid JSON: ${(error as Error).message}`);
  }
}

/** The options every command that talks to a backend takes. */
export const BACKEND_OPTIONS = {
  sandbox: { type: 'boolean' },
  endpoint: { type: 'string' },
  aws: { type: 'boolean' },
  json: { type: 'boolean' },
  state: { type: 'string', default: join('.appvend', 'sandbox.json') },
} as const;

/**
 * Parses the arguments of a command that talks to a backend: its own options with BACKEND_OPTIONS
 * and --region; positionals allowed, unknown options refused. The CLI's commands use
 * `parseCommand` (cli/commands.ts) instead, which also refuses extra arguments and sandbox-only
 * options on other backends; this stays for callers outside the command table.
 */
export function parseBackendCommand<T extends NonNullable<ParseArgsConfig['options']>>(
  args: string[],
  options: T,
) {
  return parseArgs({
    args,
    allowPositionals: true,
    strict: true,
    options: { ...BACKEND_OPTIONS, region: { type: 'string' }, ...options },
  });
}

/** Which backend the options choose: at most one of --sandbox, --endpoint, --aws (the sandbox by default). */
export function backendKind(values: { sandbox?: boolean; endpoint?: string; aws?: boolean }): BackendKind {
  const chosen = [values.sandbox, values.endpoint !== undefined, values.aws].filter(Boolean).length;
  if (chosen > 1) throw new UsageError('choose one of --sandbox, --endpoint URL, --aws');
  return values.endpoint !== undefined ? 'endpoint' : values.aws ? 'aws' : 'sandbox';
}

/** `--latency NAME=FIGURE`, for the sandbox only. */
export function latencyOption(values: string[] | undefined, kind: BackendKind) {
  if (values && kind !== 'sandbox') throw new UsageError('--latency applies to the sandbox only');
  try {
    return parseLatencyOverrides(values);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}
