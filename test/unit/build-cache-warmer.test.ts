/**
 * The build cache warmer's order of work, with a store and a builder that hold each pull until the
 * test lets it go: one service at a time, the newest image when its turn comes, asks coalesced.
 * The pulls themselves, on real engines: test/integration/build-cache-from.test.ts.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pino } from 'pino';
import type { PushedImage } from '../../src/core/image.ts';
import type { BuildStore } from '../../src/core/ports/build-store.ts';
import type { ImageBuilder } from '../../src/core/ports/image-builder.ts';
import { createBuildCacheWarmer } from '../../src/pipeline/warm-build-cache.ts';

function world() {
  const newest = new Map<string, string>([['web', 'git-1111111'], ['api', 'git-2222222']]);
  /** pulls asked for and not yet let go, in order; `done(false)` says the engine had the image */
  const pulls: { tag: string; done: (pulled?: boolean) => void }[] = [];
  const asked: string[] = [];
  const store = {
    lastPushed: async (service: string) => {
      const tag = newest.get(service);
      return tag ? { repository: `registry.test/${service}`, tag, digest: `sha256:${tag}` } : undefined;
    },
  } as unknown as BuildStore;
  const builder = {
    build: async () => assert.fail('no builds here'),
    prefetch: (_repository: string, image: PushedImage) => {
      asked.push(image.tag);
      return new Promise<boolean>((settle) => pulls.push({ tag: image.tag, done: (pulled = true) => settle(pulled) }));
    },
  } as unknown as ImageBuilder;
  const pipelines = ['web', 'api'].map((service) => ({ service, repository: `acme/${service}`, dockerfile: 'Dockerfile', deploy: [], file: `${service}.yml` }));
  const deps = { pipelines, store, builder, registry: 'registry.test', logger: pino({ level: 'silent' }) };
  /** the next pull asked for, once it is */
  const nextPull = async () => {
    while (pulls.length === 0) await new Promise((resolve) => setImmediate(resolve));
    return pulls.shift()!;
  };
  return { deps, newest, asked, nextPull };
}

describe('createBuildCacheWarmer', () => {
  it('pulls one service at a time; a service asked for while it is pulled is pulled again after, at its newest', async () => {
    const { deps, newest, asked, nextPull } = world();
    const warmer = createBuildCacheWarmer(deps);
    warmer.warm('web');
    warmer.warm('api');
    const web = await nextPull();
    assert.deepEqual(asked, ['git-1111111'], 'api waits for web');
    newest.set('web', 'git-3333333'); // pushed while web's older image is pulled
    warmer.warm('web');
    warmer.warm('web');
    web.done();
    (await nextPull()).done();
    (await nextPull()).done();
    await warmer.idle();
    assert.deepEqual(asked, ['git-1111111', 'git-2222222', 'git-3333333'], 'two asks for web while it was pulled: one more pull');
  });

  it('asks coalesce while they wait, services without a pipeline are not pulled, and nothing starts once stopped', async () => {
    const { deps, asked, nextPull } = world();
    const stop = new AbortController();
    const warmer = createBuildCacheWarmer(deps, stop.signal);
    warmer.warm('web');
    warmer.warm('unknown');
    warmer.warm('api');
    warmer.warm('api');
    const web = await nextPull();
    stop.abort();
    web.done();
    warmer.warm('web');
    await warmer.idle();
    assert.deepEqual(asked, ['git-1111111'], 'api was waiting when the worker stopped');
  });

  it("runs afterWarm (the janitor's image round) after a turn that pulled, not after one whose image the engine had", async () => {
    const { deps, nextPull } = world();
    const rounds: string[] = [];
    const warmer = createBuildCacheWarmer(deps, undefined, async (service) => void rounds.push(service));
    warmer.warm('web');
    warmer.warm('api');
    (await nextPull()).done(false); // web: the worker built it itself (it heard its own push)
    (await nextPull()).done(true);
    await warmer.idle();
    assert.deepEqual(rounds, ['api']);
  });
});
