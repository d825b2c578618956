/**
 * Redis memory stays flat over thousands of builds: 2,000 builds of one service, each with a log
 * of a hundred lines, finished and pruned by the janitor as the build worker does after each
 * build (deploys to production now and then, so current and rollback builds are kept too). Used
 * memory after them all stays within a bound of the level after the first SLIPWAY_KEEP_BUILDS.
 */
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { after, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import type { Pipeline } from '../../src/core/pipeline.ts';
import { createRedisBuildStore } from '../../src/store/redis-build-store.ts';
import { createJanitor } from '../../workers/janitor.ts';
import { testEnv } from '../support/env.ts';
import { makeTempDir, removeTempDirs } from '../support/temp-dir.ts';

const BUILDS = 2_000;
const KEEP = 200;
const LOG_LINES = 100;

const env = testEnv();
const redis = new Redis(env.redisUrl);
after(async () => void (await redis.quit()));

async function usedMemory(): Promise<number> {
  const info = await redis.info('memory');
  return Number(/^used_memory:(\d+)/m.exec(info)?.[1]);
}
const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(2)} MB`;

after(removeTempDirs); // the temp folders and test repositories this file made

// A bound on a busy machine, not a speed claim: the run takes about 15 s.
describe('Redis memory over thousands of builds', { timeout: 300_000 }, () => {
  it(`stays flat: ${BUILDS} builds with SLIPWAY_KEEP_BUILDS=${KEEP}`, async () => {
    const prefix = `memory-${randomUUID()}`;
    const logger = pino({ level: 'silent' });
    const store = createRedisBuildStore(redis, prefix);
    const pipeline: Pipeline = { service: 'web', repository: 'acme/web', dockerfile: 'Dockerfile', file: 'web.yml', deploy: [{ branch: 'main', environment: 'production', scheduler: 'docker', settings: {} }] };
    const janitor = createJanitor({
      redis, prefix, store, pipelines: [pipeline], keepBuilds: KEEP, registry: env.registry, logger,
      // Redis is what this measures; the engine's image listing (image-pruner.test.ts) would make
      // each of the 2,000 rounds as slow as the engine is full (265 s after the load test's images).
      images: { prune: async () => [] }, dataDir: makeTempDir('slipway-data-'),
    });

    async function oneBuild(n: number): Promise<void> {
      const sha = randomBytes(20).toString('hex');
      const { id } = await store.create('web', { kind: 'push', deliveryId: randomUUID(), repository: 'acme/web', cloneUrl: 'https://github.com/acme/web.git', sha, branch: 'main', message: `change ${n}`, author: 'Ada' });
      await store.update(id, (b) => Object.assign(b, { state: 'running', startedAt: Date.now() }));
      const log = store.log(id);
      for (let i = 0; i < LOG_LINES; i++) log.line(`Step ${i}/${LOG_LINES} : RUN something that prints a line of ordinary length ${n}.${i}`);
      await log.flush();
      await store.update(id, (b) => Object.assign(b, {
        state: 'passed', detail: 'Tests passed', finishedAt: Date.now(),
        image: { repository: `${env.registry}/web`, tag: `git-${sha.slice(0, 7)}`, digest: `sha256:${randomBytes(32).toString('hex')}` },
      }));
      if (n % 50 === 0) {
        await store.recordRelease({ service: 'web', environment: 'production', sha, image: `${env.registry}/web@sha256:${id}`, buildId: id, deployedAt: Date.now(), cause: 'push' });
      }
      await janitor.afterBuild('web');
    }

    const started = Date.now();
    const empty = await usedMemory();
    for (let n = 1; n <= KEEP; n++) await oneBuild(n);
    const atKeep = await usedMemory();
    for (let n = KEEP + 1; n <= BUILDS; n++) await oneBuild(n);
    const atEnd = await usedMemory();
    const kept = await redis.zcard(`${prefix}:service:web:builds`);
    const keys = (await redis.keys(`${prefix}:*`)).length;

    const perBuild = (atKeep - empty) / KEEP;
    console.log(
      `redis used_memory: before ${mb(empty)}; after ${KEEP} builds ${mb(atKeep)}; after ${BUILDS} builds ${mb(atEnd)} ` +
        `(${((atEnd - empty) / (atKeep - empty)).toFixed(3)}× the growth at ${KEEP}; without retention ≈ ${mb(empty + perBuild * BUILDS)}); ` +
        `${kept} builds and ${keys} keys kept; ${((Date.now() - started) / 1000).toFixed(1)} s`,
    );
    assert.ok(kept >= KEEP && kept <= KEEP + 2, `the newest ${KEEP} kept, plus production's current and rollback builds (${kept})`);
    assert.ok(atEnd - empty <= (atKeep - empty) * 1.1 + 512 * 1024, `memory grew from ${mb(atKeep)} to ${mb(atEnd)}`);
  });
});
