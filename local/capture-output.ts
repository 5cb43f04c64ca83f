/**
 * Captures everything written to stdout and stderr (Powertools Logger and Metrics write JSON
 * lines there) while `fn` runs, for log assertions and canary scans.
 */
export async function captureOutput<T>(
  fn: () => Promise<T>,
): Promise<{ result: T | undefined; error: unknown; lines: string[] }> {
  const lines: string[] = [];
  const original = { out: process.stdout.write.bind(process.stdout), err: process.stderr.write.bind(process.stderr) };
  const grab = (chunk: unknown) => {
    lines.push(
      ...String(chunk)
        .split('\n')
        .filter((l) => l.trim().length > 0),
    );
    return true;
  };
  process.stdout.write = grab as typeof process.stdout.write;
  process.stderr.write = grab as typeof process.stderr.write;
  try {
    const result = await fn();
    return { result, error: undefined, lines };
  } catch (error) {
    return { result: undefined, error, lines };
  } finally {
    process.stdout.write = original.out;
    process.stderr.write = original.err;
  }
}

/** Every string an error exposes: message, stack, JSON, and the same for its cause chain. */
export function errorTexts(error: unknown): string[] {
  const texts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current && depth < 10; depth++) {
    if (current instanceof Error) texts.push(current.message, current.stack ?? '');
    try {
      texts.push(JSON.stringify(current));
    } catch {
      texts.push(String(current));
    }
    current = (current as { cause?: unknown }).cause;
  }
  return texts;
}
