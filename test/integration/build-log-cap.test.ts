/**
 * SLIPWAY_LOG_MAX_LINES on real Redis: a long build log keeps its first and last lines with one
 * line counting the cut, line numbers stay those of the lines as written, and a reader following
 * the log live (`?from=`, X-Next-Line) sees every kept line once, in order, across the cut.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import express from 'express';
import { Redis } from 'ioredis';
import type { LogPage } from '../../src/core/ports/build-log.ts';
import { apiRoutes } from '../../src/http/api-routes.ts';
import { createRedisBuildLog, logKeys, readRedisBuildLog } from '../../src/store/redis-build-log.ts';
import { createRedisBuildStore } from '../../src/store/redis-build-store.ts';
import { testEnv } from '../support/env.ts';

const redis = new Redis(testEnv().redisUrl);
after(async () => void (await redis.quit()));

const numbered = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => `line ${from + i}`);
const newKey = () => `logcap-${randomUUID()}:build:1:log`;

async function write(key: string, max: number, lines: string[]): Promise<void> {
  const log = createRedisBuildLog(redis, key, max);
  for (const l of lines) log.line(l);
  await log.flush();
}

/**
 * What a reader learns from a page: each `line N` it was given, and for each cut marker the number
 * of lines it says were skipped. Line numbers must run on without a gap or a repeat.
 */
function follow(expectedFrom: number, page: LogPage): number {
  let at = expectedFrom;
  for (const text of page.lines) {
    const cut = /^… (\d+) lines cut …$/.exec(text);
    if (cut) at += Number(cut[1]);
    else assert.equal(text, `line ${at++}`, `lines in order from ${expectedFrom}: ${page.lines.join(' | ')}`);
  }
  assert.equal(page.next, at, 'next is the number after the last line given (or cut)');
  return at;
}

describe('build log cap (real Redis)', () => {
  it('keeps a log under the cap whole', async () => {
    const key = newKey();
    await write(key, 10, numbered(0, 10));
    assert.deepEqual(await readRedisBuildLog(redis, key), { lines: numbered(0, 10), next: 10 });
    assert.deepEqual(await readRedisBuildLog(redis, key, 7), { lines: numbered(7, 10), next: 10 });
  });

  it('cuts the middle of a long log: first half, one line saying how many were cut, last half', async () => {
    const key = newKey();
    await write(key, 10, numbered(0, 25));
    const page = await readRedisBuildLog(redis, key);
    assert.deepEqual(page.lines, [...numbered(0, 5), '… 15 lines cut …', ...numbered(20, 25)]);
    assert.equal(page.next, 25);
    const keys = logKeys(key);
    assert.equal((await redis.llen(keys.head)) + (await redis.llen(keys.tail)), 10, 'Redis holds the cap, not the log');
  });

  it('cuts a single huge batch the same way', async () => {
    const key = newKey();
    const log = createRedisBuildLog(redis, key, 100);
    log.line(numbered(0, 5_000).join('\n'));
    await log.flush();
    const page = await readRedisBuildLog(redis, key);
    assert.deepEqual(page.lines, [...numbered(0, 50), '… 4900 lines cut …', ...numbered(4_950, 5_000)]);
    assert.equal(page.next, 5_000);
  });

  it('reads from a line inside the cut as the marker (the lines this reader missed) and the tail', async () => {
    const key = newKey();
    await write(key, 10, numbered(0, 25));
    assert.deepEqual(await readRedisBuildLog(redis, key, 12), { lines: ['… 8 lines cut …', ...numbered(20, 25)], next: 25 });
    assert.deepEqual(await readRedisBuildLog(redis, key, 3), { lines: [...numbered(3, 5), '… 15 lines cut …', ...numbered(20, 25)], next: 25 });
    assert.deepEqual(await readRedisBuildLog(redis, key, 22), { lines: numbered(22, 25), next: 25 });
    assert.deepEqual(await readRedisBuildLog(redis, key, 25), { lines: [], next: 25 });
  });

  it('gives a reader who keeps up every line once, and one who falls behind the marker once, then the tail', async () => {
    const key = newKey();
    const log = createRedisBuildLog(redis, key, 10);
    let written = 0;
    let keptUp = 0;
    for (let batch = 0; batch < 12; batch++) {
      for (const l of numbered(written, written + 3)) log.line(l);
      written += 3;
      await log.flush();
      const page = await readRedisBuildLog(redis, key, keptUp);
      assert.ok(!page.lines.some((l) => l.includes('lines cut')), `a reader 3 lines behind misses nothing (batch ${batch})`);
      keptUp = follow(keptUp, page);
    }
    assert.equal(keptUp, written);

    let behind = 0;
    behind = follow(behind, await readRedisBuildLog(redis, key, behind));
    for (const l of numbered(written, written + 40)) log.line(l);
    written += 40;
    await log.flush();
    const late = await readRedisBuildLog(redis, key, behind);
    assert.equal(late.lines.filter((l) => l.includes('lines cut')).length, 1, 'one marker');
    assert.equal(late.lines[0], `… ${written - 5 - behind} lines cut …`);
    behind = follow(behind, late);
    assert.equal(behind, written, 'next keeps increasing to the end of the log');
    assert.deepEqual(await readRedisBuildLog(redis, key, behind), { lines: [], next: written }, 'no marker twice');
  });

  it('counts lines from concurrent writers (the build job and deploy jobs) exactly', async () => {
    const key = newKey();
    const writers = [createRedisBuildLog(redis, key, 50), createRedisBuildLog(redis, key, 50), createRedisBuildLog(redis, key, 50)];
    await Promise.all(writers.map(async (log, w) => {
      for (let i = 0; i < 200; i++) {
        log.line(`w${w} ${i}`);
        if (i % 17 === 0) await log.flush();
      }
      await log.flush();
    }));
    const page = await readRedisBuildLog(redis, key);
    assert.equal(page.next, 600);
    assert.equal(page.lines.length, 51);
    assert.equal(page.lines[25], '… 550 lines cut …');
  });

  it('reads a log stored whole before the cap existed, and caps what is added to it', async () => {
    const key = newKey();
    await redis.rpush(key, ...numbered(0, 30));
    assert.deepEqual(await readRedisBuildLog(redis, key, 28), { lines: numbered(28, 30), next: 30 });
    await write(key, 10, numbered(30, 40));
    assert.deepEqual(await readRedisBuildLog(redis, key, 28), { lines: [...numbered(28, 30), '… 5 lines cut …', ...numbered(35, 40)], next: 40 });
  });
});

