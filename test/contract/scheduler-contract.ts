import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { isSlipwayError } from '../../src/core/errors.ts';
import type { PushedImage } from '../../src/core/image.ts';
import type { Release, Scheduler } from '../../src/core/ports/scheduler.ts';
import { missingImage, publishSite } from '../support/images.ts';
import { memoryLog } from '../support/memory-log.ts';

/**
 * What the contract needs from one adapter under test: the adapter aimed at its scheduler (the
 * real Docker engine, or an emulator), valid settings for a service, and a way to ask the
 * scheduler — not the adapter — what it runs.
 */
export interface ContractSubject {
  readonly scheduler: Scheduler;
  /** the same adapter aimed at an address where nothing listens */
  readonly unreachable: Scheduler;
  /** a valid pipeline block for this adapter, for a service answering on its own port */
  settings(service: string): Promise<Record<string, unknown>>;
  /** the image digest the scheduler itself reports running and healthy for (service, environment), if any */
  running(service: string, environment: string, settings: Record<string, unknown>): Promise<string | undefined>;
  /** settings the scheduler itself refuses (a job it rejects), as this adapter's block */
  rejectedSettings(service: string): Promise<Record<string, unknown>>;
  close(): Promise<void>;
}

const DEADLINE_MS = 30_000;

/**
 * The behaviour every scheduler adapter shares, whatever runs underneath: deploy and wait healthy,
 * roll back a release that never gets healthy, refuse cleanly, tell unreachable from rejected, and
 * treat a second deploy of the running image as a no-op.
 */
export function schedulerContract(name: string, makeSubject: () => Promise<ContractSubject>): void {
  describe(`scheduler contract: ${name}`, { timeout: 300_000 }, () => {
    let subject: ContractSubject;
    const service = `contract-${name}-${randomBytes(3).toString('hex')}`;
    const environment = 'production';
    let settings: Record<string, unknown>;
    let v1: PushedImage;
    let v2: PushedImage;
    let broken: PushedImage;

    before(async () => {
      subject = await makeSubject();
      settings = await subject.settings(service);
      [v1, v2, broken] = [
        await publishSite(service, 'version one'),
        await publishSite(service, 'version two'),
        await publishSite(service, 'never healthy', { healthy: false }),
      ];
    });
    after(async () => subject?.close());

    const release = (image: PushedImage, s = settings): Release => ({
      service, environment, image, sha: image.tag.slice(4).padEnd(40, '0'), buildId: image.tag, settings: s,
    });
    const deploy = (image: PushedImage, s = settings) => subject.scheduler.deploy(release(image, s), memoryLog(), { deadlineMs: DEADLINE_MS });

    it('deploys a release and waits until it is healthy', async () => {
      const result = await deploy(v1);
      assert.equal(result.outcome, 'succeeded', result.detail);
      assert.equal(await subject.running(service, environment, settings), v1.digest);
    });

    it('replaces the running release with a newer one', async () => {
      const result = await deploy(v2);
      assert.equal(result.outcome, 'succeeded', result.detail);
      assert.equal(await subject.running(service, environment, settings), v2.digest);
    });

    it('treats a deploy of the running image as a no-op that succeeds', async () => {
      const result = await deploy(v2);
      assert.equal(result.outcome, 'succeeded', result.detail);
      assert.equal(await subject.running(service, environment, settings), v2.digest);
    });

    it('rolls back a release that never becomes healthy, and says why', async () => {
      const result = await deploy(broken);
      assert.equal(result.outcome, 'rolled_back', result.detail);
      assert.ok(result.detail.length > 0);
      assert.equal(await subject.running(service, environment, settings), v2.digest);
    });

    it('fails (or rolls back) a release whose image is not in the registry, keeping the running one', async () => {
      const result = await deploy(missingImage(service)).catch((err) => err);
      if (isSlipwayError(result)) assert.equal(result.code, 'SCHEDULER_REJECTED', result.message);
      else assert.notEqual(result.outcome, 'succeeded', result.detail);
      assert.equal(await subject.running(service, environment, settings), v2.digest);
    });

    it('reports a job the scheduler rejects as SCHEDULER_REJECTED, not retryable', async () => {
      const err = await deploy(v1, await subject.rejectedSettings(service)).then(
        (r) => assert.fail(`expected a rejection, got ${r.outcome}: ${r.detail}`),
        (e: unknown) => e,
      );
      assert.ok(isSlipwayError(err, 'SCHEDULER_REJECTED'), String(err));
      assert.equal(err.retryable, false);
      assert.equal(await subject.running(service, environment, settings), v2.digest);
    });

    it('reports an unreachable scheduler as SCHEDULER_UNREACHABLE, retryable', async () => {
      const err = await subject.unreachable.deploy(release(v1), memoryLog(), { deadlineMs: 5_000 }).then(
        (r) => assert.fail(`expected an error, got ${r.outcome}`),
        (e: unknown) => e,
      );
      assert.ok(isSlipwayError(err, 'SCHEDULER_UNREACHABLE'), String(err));
      assert.equal(err.retryable, true);
    });
  });
}
