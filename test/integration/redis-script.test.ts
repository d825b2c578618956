import assert from 'node:assert/strict';
import { createHash, randomUUID } from 'node:crypto';
import { after, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { redisScript } from '../../src/store/redis-script.ts';
import { testEnv } from '../support/env.ts';
import { until } from '../support/until.ts';

const redis = new Redis(testEnv().redisUrl, { enableAutoPipelining: true });
after(async () => void (await redis.quit()));

const LUA = "return redis.call('INCRBY', KEYS[1], ARGV[1])";
const sha = createHash('sha1').update(LUA).digest('hex');

describe('redisScript (real Redis)', () => {
  it('leaves the script in Redis for EVALSHA after its first run, and still runs once Redis has forgotten it', async () => {
    const key = `script-${randomUUID()}`;
    const incrBy = redisScript('test_incr_by', 1, LUA).on(redis);
    assert.equal(await incrBy(key, 2), 2);
    assert.deepEqual(await redis.script('EXISTS', sha), [1]);
    // What a Redis restart does to its script cache: the next run gets NOSCRIPT and sends the text again.
    await redis.script('FLUSH');
    assert.equal(await incrBy(key, 3), 5);
    assert.deepEqual(await redis.script('EXISTS', sha), [1]);
  });

  it('sends its text once per connection, then only its SHA1', async () => {
    const key = `script-${randomUUID()}`;
    const monitor = await redis.monitor();
    const seen: string[] = [];
    monitor.on('monitor', (_time: string, args: string[]) => {
      const command = args[0]!.toLowerCase();
      if (args.includes(key) && command.startsWith('eval')) seen.push(command); // not the INCRBY the script runs
    });
    const incrBy = redisScript('test_incr_by', 1, LUA).on(redis);
    for (let i = 1; i <= 3; i++) assert.equal(await incrBy(key, 1), i);
    // MONITOR reports a command before its reply; the last reply is in, so all three are reported once the monitor answers.
    await redis.ping();
    await until('three commands seen by MONITOR', () => seen.length >= 3);
    monitor.disconnect();
    assert.deepEqual(seen.slice(-2), ['evalsha', 'evalsha'], `commands seen: ${seen.join(', ')}`);
  });

  it('can be made twice on one client, and runs in one auto-pipelined write with other commands', async () => {
    const key = `script-${randomUUID()}`;
    const a = redisScript('test_incr_by', 1, LUA).on(redis);
    const b = redisScript('test_incr_by', 1, LUA).on(redis);
    const [x, y, z] = await Promise.all([a(key, 1), redis.incr(key), b(key, 10)]);
    assert.deepEqual([x, y, z], [1, 2, 12]);
  });
});
