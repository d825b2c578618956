import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadConfig } from '../../src/config/load-config.ts';
import { describeRedisTarget } from '../../src/store/redis-connection.ts';
import { MINIMAL, problems } from '../support/config-problems.ts';

describe('REDIS_SENTINELS and REDIS_SENTINEL_NAME', () => {
  it('are off by default: REDIS_URL alone', () => {
    assert.equal(loadConfig(MINIMAL).redisSentinel, undefined);
    assert.equal(loadConfig({ ...MINIMAL, REDIS_SENTINELS: ' ', REDIS_SENTINEL_NAME: '' }).redisSentinel, undefined);
  });

  const lists: [string, string, { host: string; port: number }[]][] = [
    ['one sentinel', '10.0.0.5:26379', [{ host: '10.0.0.5', port: 26379 }]],
    ['three, spaces around them', ' a.example:26379 , b.example:26380,c:1 ', [{ host: 'a.example', port: 26379 }, { host: 'b.example', port: 26380 }, { host: 'c', port: 1 }]],
    ['an IPv6 address in brackets', '[::1]:26379,127.0.0.1:26380', [{ host: '::1', port: 26379 }, { host: '127.0.0.1', port: 26380 }]],
    ['an empty entry (a trailing comma) is dropped', 'redis-1:26379,', [{ host: 'redis-1', port: 26379 }]],
  ];
  for (const [what, text, sentinels] of lists) {
    it(`parse ${what}`, () => {
      assert.deepEqual(loadConfig({ ...MINIMAL, REDIS_SENTINELS: text, REDIS_SENTINEL_NAME: 'slipway' }).redisSentinel, { sentinels, name: 'slipway' });
    });
  }

  const bad: [string, string, RegExp][] = [
    ['no port', '10.0.0.5', /REDIS_SENTINELS: "10\.0\.0\.5" is not host:port/],
    ['a port out of range', 'a:26379,b:70000', /REDIS_SENTINELS: "b:70000" is not host:port/],
    ['port zero', 'a:0', /"a:0" is not host:port/],
    ['a URL instead', 'redis://a:26379', /"redis:\/\/a:26379" is not host:port/],
    ['spaces as separators', 'a:1 b:2', /"a:1 b:2" is not host:port/],
    ['only commas', ',,', /REDIS_SENTINELS: lists no sentinel/],
  ];
  for (const [what, text, expected] of bad) {
    it(`refuse ${what}, naming the entry`, () => {
      assert.match(problems({ ...MINIMAL, REDIS_SENTINELS: text, REDIS_SENTINEL_NAME: 'slipway' }), expected);
    });
  }

  it('each bad entry is named, in one message', () => {
    const message = problems({ ...MINIMAL, REDIS_SENTINELS: 'a,b:1,c:x', REDIS_SENTINEL_NAME: 'slipway' });
    assert.match(message, /"a" is not host:port/);
    assert.match(message, /"c:x" is not host:port/);
    assert.doesNotMatch(message, /"b:1"/);
  });

  it('need each other', () => {
    assert.match(problems({ ...MINIMAL, REDIS_SENTINELS: 'a:26379' }), /REDIS_SENTINEL_NAME: required with REDIS_SENTINELS/);
    assert.match(problems({ ...MINIMAL, REDIS_SENTINEL_NAME: 'slipway' }), /REDIS_SENTINELS: required with REDIS_SENTINEL_NAME/);
    assert.match(problems({ ...MINIMAL, REDIS_SENTINELS: 'a:26379', REDIS_SENTINEL_NAME: 'my master' }), /REDIS_SENTINEL_NAME: must be the name/);
  });

  it('operator messages say where Redis is, without the password', () => {
    assert.equal(describeRedisTarget(loadConfig({ ...MINIMAL, REDIS_URL: 'redis://:pw@r:6379/2' })), 'redis://***@r:6379/2 (REDIS_URL)');
    const behind = loadConfig({ ...MINIMAL, REDIS_URL: 'redis://:pw@ignored:6379/2', REDIS_SENTINELS: 'a:26379,[::1]:26380', REDIS_SENTINEL_NAME: 'slipway' });
    assert.equal(describeRedisTarget(behind), 'primary "slipway" of sentinels a:26379,[::1]:26380 (REDIS_SENTINELS)');
  });
});
