/**
 * A separate process posting through the status gate, as a worker does, whose post never ends
 * (GitHub does not answer): `node --import tsx test/support/status-poster-process.ts <redisUrl>
 * <prefix> <subject>`. Prints `posting` once it holds the subject's lease and is sending. A test
 * SIGKILLs it (a worker dying mid-post), or writes `stop`: it then prints `resources <json>` (what
 * keeps it alive while its post is in flight: `process.getActiveResourcesInfo()`), closes its Redis
 * connection and stdin as a stopping worker does, and should exit by itself.
 */
import { createInterface } from 'node:readline';
import { Redis } from 'ioredis';
import { createRedisStatusGate } from '../../src/store/redis-status-gate.ts';

const [redisUrl, prefix, subject] = process.argv.slice(2);
if (!redisUrl || !prefix || !subject) throw new Error('usage: status-poster-process.ts <redisUrl> <prefix> <subject>');
const redis = new Redis(redisUrl);
const gate = createRedisStatusGate(redis, prefix);

void gate.post({ subject, step: 0 }, () => {
  console.log('posting');
  return new Promise<void>(() => undefined);
}).catch(() => undefined);

const lines = createInterface({ input: process.stdin });
lines.on('line', (line) => {
  if (line.trim() !== 'stop') return;
  console.log(`resources ${JSON.stringify(process.getActiveResourcesInfo())}`);
  lines.close();
  process.stdin.destroy();
  redis.disconnect();
});
