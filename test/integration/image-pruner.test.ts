/**
 * Image pruning on the real test engine: a service's build tags (`git-<sha7>`, `pr<n>-<sha7>`)
 * whose commits no kept build has are removed, never an image a container uses, never another
 * tag; an engine that cannot be reached is a logged warning, not a failure.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { pino } from 'pino';
import { createDockerClient } from '../../src/docker/docker-client.ts';
import { createDockerImageBuilder } from '../../src/docker/image-builder.ts';
import { createImagePruner } from '../../src/docker/image-pruner.ts';
import { buildContext } from '../support/build-context.ts';
import { testEnv } from '../support/env.ts';
import { memoryLog } from '../support/memory-log.ts';

const env = testEnv();
const docker = createDockerClient(env.dockerHost);
const run = randomBytes(3).toString('hex');
const repository = `${env.registry}/prune-${run}`;
const sha7 = () => randomBytes(4).toString('hex').slice(0, 7);

/** A small image of its own (distinct content, so a distinct id), tagged `repository:tag`. */
async function image(tag: string): Promise<string> {
  const built = await createDockerImageBuilder(docker).build(
    { context: buildContext({ Dockerfile: `FROM local/busybox\nRUN echo ${randomBytes(8).toString('hex')} > /id\n` }), dockerfile: 'Dockerfile', image: { repository, tag }, labels: {} },
    memoryLog(),
  );
  return built.id!;
}

async function tags(): Promise<string[]> {
  const images = await docker.listImages({ filters: { reference: [repository] } });
  return images.flatMap((i) => i.RepoTags ?? []).map((t) => t.slice(repository.length + 1)).sort();
}

async function exists(id: string): Promise<boolean> {
  return docker.getImage(id).inspect().then(() => true, () => false);
}

describe('image pruner (real engine)', { timeout: 60_000 }, () => {
  const kept = sha7();
  const gone = sha7();
  const pr = sha7();
  const used = sha7();
  const only = sha7();
  const ids: Record<string, string> = {};
  let container: { remove(o: object): Promise<unknown> } | undefined;

  before(async () => {
    ids.shared = await image(`git-${kept}`);
    for (const tag of [`git-${gone}`, `pr7-${pr}`, 'hand-made']) await docker.getImage(ids.shared).tag({ repo: repository, tag });
    ids.used = await image(`git-${used}`);
    ids.only = await image(`git-${only}`);
    // a container (created, never started) uses the image: it must stay
    container = await docker.createContainer({ Image: `${repository}:git-${used}`, Cmd: ['true'], HostConfig: { NetworkMode: 'none' } });
  });
  after(async () => {
    await container?.remove({ force: true });
    for (const id of Object.values(ids)) await docker.getImage(id).remove({ force: true }).catch(() => undefined);
  });

  it('removes the build tags of commits no kept build has, except on images containers use', async () => {
    const removed = await createImagePruner(docker, pino({ level: 'silent' })).prune(repository, new Set([kept]));
    assert.deepEqual(removed.sort(), [`git-${gone}`, `git-${only}`, `pr7-${pr}`].sort());
    assert.deepEqual(await tags(), [`git-${kept}`, `git-${used}`, 'hand-made'].sort());
    assert.equal(await exists(ids.shared!), true, 'an image with a kept tag stays');
    assert.equal(await exists(ids.used!), true, 'an image a container uses stays');
    assert.equal(await exists(ids.only!), false, 'an image left without a tag is gone from the engine');
  });

  it('does nothing to other repositories, and nothing when every commit is kept', async () => {
    const pruner = createImagePruner(docker, pino({ level: 'silent' }));
    assert.deepEqual(await pruner.prune(`${repository}-other`, new Set()), []);
    assert.deepEqual(await pruner.prune(repository, new Set([kept, used])), []);
    assert.deepEqual(await tags(), [`git-${kept}`, `git-${used}`, 'hand-made'].sort());
  });

  it('logs an engine it cannot reach and carries on', async () => {
    const lines: string[] = [];
    const logger = pino({ level: 'warn' }, { write: (l: string) => void lines.push(l) });
    const removed = await createImagePruner(createDockerClient('unix:///nonexistent/docker.sock'), logger).prune(repository, new Set());
    assert.deepEqual(removed, []);
    assert.match(lines.join(''), /could not list images to prune/);
  });
});
