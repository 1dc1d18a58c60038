import { existsSync } from 'node:fs';

/** Debian's redis-server; the error says how to install it. (No path aliases here: global-setup loads it.) */
export function redisServerBinary(): string {
  const found = ['/usr/bin/redis-server', '/usr/local/bin/redis-server'].find((path) => existsSync(path));
  if (!found) throw new Error('redis-server is not installed: apt-get install -y redis-server (.ci/run does this)');
  return found;
}