describe('GET /api/builds/:id/logs of a cut log (real Redis)', () => {
  const store = createRedisBuildStore(redis, `logcap-api-${randomUUID()}`, { logMaxLines: 10 });
  let base = '';
  let buildId = '';
  let close: () => void = () => {};

  before(async () => {
    const app = express().use(apiRoutes(store));
    const server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    close = () => server.close();
    const sha = 'c'.repeat(40);
    buildId = (await store.create('web', { kind: 'push', deliveryId: randomUUID(), repository: 'acme/web', cloneUrl: 'file:///x.git', sha, branch: 'main' })).id;
    const log = store.log(buildId);
    for (const l of numbered(0, 25)) log.line(l);
    await log.flush();
  });
  after(() => close());

  it('serves the kept lines and the marker, with X-Next-Line counting every line written', async () => {
    const res = await fetch(`${base}/api/builds/${buildId}/logs`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('x-next-line'), '25');
    assert.equal(res.headers.get('x-build-finished'), 'false');
    assert.equal(await res.text(), `${[...numbered(0, 5), '… 15 lines cut …', ...numbered(20, 25)].join('\n')}\n`);
  });

  it('resumes from X-Next-Line with only new lines, across a further cut', async () => {
    const log = store.log(buildId);
    for (const l of numbered(25, 28)) log.line(l);
    await log.flush();
    const res = await fetch(`${base}/api/builds/${buildId}/logs?from=25`);
    assert.equal(res.headers.get('x-next-line'), '28');
    assert.equal(await res.text(), `${numbered(25, 28).join('\n')}\n`);
    const json = (await (await fetch(`${base}/api/builds/${buildId}/logs?from=12&format=json`)).json()) as LogPage & { finished: boolean };
    assert.deepEqual(json, { lines: ['… 11 lines cut …', ...numbered(23, 28)], next: 28, finished: false });
    const end = await fetch(`${base}/api/builds/${buildId}/logs?from=28`);
    assert.equal(end.headers.get('x-next-line'), '28');
    assert.equal(await end.text(), '');
  });
});
