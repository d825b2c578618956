/**
 * The `nomad` scheduler adapter beyond the contract, against the Nomad emulator (allocations run
 * for real in the test engine): what it logs, check-and-set conflicts, the deadline, placement
 * failures after registering, Nomad's error answers, namespaces and tokens, canaries.
 * Run with `npm test -- test/integration/nomad-scheduler.test.ts`.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { isSlipwayError } from '../../src/core/errors.ts';
import type { PushedImage } from '../../src/core/image.ts';
import type { Release } from '../../src/core/ports/scheduler.ts';
import { nomadJob } from '../../src/schedulers/nomad/job-spec.ts';
import { createNomadScheduler, type NomadSchedulerOptions } from '../../src/schedulers/nomad/nomad-scheduler.ts';
import { NomadSettingsSchema } from '../../src/schedulers/nomad/settings.ts';
import { startNomadEmulator, type NomadEmulator } from '../emulators/nomad.ts';
import { publishSite } from '../support/images.ts';
import { memoryLog } from '../support/memory-log.ts';

const TOKEN = 'nomad-test-token';
const BASE = { port: 8080, health_path: '/index.html', update: { min_healthy_time: 1, healthy_deadline: 8, progress_deadline: 20 } };
const DEADLINE_MS = 30_000;

describe('nomad scheduler', { timeout: 600_000 }, () => {
  let nomad: NomadEmulator;
  const site = `nomadsched-${randomBytes(3).toString('hex')}`;
  const images = {} as Record<'one' | 'two' | 'silent', PushedImage>;
  const scheduler = (options: NomadSchedulerOptions = {}, connection: Partial<{ token: string; namespace: string }> = {}) =>
    createNomadScheduler({ addr: nomad.url, token: TOKEN, namespace: 'default', ...connection }, { pollIntervalMs: 200, ...options });
  const release = (service: string, image: PushedImage, settings: Record<string, unknown> = BASE): Release => ({
    service, environment: 'production', image, sha: image.tag.slice(4).padEnd(40, '0'), buildId: `b-${image.tag}`, settings,
  });
  const fresh = () => `svc${randomBytes(3).toString('hex')}`;
  /** Registers the job as someone else would (raw API), changing it under the adapter. */
  const intrude = (service: string, image: PushedImage, times: number) => {
    let left = times;
    const hook = async () => {
      const body = nomadJob(release(service, image), NomadSettingsSchema.parse(BASE));
      const res = await fetch(`${nomad.url}/v1/job/${service}-production`, {
        method: 'POST', headers: { 'x-nomad-token': TOKEN }, body: JSON.stringify({ Job: { ...body.Job, Meta: { changed_by: `someone ${left}` } } }),
      });
      assert.equal(res.status, 200, await res.text());
      if (--left > 0) nomad.beforeNextRegister(hook);
    };
    nomad.beforeNextRegister(hook);
  };

  before(async () => {
    nomad = await startNomadEmulator({ token: TOKEN, namespaces: ['staging'] });
    images.one = await publishSite(site, 'release one');
    images.two = await publishSite(site, 'release two');
    images.silent = await publishSite(site, 'never healthy', { healthy: false });
  });
  after(async () => nomad?.close());

  it('first deploy: registers check-and-set, follows evaluation and deployment, and says so in the log', async () => {
    const service = fresh();
    const log = memoryLog();
    const result = await scheduler().deploy(release(service, images.one), log, { deadlineMs: DEADLINE_MS });
    assert.equal(result.outcome, 'succeeded', log.text());
    assert.equal(result.detail, 'Deployment completed successfully (job version 0, 1/1 healthy)');
    assert.equal(result.previous, undefined);
    for (const line of [`Job ${service}-production does not exist yet`, `Registering job ${service}-production version 0 (${images.one.tag})`, 'Deployment ', ': 1/1 healthy']) {
      assert.ok(log.lines.some((l) => l.includes(line)), `log lacks "${line}":\n${log.text()}`);
    }
    assert.ok(log.lines.some((l) => /^Evaluation [0-9a-f]{8}: complete$/.test(l)), log.text());
    assert.ok(log.lines.some((l) => /^Deployment [0-9a-f]{8}: successful \(Deployment completed successfully\)$/.test(l)), log.text());
    const mine = nomad.requests.filter((r) => r.path.includes(service));
    assert.ok(mine.length > 0 && mine.every((r) => r.query.namespace === 'default' && r.token === TOKEN), JSON.stringify(mine));
    assert.deepEqual(mine.filter((r) => r.method !== 'GET').map((r) => r.path), [`/v1/job/${service}-production/plan`, `/v1/job/${service}-production`]);
    assert.equal(nomad.runningImage(`${service}-production`), images.one.digest);
  });

  it('same image with other settings is rolled out again; the same release twice is a no-op', async () => {
    const service = fresh();
    await scheduler().deploy(release(service, images.one), memoryLog(), { deadlineMs: DEADLINE_MS });
    const two = { ...BASE, count: 2 };
    const log = memoryLog();
    const result = await scheduler().deploy(release(service, images.one, two), log, { deadlineMs: DEADLINE_MS });
    assert.equal(result.outcome, 'succeeded', log.text());
    assert.match(result.detail, /job version 1, 2\/2 healthy/);
    const again = await scheduler().deploy(release(service, images.one, two), memoryLog(), { deadlineMs: DEADLINE_MS });
    assert.deepEqual(again, { outcome: 'succeeded', detail: 'already running' });
    assert.equal(nomad.versions(`${service}-production`).length, 2);
  });

  it('a job changed by someone else between read and register is read again, not overwritten blindly', async () => {
    const service = fresh();
    await scheduler().deploy(release(service, images.one), memoryLog(), { deadlineMs: DEADLINE_MS });
    intrude(service, images.one, 1);
    const log = memoryLog();
    const result = await scheduler().deploy(release(service, images.two), log, { deadlineMs: DEADLINE_MS });
    assert.equal(result.outcome, 'succeeded', log.text());
    assert.ok(log.lines.some((l) => l.includes('was changed by someone else since Slipway read it')), log.text());
    assert.deepEqual(nomad.versions(`${service}-production`).map((v) => v.Meta?.changed_by ?? v.Meta?.git_sha?.slice(0, 7)), [
      images.one.tag.slice(4), 'someone 1', images.two.tag.slice(4),
    ]);
    assert.equal(nomad.runningImage(`${service}-production`), images.two.digest);
  });

  it('a job that keeps changing underneath is refused after one retry', async () => {
    const service = fresh();
    await scheduler().deploy(release(service, images.one), memoryLog(), { deadlineMs: DEADLINE_MS });
    intrude(service, images.one, 2);
    const err = await scheduler().deploy(release(service, images.two), memoryLog(), { deadlineMs: DEADLINE_MS }).catch((e: unknown) => e);
    assert.ok(isSlipwayError(err, 'SCHEDULER_REJECTED'), String(err));
    assert.match(err.message, /changed by someone else twice/);
    assert.equal(nomad.job(`${service}-production`)?.Meta?.changed_by, 'someone 1');
  });

  it('at the deadline Slipway fails the deployment itself and Nomad rolls back', async () => {
    const service = fresh();
    await scheduler().deploy(release(service, images.one), memoryLog(), { deadlineMs: DEADLINE_MS });
    const slow = { ...BASE, update: { min_healthy_time: 1, healthy_deadline: 60, progress_deadline: 120 } };
    const log = memoryLog();
    const result = await scheduler().deploy(release(service, images.silent, slow), log, { deadlineMs: 4_000 });
    assert.equal(result.outcome, 'rolled_back', log.text());
    assert.equal(result.detail, 'not healthy within 4s: Deployment marked as failed - rolling back to job version 0');
    assert.equal(result.previous, `${images.one.repository}@${images.one.digest}`);
    assert.ok(log.lines.some((l) => /did not succeed within 4s; marking it failed so Nomad rolls back$/.test(l)), log.text());
    assert.ok(log.lines.some((l) => l === `Nomad rolled back to version 0 (${images.one.tag}) as job version 2`), log.text());
    assert.equal(nomad.runningImage(`${service}-production`), images.one.digest);
  });

  it('a release Nomad judges unhealthy: rolled_back with Nomad\'s description and the allocation\'s reason', async () => {
    const service = fresh();
    await scheduler().deploy(release(service, images.one), memoryLog(), { deadlineMs: DEADLINE_MS });
    const quick = { ...BASE, update: { min_healthy_time: 1, healthy_deadline: 3, progress_deadline: 20 } };
    const log = memoryLog();
    const result = await scheduler().deploy(release(service, images.silent, quick), log, { deadlineMs: DEADLINE_MS });
    assert.equal(result.outcome, 'rolled_back', log.text());
    assert.match(result.detail, /^Failed due to unhealthy allocations - rolling back to job version 0 \(allocation [0-9a-f]{8}: Services not healthy by deadline\)$/);
  });

  it('a first release that never gets healthy has nothing to roll back to: failed', async () => {
    const service = fresh();
    const quick = { ...BASE, update: { min_healthy_time: 1, healthy_deadline: 3, progress_deadline: 20 } };
    const log = memoryLog();
    const result = await scheduler().deploy(release(service, images.silent, quick), log, { deadlineMs: DEADLINE_MS });
    assert.equal(result.outcome, 'failed', log.text());
    assert.match(result.detail, /^Failed due to unhealthy allocations - no stable job version to auto revert to/);
  });

  it('without the plan, a job Nomad cannot place is refused after the evaluation and the previous version put back', async () => {
    const service = fresh();
    await scheduler().deploy(release(service, images.one), memoryLog(), { deadlineMs: DEADLINE_MS });
    const log = memoryLog();
    const err = await scheduler({ plan: false }).deploy(release(service, images.two, { ...BASE, resources: { memory: 1_000_000 } }), log, { deadlineMs: DEADLINE_MS }).catch((e: unknown) => e);
    assert.ok(isSlipwayError(err, 'SCHEDULER_REJECTED'), String(err));
    assert.equal(err.message, `Nomad cannot place job ${service}-production: task group ${service}: Resources exhausted on 3 nodes; Dimension "memory" exhausted on 3 nodes`);
    assert.ok(log.lines.includes(`Reverting job ${service}-production to version 0 (${images.one.tag})`), log.text());
    const job = nomad.job(`${service}-production`)!;
    assert.deepEqual([job.Version, job.TaskGroups[0].Tasks[0].Resources.MemoryMB], [2, 128]);
    assert.equal(nomad.runningImage(`${service}-production`), images.one.digest);
  });

  it('a new job Nomad cannot place is stopped again', async () => {
    const service = fresh();
    const log = memoryLog();
    const err = await scheduler({ plan: false }).deploy(release(service, images.one, { ...BASE, datacenters: ['dc9'] }), log, { deadlineMs: DEADLINE_MS }).catch((e: unknown) => e);
    assert.ok(isSlipwayError(err, 'SCHEDULER_REJECTED'), String(err));
    assert.match(err.message, /No nodes were eligible for evaluation; No nodes are available in datacenter "dc9"/);
    assert.equal(nomad.job(`${service}-production`)?.Stop, true, log.text());
  });

  it('Nomad\'s own refusals are SCHEDULER_REJECTED with its text; a leaderless cluster is SCHEDULER_UNREACHABLE', async () => {
    const service = fresh();
    nomad.failNextRegister(500, '1 error occurred:\n\t* Task group web validation failed: oops\n\n');
    const refused = await scheduler().deploy(release(service, images.one), memoryLog(), { deadlineMs: DEADLINE_MS }).catch((e: unknown) => e);
    assert.ok(isSlipwayError(refused, 'SCHEDULER_REJECTED'), String(refused));
    assert.equal(refused.retryable, false);
    assert.match(refused.message, /^Nomad refused POST \/v1\/job\/.+ \(HTTP 500\): 1 error occurred:\n\t\* Task group web validation failed: oops$/);
    nomad.failNextRegister(500, 'No cluster leader');
    const down = await scheduler().deploy(release(service, images.one), memoryLog(), { deadlineMs: DEADLINE_MS }).catch((e: unknown) => e);
    assert.ok(isSlipwayError(down, 'SCHEDULER_UNREACHABLE'), String(down));
    assert.equal(down.retryable, true);
    const denied = await scheduler({}, { token: 'wrong' }).deploy(release(service, images.one), memoryLog(), { deadlineMs: DEADLINE_MS }).catch((e: unknown) => e);
    assert.ok(isSlipwayError(denied, 'SCHEDULER_REJECTED'), String(denied));
    assert.match(denied.message, /\(HTTP 403\): ACL token not found$/);
  });

  it('settings that do not validate: SCHEDULER_REJECTED naming the key, before any call', async () => {
    const before = nomad.requests.length;
    const bad = { ...BASE, update: { min_healthy_time: 30, healthy_deadline: 20, progress_deadline: 60 } };
    const err = await scheduler().deploy(release(fresh(), images.one, bad), memoryLog(), { deadlineMs: DEADLINE_MS }).catch((e: unknown) => e);
    assert.ok(isSlipwayError(err, 'SCHEDULER_REJECTED'), String(err));
    assert.match(err.message, /^invalid nomad settings: update\.min_healthy_time: must be less than healthy_deadline \(20s\)/);
    assert.equal(nomad.requests.length, before);
  });

  it('NOMAD_NAMESPACE puts the job in that namespace; canaries that wait for promotion are promoted by Slipway', async () => {
    const service = fresh();
    const staging = scheduler({}, { namespace: 'staging' });
    await staging.deploy(release(service, images.one, { ...BASE, count: 2 }), memoryLog(), { deadlineMs: DEADLINE_MS });
    assert.equal(nomad.job(`${service}-production`), undefined);
    assert.equal(nomad.job(`${service}-production`, 'staging')?.Namespace, 'staging');
    const canary = { ...BASE, count: 2, update: { ...BASE.update, canary: 1, auto_promote: false } };
    const log = memoryLog();
    const result = await staging.deploy(release(service, images.two, canary), log, { deadlineMs: DEADLINE_MS });
    assert.equal(result.outcome, 'succeeded', log.text());
    assert.ok(log.lines.some((l) => l.endsWith('canaries are healthy; promoting them')), log.text());
    assert.ok(log.lines.some((l) => l.endsWith('1 canaries awaiting promotion')), log.text());
    assert.equal(nomad.runningImage(`${service}-production`, 'staging'), images.two.digest);
  });
});
