/** Polls until `probe` returns a value that `accept` takes, or fails with the last value seen. No sleeps in tests. */
export async function pollUntil<T>(
  probe: () => Promise<T> | T,
  accept: (value: T) => boolean,
  options: { timeoutMs?: number; intervalMs?: number; what?: string; abortIf?: () => boolean } = {},
): Promise<T> {
  const deadline = Date.now() + (options.timeoutMs ?? 10_000);
  let last: T | undefined;
  let lastError: unknown;
  for (;;) {
    if (options.abortIf?.()) throw new Error(`gave up waiting for ${options.what ?? 'condition'}: abort condition met`);
    try {
      last = await probe();
      if (accept(last)) return last;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      const seen = lastError ? ` (last error: ${(lastError as Error).message})` : ` (last value: ${JSON.stringify(last)?.slice(0, 500)})`;
      throw new Error(`timed out waiting for ${options.what ?? 'condition'}${seen}`);
    }
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 25));
  }
}
