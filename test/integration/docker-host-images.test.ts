/**
 * The `docker` scheduler keeps a `docker.host` engine's disk from filling with the releases it
 * pulled there: after each healthy rollout, the service's images that are neither the current nor
 * the previous release of an environment on that engine go. Images Slipway did not bring (another
 * repository's, the service's own pulled or tagged by hand) stay. On a second real engine, pulling
 * from the real registry.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type Docker from 'dockerode';
import { after, before, describe, it } from 'node:test';
import { pinnedName, type PushedImage } from '../../src/core/image.ts';
import type { Release } from '../../src/core/ports/scheduler.ts';
import { createDockerClient } from '../../src/docker/docker-client.ts';
import { readJsonStream } from '../../src/docker/json-stream.ts';
import { createDockerScheduler } from '../../src/schedulers/docker/docker-scheduler.ts';
import { testEnv } from '../support/env.ts';
import { freePort } from '../support/free-port.ts';
import { publishSite } from '../support/images.ts';
import { memoryLog } from '../support/memory-log.ts';
import { startSecondEngine, type SecondEngine } from '../support/second-engine.ts';

const service = `prune${randomBytes(3).toString('hex')}`;
const DEADLINE_MS = 20_000;

describe('docker.host: images of earlier releases leave the engine after a healthy rollout', { timeout: 240_000 }, () => {
  let other: SecondEngine;
  let releases: PushedImage[];
  let foreign: PushedImage;
  const scheduler = createDockerScheduler(createDockerClient(testEnv().dockerHost), { healthIntervalMs: 100 });
  const ports: Record<string, number> = {};

  before(async () => {
    other = await startSecondEngine();
    releases = [];
    for (const n of [1, 2, 3, 4, 5]) releases.push(await publishSite(service, `release ${n}`));
    foreign = await publishSite(`${service}-other`, 'another service');
    ports.production = await freePort();
    ports.staging = await freePort();
  });
  after(async () => other?.stop()); // its containers and images go with it

  const onEngine = (image: PushedImage) => other.docker.getImage(pinnedName(image)).inspect().then(() => true, () => false);
  const release = (image: PushedImage, environment: string): Release => ({
    service, environment, image, sha: image.tag.slice(4), buildId: `b-${image.tag}`,
    settings: { host: other.dockerHost, port: ports[environment], health_path: '/index.html' },
  });
  async function deploy(image: PushedImage, environment: string): Promise<string> {
    const log = memoryLog();
    const deployment = await scheduler.deploy(release(image, environment), log, { deadlineMs: DEADLINE_MS });
    assert.equal(deployment.outcome, 'succeeded', log.text());
    return log.text();
  }
  /** as an operator would: `docker pull` by digest, optionally tagged */
  async function pullByHand(image: PushedImage, tag?: string): Promise<void> {
    await readJsonStream(await other.docker.createImage({ fromImage: pinnedName(image) }));
    if (tag) await other.docker.getImage(pinnedName(image)).tag({ repo: image.repository, tag });
  }

  it('keeps each environment\'s current and previous release and removes the service\'s older ones, nothing else', async () => {
    const [r1, r2, r3, r4, r5] = releases as [PushedImage, PushedImage, PushedImage, PushedImage, PushedImage];
    await pullByHand(r5); // the service's own repository, pulled by hand without a tag
    await pullByHand(foreign, r1.tag); // another repository, even under a tag shaped like a build's
    await deploy(r1, 'production');
    await deploy(r2, 'production');
    await deploy(r4, 'staging');
    assert.equal(await onEngine(r1), true, 'production\'s previous release stays while staging deploys');

    const log = await deploy(r3, 'production');

    assert.match(log, new RegExp(`Removed images of earlier releases from this engine: deployed-${r1.tag}$`, 'm'));
    assert.equal(await onEngine(r1), false, 'production\'s release before the previous one is gone');
    for (const [image, why] of [[r2, 'production\'s previous'], [r3, 'production\'s current'], [r4, 'staging\'s current'], [r5, 'pulled by hand'], [foreign, 'another repository']] as const) {
      assert.equal(await onEngine(image), true, `${why} stays`);
    }
  });

  it('takes only its own mark off an image that also has a worker\'s build tag or an operator\'s tag: the image and those tags stay', async () => {
    const [, r2, r3, r4] = releases as [PushedImage, PushedImage, PushedImage, PushedImage];
    // as a worker that builds on this engine would have tagged it, and an operator
    await other.docker.getImage(pinnedName(r2)).tag({ repo: r2.repository, tag: r2.tag });
    await other.docker.getImage(pinnedName(r2)).tag({ repo: r2.repository, tag: 'keep-me' });

    const log = await deploy(r4, 'production'); // production: r4 current, r3 previous; r2 is neither any more

    assert.match(log, new RegExp(`Removed images of earlier releases from this engine: deployed-${r2.tag}$`, 'm'));
    const tags = (await other.docker.getImage(pinnedName(r2)).inspect()).RepoTags;
    assert.deepEqual([...tags].sort(), [`${r2.repository}:${r2.tag}`, `${r2.repository}:keep-me`]);
    for (const image of [r3, r4]) assert.equal(await onEngine(image), true, image.tag);
  });

  it('removes a closed preview\'s images with its containers, other environments\' untouched', async () => {
    const [r1, , r3, r4, r5] = releases as [PushedImage, PushedImage, PushedImage, PushedImage, PushedImage];
    ports['pr-7'] = await freePort();
    await deploy(r1, 'pr-7');
    await deploy(r5, 'pr-7');
    assert.equal(await onEngine(r1), true, 'the preview\'s previous release');

    const log = memoryLog();
    await scheduler.remove({ service, environment: 'pr-7', settings: { host: other.dockerHost, ports: `${ports['pr-7']}-${ports['pr-7']}`, health_path: '/index.html' } }, log);

    assert.match(log.text(), /Removed images of earlier releases from this engine: /);
    for (const image of [r1, r5]) assert.equal(await onEngine(image), false, `${image.tag} gone`);
    for (const image of [r3, r4]) assert.equal(await onEngine(image), true, `${image.tag} stays`);
  });

  it('pulls the release again when another environment\'s pruning took its image between the pull and the mark', async () => {
    const [r1] = releases as [PushedImage];
    ports.canary = await freePort();
    let pruned = false;
    // the engine's own removal, run just before the rollout's first mark: what a concurrent settle of another environment would do
    const racing = createDockerScheduler(createDockerClient(testEnv().dockerHost), {
      healthIntervalMs: 100,
      connect: (host) => {
        const docker = createDockerClient(host);
        const getImage = docker.getImage.bind(docker);
        docker.getImage = (name: string) => {
          const image = getImage(name);
          if (name !== pinnedName(r1) || pruned) return image;
          const tag = image.tag.bind(image);
          image.tag = (async (options: Docker.ImageTagOptions) => {
            pruned = true;
            await getImage(name).remove();
            return tag(options);
          }) as typeof image.tag;
          return image;
        };
        return docker;
      },
    });
    const log = memoryLog();
    const deployment = await racing.deploy(release(r1, 'canary'), log, { deadlineMs: DEADLINE_MS });

    assert.equal(deployment.outcome, 'succeeded', log.text());
    assert.equal(pruned, true, 'the image was taken away once');
    assert.equal(log.lines.filter((l) => l === `Pulling ${pinnedName(r1)}`).length, 2, log.text());
  });
});
