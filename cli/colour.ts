/**
 * Colour for the progress lines, only where a person reads them: on a terminal, and never when
 * NO_COLOR is set to anything but the empty string (https://no-color.org/). Piped or redirected
 * output, logs and tests get plain text.
 */
export function colourEnabled(
  stream: { isTTY?: boolean } = process.stderr,
  env: NodeJS.ProcessEnv = process.env,
): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  return stream.isTTY === true;
}

const CODES = { green: 32, red: 31, dim: 2, yellow: 33 } as const;
export type Colour = keyof typeof CODES;

/** A painter for one stream: `paint('red', '✗')`, plain text when colour is off. */
export function painter(enabled: boolean): (colour: Colour, text: string) => string {
  return enabled ? (colour, text) => `\u001b[${CODES[colour]}m${text}\u001b[0m` : (_colour, text) => text;
}
