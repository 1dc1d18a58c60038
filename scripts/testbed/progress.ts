// One progress line per step, on stderr, so stdout stays free for `env` output.
const started = Date.now();

export function progress(step: string, message: string): void {
  const elapsed = ((Date.now() - started) / 1000).toFixed(1).padStart(6);
  process.stderr.write(`[testbed ${elapsed}s] ${step}: ${message}\n`);
}
