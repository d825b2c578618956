/**
 * Retention and the environments a pipeline's deploy entries do not name, on real Redis and the
 * real engine: a preview (pr-<n>) keeps its current build and the one a rollback there would put
 * back, with their images, however far past SLIPWAY_KEEP_BUILDS, until its pull request closes;
 * an environment whose entry was removed keeps what it still runs.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import type { Pipeline } from '../../src/core/pipeline.ts';
import { removeTempDirs } from '../support/temp-dir.ts';
import { docker, env, pipeline, world } from '../support/retention-world.ts';

after(removeTempDirs);

const withPreview = (service: string): Pipeline => ({ ...pipeline(service, ['production']), preview: { scheduler: 'docker', settings: {} } });

/**
 * A build's image in the engine, as a build on this worker would have left it: an image of its
 * own (committed from a container never started), so no container of another test uses it.
 */
async function tagImage(w: ReturnType<typeof world>, service: string, id: string, prefix: string): Promise<string> {
  const sha = (await w.store.get(id))!.event.sha.slice(0, 7);
  const tag = `${prefix}-${sha}`;
  const container = await docker.createContainer({ Image: 'local/busybox', Cmd: ['true'], Labels: { build: id } });
  try {
    await container.commit({ repo: `${env.registry}/${service}`, tag });
  } finally {
    await container.remove({ force: true });
  }
  return `${env.registry}/${service}:${tag}`;
}
const inEngine = (name: string) => docker.getImage(name).inspect().then(() => true, () => false);
after(async () => {
  for (const image of await docker.listImages({ filters: { reference: [`${env.registry}/preview-keep-*`] } })) {
    for (const tag of image.RepoTags ?? []) await docker.getImage(tag).remove().catch(() => undefined);
  }
});

describe('retention of previews and environments no entry names (real Redis, real engine)', () => {
  it('keeps an open preview\'s current and rollback builds with their images, whatever their age; prunes them once its pull request closed', async () => {
    const service = `preview-keep-${process.pid}`;
    const w = world(1, [withPreview(service)]);
    const [rollbackTo, current] = await w.builds(2, service);
    await w.release(service, 'pr-7', rollbackTo!);
    await w.release(service, 'pr-7', current!);
    const images = [await tagImage(w, service, rollbackTo!, 'pr7'), await tagImage(w, service, current!, 'pr7')];
    const older = await w.builds(2, service);
    const olderImage = await tagImage(w, service, older[0]!, 'git');
    const newest = await w.build(service);

    await w.janitor.afterBuild(service);

    assert.deepEqual(await w.remaining(service), [rollbackTo, current, newest], 'the preview\'s two builds stay, the others past the limit go');
    for (const image of images) assert.equal(await inEngine(image), true, `${image} stays`);
    assert.equal(await inEngine(olderImage), false, 'the image of a deleted build goes');

    // The pull request closes: the removal records the close before taking the containers down.
    await w.closings.close(service, 'pr-7', Date.now());
    await w.janitor.afterBuild(service);

    assert.deepEqual(await w.remaining(service), [newest]);
    for (const id of [rollbackTo, current]) assert.deepEqual(await w.traces(id!), [], `build ${id} deleted`);
    for (const image of images) assert.equal(await inEngine(image), false, `${image} removed`);
  });

  it('keeps the build of a preview deployed again after its pull request reopened', async () => {
    const service = `preview-keep-reopen-${process.pid}`;
    const w = world(1, [withPreview(service)]);
    const [before, after] = await w.builds(2, service);
    await w.release(service, 'pr-9', before!);
    await w.closings.close(service, 'pr-9', Date.now() - 1000);
    await w.release(service, 'pr-9', after!);
    const newest = await w.builds(2, service);

    await w.janitor.afterBuild(service);

    // after runs there now; before is what a rollback there would put back
    assert.deepEqual(await w.remaining(service), [before, after, newest[1]]);
  });

  it('keeps what an environment runs after its deploy entry was removed from the pipeline', async () => {
    const service = `preview-keep-removed-${process.pid}`;
    const w = world(1, [pipeline(service, ['production'])]);
    const [staging, production] = await w.builds(2, service);
    await w.release(service, 'staging', staging!);
    await w.release(service, 'production', production!);
    const newest = await w.builds(2, service);

    await w.janitor.afterBuild(service);

    assert.deepEqual(await w.remaining(service), [staging, production, newest[1]]);
  });
});
