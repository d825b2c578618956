/**
 * SLIPWAY_KEEP_BUILDS on real Redis, as the worker's janitor runs it after a build: the newest
 * builds of a service stay, older ones go with every key they had, except each environment's
 * current release, the build a rollback there would put back, and builds still in progress.
 */
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { after, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import type { BuildState } from '../../src/core/build.ts';
import type { Pipeline } from '../../src/core/pipeline.ts';
import { createDockerClient } from '../../src/docker/docker-client.ts';
import { createImagePruner } from '../../src/docker/image-pruner.ts';
import { retentionKeys } from '../../src/store/build-retention.ts';
import { createRedisBuildStore } from '../../src/store/redis-build-store.ts';
import { createJanitor } from '../../workers/janitor.ts';
import { testEnv } from '../support/env.ts';
import { makeTempDir, removeTempDirs } from '../support/temp-dir.ts';

const env = testEnv();
const redis = new Redis(env.redisUrl);
after(async () => void (await redis.quit()));
const logger = pino({ level: 'silent' });
const docker = createDockerClient(env.dockerHost);

const pipeline = (service: string, environments: string[]): Pipeline => ({
  service, repository: `acme/${service}`, dockerfile: 'Dockerfile', file: `${service}.yml`,
  deploy: environments.map((environment) => ({ branch: 'main', environment, scheduler: 'docker', settings: {} })),
});

/** A fresh Redis namespace with a store and a janitor keeping `keep` builds per service. */
function world(keep: number, pipelines: Pipeline[]) {
  const prefix = `retention-${randomUUID()}`;
  const store = createRedisBuildStore(redis, prefix, { logMaxLines: 20 });
  const key = retentionKeys(prefix);
  const janitor = createJanitor({
    redis, prefix, store, pipelines, keepBuilds: keep, registry: env.registry, logger,
    images: createImagePruner(docker, logger), dataDir: makeTempDir('slipway-data-'),
  });

  /** a build as the build job leaves it: log (long enough to be cut), its final state, and the `announced` key earlier versions wrote (1 h) */
  async function build(service: string, state: BuildState = 'passed'): Promise<string> {
    const sha = randomBytes(20).toString('hex');
    const { id } = await store.create(service, { kind: 'push', deliveryId: randomUUID(), repository: `acme/${service}`, cloneUrl: 'file:///x.git', sha, branch: 'main' });
    const log = store.log(id);
    for (let i = 0; i < 30; i++) log.line(`${service} build ${id} line ${i}`);
    await log.flush();
    await redis.set(key.announced(id), '1', 'EX', 3600);
    await store.update(id, (b) => Object.assign(b, { state, image: { repository: `${env.registry}/${service}`, tag: `git-${sha.slice(0, 7)}`, digest: `sha256:${'a'.repeat(64)}` } }));
    return id;
  }
  async function builds(n: number, service: string): Promise<string[]> {
    const ids: string[] = [];
    for (let i = 0; i < n; i++) ids.push(await build(service));
    return ids;
  }
  async function release(service: string, environment: string, buildId: string, image = `${env.registry}/${service}@sha256:${buildId.padStart(64, '0')}`) {
    await store.recordRelease({ service, environment, sha: 'f'.repeat(40), image, buildId, deployedAt: Date.now(), cause: 'push' });
  }
  /** the deploy record a deploy job keeps on the build (one hash field per deploy) */
  async function deploy(id: string, environment: string, state: string) {
    await redis.hset(key.deploys(id), `d-${environment}`, JSON.stringify({ id: `d-${environment}`, environment, scheduler: 'docker', state }));
  }
  /** every key a build has in Redis, its index entries included */
  async function traces(id: string): Promise<string[]> {
    const keys = await redis.keys(`${prefix}:build:${id}*`);
    if (await redis.zscore(key.index, id)) keys.push(key.index);
    for (const k of await redis.keys(`${prefix}:service:*:builds`)) if (await redis.zscore(k, id)) keys.push(k);
    return keys.sort();
  }
  const remaining = async (service: string) => redis.zrange(key.serviceIndex(service), 0, '-1');
  return { prefix, store, janitor, key, build, builds, release, deploy, traces, remaining };
}

after(removeTempDirs); // the temp folders and test repositories this file made

describe('build retention (SLIPWAY_KEEP_BUILDS, real Redis)', () => {
  it('keeps the newest builds of a service and deletes every key of the older ones, other services untouched', async () => {
    const w = world(3, [pipeline('web', ['production']), pipeline('api', ['production'])]);
    const web = await w.builds(4, 'web');
    const api = await w.builds(2, 'api');
    web.push(...(await w.builds(3, 'web')));
    const before = await w.traces(web[0]!);
    assert.ok(before.some((k) => k.endsWith(':log:tail')) && before.some((k) => k.endsWith(':log:cut')) && before.some((k) => k.endsWith(':announced')), `a full set of keys: ${before}`);

    await w.janitor.afterBuild('web');

    assert.deepEqual(await w.remaining('web'), web.slice(-3));
    for (const id of web.slice(0, 4)) {
      assert.deepEqual(await w.traces(id), [], `nothing of build ${id} is left`);
      assert.equal(await w.store.get(id), undefined);
      assert.deepEqual(await w.store.readLog(id), { lines: [], next: 0 });
    }
    for (const id of [...web.slice(-3), ...api]) {
      assert.equal((await w.store.get(id))?.state, 'passed', `build ${id} kept`);
      assert.equal((await w.store.readLog(id)).next, 30, `build ${id} keeps its log`);
    }
    assert.deepEqual((await w.store.list({ limit: 50 })).map((b) => b.id), [...web.slice(-3), ...api].sort((a, b) => Number(b) - Number(a)));
  });

  it('keeps the build running in each environment and the one a rollback there would put back', async () => {
    const w = world(2, [pipeline('web', ['production', 'staging'])]);
    const [b1, b2, b3, b4, b5, b6, b7, b8] = await w.builds(8, 'web');
    // production: b4, then b1, then b2, then b5 with b2's image (a redeploy: no step back)
    await w.release('web', 'production', b4!);
    await w.release('web', 'production', b1!);
    await w.release('web', 'production', b2!, 'same-image');
    await w.release('web', 'production', b5!, 'same-image');
    await w.release('web', 'staging', b3!);

    await w.janitor.afterBuild('web');

    // kept: newest two (b7, b8); production's current (b5) and rollback target (b1: b2 has the current image); staging's current (b3)
    assert.deepEqual(await w.remaining('web'), [b1, b3, b5, b7, b8]);
    for (const id of [b2, b4, b6]) assert.deepEqual(await w.traces(id!), [], `build ${id} deleted`);
  });

  it('never deletes a build still queued or running, or one with a deploy in progress; they go once finished', async () => {
    const w = world(2, [pipeline('web', ['production'])]);
    const running = await w.build('web', 'running');
    const queued = await w.build('web', 'queued');
    const deploying = await w.build('web');
    await w.deploy(deploying, 'production', 'running');
    const deployed = await w.build('web');
    await w.deploy(deployed, 'production', 'failed');
    const newest = await w.builds(2, 'web');

    await w.janitor.afterBuild('web');
    assert.deepEqual(await w.remaining('web'), [running, queued, deploying, ...newest]);

    await w.store.update(running, (b) => Object.assign(b, { state: 'error' }));
    await w.store.update(queued, (b) => Object.assign(b, { state: 'failed' }));
    await w.deploy(deploying, 'production', 'succeeded');
    await w.janitor.afterBuild('web');
    assert.deepEqual(await w.remaining('web'), newest);
  });

  it('never deletes the release a deploy just recorded, even when asked to', async () => {
    const w = world(1, [pipeline('web', ['production'])]);
    const [old] = await w.builds(3, 'web');
    await w.release('web', 'production', old!);
    const { createBuildRetention } = await import('../../src/store/build-retention.ts');
    const deleted = await createBuildRetention(redis, w.prefix).prune('web', { keep: 1, protect: new Set(), environments: ['production'] });
    assert.equal(deleted.length, 1, 'the build between goes');
    assert.ok(await w.store.get(old!), 'the current release stays though the caller did not name it');
  });

  it('indexes builds recorded before the per-service index, once, at worker start', async () => {
    const w = world(2, [pipeline('web', ['production'])]);
    const ids = await w.builds(5, 'web');
    await redis.del(w.key.serviceIndex('web')); // as an older version left them
    await w.janitor.afterBuild('web');
    assert.equal((await w.store.list({ limit: 50 })).length, 5, 'not indexed yet: nothing to prune');

    await w.janitor.atStart();
    await w.janitor.afterBuild('web');
    assert.deepEqual(await w.remaining('web'), ids.slice(-2));
    assert.ok(await redis.exists(w.key.indexed), 'marked, so later starts skip the scan');
  });
});
