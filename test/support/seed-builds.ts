import { Redis } from 'ioredis';
import type { Build, BuildState } from '../../src/core/build.ts';
import type { ReleaseRecord } from '../../src/core/ports/build-store.ts';
import { releaseCause } from '../../src/core/release-cause.ts';
import { createRedisBuildStore } from '../../src/store/redis-build-store.ts';
import { createRedisHeldDeploys } from '../../src/store/redis-held-deploys.ts';

/** Build records, deploys, releases and held deploys written straight into Redis, as the jobs write them. */
export interface Seeder {
  build(service: string, o: { branch?: string; author?: string; message?: string; state?: BuildState; sha?: string }): Promise<Build>;
  /** a succeeded deploy of the build and its release there */
  release(build: Build, environment: string, how?: Partial<Pick<ReleaseRecord, 'rollback' | 'requested'>> & { from?: string }): Promise<ReleaseRecord>;
  /** a deploy of the build waiting for approval in the environment */
  hold(build: Build, environment: string): Promise<void>;
  /** lines added to the build's log, as its job writes them */
  log(build: Build, lines: readonly string[]): Promise<void>;
  /** the newest deploy of the build to the environment ends in `state` with these log lines, as a worker ends it */
  endDeploy(build: Build, environment: string, state: 'succeeded' | 'failed', lines: readonly string[]): Promise<void>;
  /** the build ends in `state`, as its job ends it */
  finish(build: Build, state: BuildState): Promise<Build>;
  close(): Promise<void>;
}

export function seeder(redisUrl: string, prefix: string): Seeder {
  const redis = new Redis(redisUrl);
  const store = createRedisBuildStore(redis, prefix);
  const held = createRedisHeldDeploys(redis, prefix);
  let n = 0;
  return {
    async build(service, o) {
      n += 1;
      const sha = o.sha ?? `${n.toString(16).padStart(2, '0')}${'ab'.repeat(19)}`;
      const event = { kind: 'push' as const, deliveryId: `seed-${n}`, repository: `acme/${service}`, cloneUrl: `file:///nowhere/${service}.git`, sha, branch: o.branch ?? 'main', message: o.message ?? `Change ${n}`, author: o.author ?? 'ada' };
      const created = await store.create(service, event);
      return store.update(created.id, (b) => {
        const now = Date.now();
        b.state = o.state ?? 'passed';
        b.startedAt = now - 42_000;
        if (b.state !== 'queued' && b.state !== 'running') b.finishedAt = now;
        if (b.state === 'passed') b.image = { repository: `127.0.0.1:5000/${service}`, tag: `git-${sha.slice(0, 7)}`, digest: `sha256:${sha.slice(0, 8).repeat(8)}` };
      });
    },
    async release(build, environment, how = {}) {
      const { deploy } = await store.addDeploy(build.id, { environment, scheduler: 'docker', rollback: how.rollback, requested: how.requested, from: how.from });
      await store.setDeploy(build.id, { ...deploy, state: 'succeeded', startedAt: Date.now() - 3000, finishedAt: Date.now() });
      const release: ReleaseRecord = { service: build.service, environment, sha: build.event.sha, image: `${build.image!.repository}@${build.image!.digest}`, buildId: build.id, deployedAt: Date.now(), rollback: how.rollback, requested: how.requested, cause: releaseCause(how), ...(how.from ? { from: how.from } : {}) };
      await store.recordRelease(release);
      return release;
    },
    async hold(build, environment) {
      const { deploy } = await store.addDeploy(build.id, { environment, scheduler: 'docker' });
      await store.setDeploy(build.id, { ...deploy, state: 'held', detail: 'Waiting for approval' });
      await held.hold(build.service, environment, { buildId: build.id, deployId: deploy.id });
    },
    async log(build, lines) {
      const log = store.log(build.id);
      for (const line of lines) log.line(line);
      await log.flush();
    },
    async endDeploy(build, environment, state, lines) {
      await this.log(build, lines);
      const deploy = (await store.get(build.id))!.deploys.filter((d) => d.environment === environment).at(-1)!;
      await store.setDeploy(build.id, { ...deploy, state, startedAt: deploy.startedAt ?? Date.now(), finishedAt: Date.now() });
    },
    finish(build, state) {
      return store.update(build.id, (b) => {
        b.state = state;
        b.finishedAt = Date.now();
      });
    },
    async close() {
      await redis.quit();
    },
  };
}
