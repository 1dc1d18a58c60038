// Builds promtool with Go the first time (then it is cached in .testbed/cache/promtool-<version>/) and says how long.
import { ensurePromtool } from '../../../scripts/testbed/promtool';

export default async function globalSetup(): Promise<void> {
  const started = Date.now();
  const { path, buildSeconds } = await ensurePromtool();
  process.stdout.write(
    `\npromtool: ${path} (${buildSeconds > 0 ? `built in ${buildSeconds.toFixed(0)} s` : 'cached'}; setup ${((Date.now() - started) / 1000).toFixed(1)} s)\n`,
  );
}
