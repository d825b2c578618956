/**
 * A fresh Redis namespace with a build store and a janitor, for tests of retention on real Redis
 * and the real engine (build-retention, preview-retention).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { after } from 'node:test';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import type { BuildState } from '../../src/core/build.ts';
import type { Pipeline } from '../../src/core/pipeline.ts';
import { createDockerClient } from '../../src/docker/docker-client.ts';
import { createImagePruner } from '../../src/docker/image-pruner.ts';
import { retentionKeys } from '../../src/store/build-retention.ts';
import { createRedisBuildStore } from '../../src/store/redis-build-store.ts';
import { createRedisPreviewClosings } from '../../src/store/redis-preview-closings.ts';
import { createJanitor } from '../../workers/janitor.ts';
import { testEnv } from './env.ts';
import { makeTempDir } from './temp-dir.ts';

export const env = testEnv();
export const redis = new Redis(env.redisUrl);
after(async () => void (await redis.quit()));
const logger = pino({ level: 'silent' });
export const docker = createDockerClient(env.dockerHost);

export const pipeline = (service: string, environments: string[]): Pipeline => ({
  service, repository: `acme/${service}`, dockerfile: 'Dockerfile', file: `${service}.yml`,
  deploy: environments.map((environment) => ({ branch: 'main', environment, scheduler: 'docker', settings: {} })),
});

/** A fresh Redis namespace with a store and a janitor keeping `keep` builds per service. */
export function world(keep: number, pipelines: Pipeline[]) {
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
    const sha = (await store.get(buildId))?.event.sha ?? 'f'.repeat(40);
    await store.recordRelease({ service, environment, sha, image, buildId, deployedAt: Date.now(), cause: 'push' });
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
  /** what the removal of a closed pull request's preview records first (remove-preview.ts) */
  const closings = createRedisPreviewClosings(redis, prefix);
  return { prefix, store, janitor, key, closings, build, builds, release, deploy, traces, remaining };
}

