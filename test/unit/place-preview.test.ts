import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { newBuild, type Build } from '../../src/core/build.ts';
import { isSlipwayError } from '../../src/core/errors.ts';
import { targetFor, type Pipeline } from '../../src/core/pipeline.ts';
import type { BuildStore } from '../../src/core/ports/build-store.ts';
import type { PreviewPlace } from '../../src/core/ports/preview-scheduler.ts';
import type { Scheduler } from '../../src/core/ports/scheduler.ts';
import { placePreview } from '../../src/pipeline/place-preview.ts';

const pipeline = {
  service: 'hello', repository: 'acme/hello', dockerfile: 'Dockerfile', file: 'hello.yml',
  deploy: [{ branch: 'main', environment: 'production', scheduler: 'docker', url: 'https://hello.example.com', settings: { port: 8080 } }],
  preview: { scheduler: 'docker', url: 'http://127.0.0.1:{port}/pr/{number}', settings: { ports: '4100-4101' } },
} as Pipeline;
const CREATED = 1_000;
const build: Build = newBuild('5', 'hello', { kind: 'pull_request', deliveryId: 'd', repository: 'acme/hello', cloneUrl: 'file:///x.git', sha: 'a'.repeat(40), branch: 'login', pullRequest: { number: 7, baseBranch: 'main', fork: false } }, CREATED);
const placed: PreviewPlace[] = [];
const docker = {
  deploy: async () => ({ outcome: 'succeeded', detail: '' }),
  prepare: async (place: PreviewPlace) => (placed.push(place), { settings: { port: 4100 }, port: 4100 }),
  remove: async () => {},
} as Scheduler;
const store = { get: async (id: string) => (id === build.id ? build : undefined) } as unknown as BuildStore;
const closedAt = (at?: number) => ({ store, closings: { close: async () => {}, closedAt: async () => at } });

describe('placing a preview deploy', () => {
  it('gives a preview the scheduler\'s settings and fills its url', async () => {
    const target = targetFor(pipeline, 'pr-7', 'login')!;
    assert.deepEqual(await placePreview(closedAt(), build, pipeline, target, docker), { settings: { port: 4100 }, url: 'http://127.0.0.1:4100/pr/7' });
    assert.deepEqual(placed.at(-1), { service: 'hello', environment: 'pr-7', settings: { ports: '4100-4101' } });
  });

  it('does not deploy a build queued before its pull request closed, and deploys one queued after (reopened)', async () => {
    const target = targetFor(pipeline, 'pr-7', 'login')!;
    assert.deepEqual(await placePreview(closedAt(CREATED + 1), build, pipeline, target, docker), { closed: 'pull request #7 closed after this build was queued; its preview is removed' });
    assert.ok('settings' in (await placePreview(closedAt(CREATED - 1), build, pipeline, target, docker))!);
  });

  it('does not deploy a rerun of a build queued before the close, however late the rerun', async () => {
    const rerun: Build = { ...build, id: '9', rerunOf: build.id, createdAt: CREATED + 100 };
    assert.ok('closed' in (await placePreview(closedAt(CREATED + 1), rerun, pipeline, targetFor(pipeline, 'pr-7', 'login')!, docker))!);
  });

  it('leaves every other deploy as it is', async () => {
    assert.equal(await placePreview(closedAt(), build, pipeline, targetFor(pipeline, 'production', 'main')!, docker), undefined);
  });

  it('refuses a scheduler that cannot run previews', async () => {
    const nomad = { deploy: docker.deploy } as Scheduler;
    await assert.rejects(placePreview(closedAt(), build, pipeline, targetFor(pipeline, 'pr-7', 'login')!, nomad), (err) => isSlipwayError(err, 'SCHEDULER_REJECTED'));
  });
});
