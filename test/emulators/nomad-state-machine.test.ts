/**
 * The Nomad emulator against the reference (shared/reference/apis.md §7), with raw fetch: the
 * rejections Nomad makes (status and plain-text body), ACLs, namespaces, check-and-set, and the
 * state machine register → evaluation → deployment → successful / failed → auto-revert, with
 * allocations really run from the test registry in the test Docker engine.
 * This file: the state machine. nomad-rejections.test.ts: the rejections.
 * Run with `npm test -- test/emulators/nomad-`.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { PushedImage } from '../../src/core/image.ts';
import { missingImage, publishSite } from '../support/images.ts';
import { job, nomadCalls, pinned } from '../support/nomad-calls.ts';
import { startNomadEmulator, type NomadEmulator } from './nomad.ts';

describe('Nomad emulator: state machine with real allocations', { timeout: 300_000 }, () => {
  let nomad: NomadEmulator;
  const { call, until, deployment, settled } = nomadCalls(() => nomad.url);
  before(async () => {
    nomad = await startNomadEmulator({ namespaces: ['staging'] });
  });
  after(async () => nomad?.close());

  const id = `sm-${randomBytes(3).toString('hex')}`;
  let v1: PushedImage;
  let v2: PushedImage;
  let silent: PushedImage;
  before(async () => {
    v1 = await publishSite(id, 'version one');
    v2 = await publishSite(id, 'version two');
    silent = await publishSite(id, 'never healthy', { healthy: false });
  });
  const register = async (body: unknown) => {
    const r = await call('POST', `/v1/job/${id}`, body);
    assert.equal(r.status, 200, r.text);
    const ev = await until('evaluation', () => call('GET', `/v1/evaluation/${r.json.EvalID}`).then((x) => x.json), (e) => e.Status !== 'pending');
    return { ...r.json, evaluation: ev };
  };
  const page = async (port: number) => (await (await fetch(`http://127.0.0.1:${port}/index.html`)).text()).trim();

  it('register → evaluation pending → complete with a deployment → running → successful; the version becomes stable', async () => {
    nomad.holdEvaluations(true); // held, so the test sees it pending however slow the machine is
    const r = await call('POST', `/v1/job/${id}`, job(pinned(v1), { id, count: 2 }));
    try {
      assert.equal((await call('GET', `/v1/evaluation/${r.json.EvalID}`)).json.Status, 'pending');
    } finally {
      nomad.holdEvaluations(false);
    }
    const ev = await until('evaluation', () => call('GET', `/v1/evaluation/${r.json.EvalID}`).then((x) => x.json), (e) => e.Status !== 'pending');
    assert.deepEqual([ev.Status, ev.TriggeredBy, ev.FailedTGAllocs], ['complete', 'job-register', null]);
    const running = await deployment(ev.DeploymentID);
    assert.deepEqual([running.Status, running.StatusDescription, running.JobVersion], ['running', 'Deployment is running', 0]);
    const done = await settled(ev.DeploymentID);
    assert.deepEqual([done.Status, done.StatusDescription], ['successful', 'Deployment completed successfully']);
    assert.deepEqual([done.TaskGroups.web.DesiredTotal, done.TaskGroups.web.HealthyAllocs, done.TaskGroups.web.UnhealthyAllocs], [2, 2, 0]);
    const j = (await call('GET', `/v1/job/${id}`)).json;
    assert.deepEqual([j.Version, j.Stable, j.Status, j.JobModifyIndex], [0, true, 'running', r.json.JobModifyIndex]);
    assert.equal(nomad.runningImage(id), v1.digest);
    const allocs = nomad.allocations(id);
    assert.equal(allocs.length, 2);
    for (const a of allocs) assert.equal(await page(a.port!), 'version one', 'each allocation serves on its own stand-in port');
    const stubs = (await call('GET', `/v1/job/${id}/allocations`)).json;
    assert.deepEqual(stubs.map((a: any) => [a.ClientStatus, a.DesiredStatus, a.DeploymentStatus.Healthy]), [['running', 'run', true], ['running', 'run', true]]);
  });

  it('a new version replaces the allocations one at a time; the old ones stop once the new are healthy', async () => {
    const { evaluation } = await register(job(pinned(v2), { id, count: 2 }));
    const done = await settled(evaluation.DeploymentID);
    assert.equal(done.Status, 'successful');
    assert.equal(done.JobVersion, 1);
    assert.equal(nomad.runningImage(id), v2.digest);
    const states = nomad.allocations(id).map((a) => `${a.JobVersion}:${a.DesiredStatus}:${a.ClientStatus}`).sort();
    assert.deepEqual(states, ['0:stop:complete', '0:stop:complete', '1:run:running', '1:run:running']);
    const versions = (await call('GET', `/v1/job/${id}/versions`)).json;
    assert.deepEqual(versions.Versions.map((v: any) => [v.Version, v.Stable]), [[1, true], [0, true]]);
  });

  it('a release that never becomes healthy: failed at HealthyDeadline, auto-revert registers the last stable version again', async () => {
    const { evaluation } = await register(job(pinned(silent), { id, count: 2, healthyDeadline: 3 }));
    const failed = await settled(evaluation.DeploymentID);
    assert.deepEqual([failed.Status, failed.StatusDescription], ['failed', 'Failed due to unhealthy allocations - rolling back to job version 1']);
    const j = (await call('GET', `/v1/job/${id}`)).json;
    assert.equal(j.Version, 3, 'the revert is a new version');
    assert.equal(j.TaskGroups[0].Tasks[0].Config.image, pinned(v2));
    // the revert's deployment comes from its evaluation, which the scheduler processes a moment later
    const latest = await until('the revert\'s deployment', async () => (await call('GET', `/v1/job/${id}/deployment`)).json, (d) => d.JobVersion !== 2);
    assert.equal(latest.JobVersion, 3);
    assert.equal((await settled(latest.ID)).Status, 'successful');
    assert.equal(nomad.runningImage(id), v2.digest);
    const unhealthy = (await call('GET', `/v1/job/${id}/allocations`)).json.find((a: any) => a.JobVersion === 2);
    assert.equal(unhealthy.DeploymentStatus.Healthy, false);
    assert.ok(unhealthy.TaskStates.web.Events.some((e: any) => e.Type === 'Alloc Unhealthy' && e.DisplayMessage === 'Services not healthy by deadline'));
    assert.equal(unhealthy.DesiredStatus, 'stop', 'the revert stops the failed allocation');
  });

  it('an image the registry does not have: the allocation fails at once with the docker driver\'s pull error', async () => {
    const missing = missingImage(id);
    const { evaluation } = await register(job(pinned(missing), { id, count: 2, healthyDeadline: 20 }));
    const failed = await settled(evaluation.DeploymentID);
    assert.match(failed.StatusDescription, /^Failed due to unhealthy allocations - rolling back to job version 3$/);
    const alloc = (await call('GET', `/v1/job/${id}/allocations`)).json.find((a: any) => a.JobVersion === 4);
    assert.equal(alloc.ClientStatus, 'failed');
    const failure = alloc.TaskStates.web.Events.find((e: any) => e.Type === 'Driver Failure');
    assert.equal(failure.DisplayMessage, `Failed to pull \`${pinned(missing)}\`: API error (404): manifest for ${pinned(missing)} not found: manifest unknown: manifest unknown`);
    // v2 never stopped running; the revert (version 5) is done once its deployment succeeded
    const revert = await until('revert', async () => (await call('GET', `/v1/job/${id}/deployment`)).json, (d) => d.JobVersion !== 4 && d.Status !== 'running');
    assert.deepEqual([revert.JobVersion, revert.Status], [5, 'successful']);
    assert.equal(nomad.runningImage(id), v2.digest);
  });

  it('POST /v1/deployment/fail/:id fails a running deployment and reports the version it rolled back to; a terminal one cannot fail', async () => {
    const { evaluation } = await register(job(pinned(silent), { id, count: 1, healthyDeadline: 60, progressDeadline: 120 }));
    await until('its allocation placed', () => deployment(evaluation.DeploymentID), (d) => d.TaskGroups.web.PlacedAllocs > 0);
    const r = await call('POST', `/v1/deployment/fail/${evaluation.DeploymentID}`);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.RevertedJobVersion, 5, 'version 5 (the revert of the missing image) is the newest stable one');
    const failed = await deployment(evaluation.DeploymentID);
    assert.deepEqual([failed.Status, failed.StatusDescription], ['failed', 'Deployment marked as failed - rolling back to job version 5']);
    const again = await call('POST', `/v1/deployment/fail/${evaluation.DeploymentID}`);
    assert.deepEqual([again.status, again.text], [500, "can't fail terminal deployment"]);
    assert.equal((await call('GET', `/v1/deployment/fail/${evaluation.DeploymentID}`)).status, 405);
    await until('revert', async () => (await call('GET', `/v1/job/${id}/deployment`)).json, (d) => d.JobVersion === 7 && d.Status === 'successful');
  });

  it('canaries without AutoPromote wait for promotion; promoting finishes the rollout', async () => {
    const { evaluation } = await register(job(pinned(v1), { id, count: 2, canary: 1 }));
    const waiting = await until('canary', () => deployment(evaluation.DeploymentID), (d) => d.StatusDescription !== 'Deployment is running');
    assert.equal(waiting.StatusDescription, 'Deployment is running but requires manual promotion');
    assert.deepEqual([waiting.TaskGroups.web.DesiredCanaries, waiting.TaskGroups.web.PlacedCanaries.length, waiting.TaskGroups.web.Promoted], [1, 1, false]);
    const bad = await call('POST', `/v1/deployment/promote/${evaluation.DeploymentID}`, { DeploymentID: 'other', All: true });
    assert.deepEqual([bad.status, bad.text], [400, 'Deployment ID does not match']);
    const promoted = await call('POST', `/v1/deployment/promote/${evaluation.DeploymentID}`, { DeploymentID: evaluation.DeploymentID, All: true });
    assert.equal(promoted.status, 200, promoted.text);
    assert.equal((await settled(evaluation.DeploymentID)).Status, 'successful');
    assert.equal(nomad.runningImage(id), v1.digest);
  });

  it('revert checks EnforcePriorVersion; DELETE stops the job', async () => {
    const current = (await call('GET', `/v1/job/${id}`)).json.Version;
    const refused = await call('POST', `/v1/job/${id}/revert`, { JobID: id, JobVersion: 1, EnforcePriorVersion: current - 1 });
    assert.deepEqual([refused.status, refused.text], [500, `current job has version ${current}; enforcing version ${current - 1}`]);
    assert.deepEqual(await call('POST', `/v1/job/${id}/revert`, { JobID: 'x', JobVersion: 1 }).then((r) => [r.status, r.text]), [400, 'Job ID does not match']);
    const stopped = await call('DELETE', `/v1/job/${id}?purge=false`);
    assert.equal(stopped.status, 200, stopped.text);
    await until('stop', async () => (await call('GET', `/v1/job/${id}`)).json, (j) => j.Status === 'dead');
    assert.equal(nomad.runningImage(id), undefined);
    assert.equal((await call('GET', `/v1/job/${id}`)).json.Stop, true);
  });
});
