/**
 * Every line written to stdout and stderr while `run` runs (the logger writes INFO and DEBUG, and
 * EMF documents, to stdout; WARN and ERROR to stderr), with both streams restored afterwards.
 */
export async function captureOutputLines(run: () => Promise<unknown>): Promise<string[]> {
  const lines: string[] = [];
  const capture = (chunk: unknown) => {
    lines.push(...String(chunk).split('\n').filter(Boolean));
    return true;
  };
  const out = jest.spyOn(process.stdout, 'write').mockImplementation(capture);
  const err = jest.spyOn(process.stderr, 'write').mockImplementation(capture);
  try {
    await run();
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
  return lines;
}
