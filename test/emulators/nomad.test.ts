/**
 * The Nomad emulator against the reference (shared/reference/apis.md §7), with raw fetch: the
 * rejections Nomad makes (status and plain-text body), ACLs, namespaces, check-and-set, and the
 * state machine register → evaluation → deployment → successful / failed → auto-revert, with
 * allocations really run from the test registry in the test Docker engine.
 * Run with `npm test -- test/emulators/nomad.test.ts`.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { PushedImage } from '../../src/core/image.ts';
import { missingImage, publishSite } from '../support/images.ts';
import { startNomadEmulator, type NomadEmulator } from './nomad.ts';

const S = 1_000_000_000;

interface JobOptions {
  id?: string; count?: number; canary?: number; autoPromote?: boolean; autoRevert?: boolean; minHealthy?: number; healthyDeadline?: number;
  progressDeadline?: number; memory?: number; datacenters?: string[]; meta?: Record<string, string>;
}

/** A service job in Nomad's JSON form, like the reference's example: one group, one docker task, an HTTP check. */
function job(image: string, o: JobOptions = {}) {
  const id = o.id ?? 'web';
  return {
    Job: {
      ID: id, Name: id, Type: 'service', Datacenters: o.datacenters ?? ['dc1'], Meta: o.meta ?? { git_sha: image.slice(-7) },
      TaskGroups: [{
        Name: 'web', Count: o.count ?? 1,
        Networks: [{ Mode: 'host', ReservedPorts: [{ Label: 'http', Value: 8080 }] }],
        Services: [{ Name: 'web', PortLabel: 'http', Provider: 'nomad', Checks: [{ Name: 'alive', Type: 'http', Path: '/index.html', Interval: 1 * S, Timeout: 1 * S }] }],
        Update: {
          MaxParallel: 1, HealthCheck: 'checks', MinHealthyTime: (o.minHealthy ?? 1) * S, HealthyDeadline: (o.healthyDeadline ?? 5) * S,
          ProgressDeadline: (o.progressDeadline ?? 30) * S, AutoRevert: o.autoRevert ?? true, Canary: o.canary ?? 0, AutoPromote: o.autoPromote ?? false,
        },
        Tasks: [{ Name: 'web', Driver: 'docker', Env: { PORT: '8080' }, Config: { image, network_mode: 'host' }, Resources: { CPU: 100, MemoryMB: o.memory ?? 64 } }],
      }],
    },
  };
}

const pinned = (image: PushedImage) => `${image.repository}@${image.digest}`;

describe('Nomad emulator', { timeout: 300_000 }, () => {
  let nomad: NomadEmulator;
  const call = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
    const res = await fetch(`${nomad.url}${path}`, {
      method, headers: { 'content-type': 'application/json', ...headers }, body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await res.text();
    let json: any;
    try { json = JSON.parse(text); } catch { json = undefined; }
    return { status: res.status, text, json, type: res.headers.get('content-type') ?? '', index: res.headers.get('x-nomad-index') };
  };
  const until = async <T>(what: string, get: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 30_000): Promise<T> => {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const v = await get();
      if (ok(v)) return v;
      if (Date.now() > end) throw new Error(`${what}: still ${JSON.stringify(v)}`);
      await sleep(100);
    }
  };
  const deployment = (id: string) => call('GET', `/v1/deployment/${id}`).then((r) => r.json);
  const settled = (id: string) => until(`deployment ${id}`, () => deployment(id), (d) => d.Status !== 'running', 60_000);

  before(async () => {
    nomad = await startNomadEmulator({ namespaces: ['staging'] });
  });
  after(async () => nomad?.close());

  describe('rejections, word for word', () => {
    const unplaceable = (id = 'web') => job('127.0.0.1:1/none@sha256:' + '0'.repeat(64), { id, datacenters: ['nowhere'] });

    it('405 Invalid method for a method the path does not take', async () => {
      const r = await call('PATCH', '/v1/job/web');
      assert.deepEqual([r.status, r.text], [405, 'Invalid method']);
      assert.match(r.type, /^text\/plain/);
    });

    it('400 for a body without Job, without an ID, with an ID other than the path\'s, or not JSON', async () => {
      assert.deepEqual(await call('POST', '/v1/jobs', {}).then((r) => [r.status, r.text]), [400, 'Job must be specified']);
      assert.deepEqual(await call('POST', '/v1/jobs', { Job: { Name: 'x' } }).then((r) => [r.status, r.text]), [400, "Job ID hasn't been provided"]);
      assert.deepEqual(await call('POST', '/v1/job/other', unplaceable()).then((r) => [r.status, r.text]), [400, 'Job ID does not match name']);
      assert.deepEqual(await call('POST', '/v1/job/web/plan', { Job: { ID: 'x' } }).then((r) => [r.status, r.text]), [400, 'Job ID does not match']);
      const broken = await call('POST', '/v1/jobs', '{"Job": ');
      assert.equal(broken.status, 400);
      assert.match(broken.text, /^(unexpected EOF|invalid character)/);
    });

    it('400 for durations sent as strings: the JSON API takes integer nanoseconds', async () => {
      const body = unplaceable();
      (body.Job.TaskGroups[0]!.Update as any).MinHealthyTime = '10s';
      const r = await call('POST', '/v1/job/web', body);
      assert.equal(r.status, 400);
      assert.equal(r.text, 'json: cannot unmarshal string into Go struct field UpdateStrategy.Job.TaskGroups.Update.MinHealthyTime of type time.Duration');
    });

    it('500 with the multierror text when Job.Validate fails (MinHealthyTime ≥ HealthyDeadline, HealthyDeadline ≥ ProgressDeadline)', async () => {
      const r = await call('POST', '/v1/job/web', job('x/y@sha256:' + '0'.repeat(64), { minHealthy: 300, healthyDeadline: 10, progressDeadline: 5 }));
      assert.equal(r.status, 500);
      assert.equal(r.text, '1 error occurred:\n\t* Task group web validation failed: 2 errors occurred:\n\t* Minimum healthy time must be less than healthy deadline: 5m0s > 10s\n\t* Healthy deadline must be less than progress deadline: 10s > 5s\n\n\n\n');
      assert.equal(nomad.job('web'), undefined, 'nothing registered');
    });

    it('404 job not found / job versions not found; GET deployment of an unknown job is null', async () => {
      assert.deepEqual(await call('GET', '/v1/job/nope').then((r) => [r.status, r.text]), [404, 'job not found']);
      assert.deepEqual(await call('GET', '/v1/job/nope/versions').then((r) => [r.status, r.text]), [404, 'job versions not found']);
      assert.deepEqual(await call('GET', '/v1/job/nope/deployment').then((r) => [r.status, r.json]), [200, null]);
      assert.deepEqual(await call('GET', '/v1/deployment/0b5d').then((r) => [r.status, r.text]), [404, 'deployment not found']);
    });

    it('ACLs: no token → 403 Permission denied; an unknown one → 403 ACL token not found; X-Nomad-Token or Bearer passes', async () => {
      nomad.setToken('s3cret');
      try {
        assert.deepEqual(await call('GET', '/v1/job/nope').then((r) => [r.status, r.text]), [403, 'Permission denied']);
        assert.deepEqual(await call('GET', '/v1/job/nope', undefined, { 'x-nomad-token': 'guess' }).then((r) => [r.status, r.text]), [403, 'ACL token not found']);
        assert.equal((await call('GET', '/v1/job/nope', undefined, { 'x-nomad-token': 's3cret' })).status, 404);
        assert.equal((await call('GET', '/v1/job/nope', undefined, { authorization: 'Bearer s3cret' })).status, 404);
        assert.equal((await call('POST', '/v1/job/web', unplaceable())).status, 403);
      } finally {
        nomad.setToken(undefined);
      }
    });

    it('namespaces: ?namespace= scopes every call; an unknown one is refused on register', async () => {
      const r = await call('POST', '/v1/job/web?namespace=prod', unplaceable());
      assert.deepEqual([r.status, r.text], [500, 'job "web" is in nonexistent namespace "prod"']);
      assert.equal((await call('POST', '/v1/job/ns-web?namespace=staging', unplaceable('ns-web'))).status, 200);
      assert.equal((await call('GET', '/v1/job/ns-web')).status, 404);
      assert.equal((await call('GET', '/v1/job/ns-web?namespace=staging')).json.Namespace, 'staging');
      assert.deepEqual(await call('GET', '/v1/job/ns-web?region=eu-west').then((r) => [r.status, r.text]), [500, 'No path to region']);
    });

    it('EnforceIndex: check-and-set on JobModifyIndex (0 = only if new)', async () => {
      const body = unplaceable('cas');
      const first = await call('POST', '/v1/job/cas', { ...body, EnforceIndex: true, JobModifyIndex: 0 });
      assert.equal(first.status, 200, first.text);
      assert.deepEqual(Object.keys(first.json).sort(), ['EvalCreateIndex', 'EvalID', 'Index', 'JobModifyIndex', 'Warnings']);
      const again = await call('POST', '/v1/job/cas', { ...body, EnforceIndex: true, JobModifyIndex: 0 });
      assert.deepEqual([again.status, again.text], [500, 'Enforcing job modify index 0: job already exists']);
      const stale = await call('POST', '/v1/job/cas', { ...body, EnforceIndex: true, JobModifyIndex: first.json.JobModifyIndex - 1 });
      assert.deepEqual([stale.status, stale.text], [500, `Enforcing job modify index ${first.json.JobModifyIndex - 1}: job exists with conflicting job modify index: ${first.json.JobModifyIndex}`]);
      const right = await call('POST', '/v1/job/cas', { ...body, EnforceIndex: true, JobModifyIndex: first.json.JobModifyIndex });
      assert.equal(right.status, 200);
      assert.equal(right.json.JobModifyIndex, first.json.JobModifyIndex, 'an unchanged job keeps its index and version');
      assert.equal(nomad.versions('cas').length, 1);
    });

    it('a job no node can take: evaluation complete with FailedTGAllocs and a blocked evaluation; plan says the same', async () => {
      const planned = await call('POST', '/v1/job/big/plan', { ...job('x/y@sha256:' + '1'.repeat(64), { id: 'big', memory: 100_000 }), Diff: true });
      assert.equal(planned.status, 200);
      assert.deepEqual(planned.json.FailedTGAllocs.web.DimensionExhausted, { memory: 3 });
      assert.equal(planned.json.Annotations.DesiredTGUpdates.web.Place, 1);
      assert.equal(planned.json.Diff.Type, 'Added');
      assert.equal(nomad.job('big'), undefined, 'plan is a dry run');
      const r = await call('POST', '/v1/job/big', job('x/y@sha256:' + '1'.repeat(64), { id: 'big', memory: 100_000 }));
      const ev = await until('evaluation', () => call('GET', `/v1/evaluation/${r.json.EvalID}`).then((x) => x.json), (e) => e.Status !== 'pending');
      assert.equal(ev.Status, 'complete');
      assert.deepEqual(ev.FailedTGAllocs.web.NodesAvailable, { dc1: 3 });
      assert.equal(ev.FailedTGAllocs.web.NodesExhausted, 3);
      assert.match(ev.BlockedEval, /^[0-9a-f-]{36}$/);
      assert.equal((await call('GET', `/v1/evaluation/${ev.BlockedEval}`)).json.Status, 'blocked');
      const nowhere = await call('POST', '/v1/job/big/plan', { Job: { ...job('x/y@sha256:' + '1'.repeat(64), { id: 'big', datacenters: ['dc9'] }).Job } });
      assert.deepEqual(nowhere.json.FailedTGAllocs.web.NodesAvailable, { dc9: 0 });
      assert.equal(nowhere.json.FailedTGAllocs.web.NodesEvaluated, 0);
    });

    it('failNextRegister answers the next register with the given failure once', async () => {
      nomad.failNextRegister(500, 'No cluster leader');
      assert.deepEqual(await call('POST', '/v1/job/flaky', unplaceable('flaky')).then((r) => [r.status, r.text]), [500, 'No cluster leader']);
      assert.equal((await call('POST', '/v1/job/flaky', unplaceable('flaky'))).status, 200);
    });

    it('records every request with its query and token', async () => {
      await call('GET', '/v1/job/nope?namespace=staging', undefined, { 'x-nomad-token': 'tok' });
      const last = nomad.requests.at(-1)!;
      assert.deepEqual({ ...last }, { method: 'GET', path: '/v1/job/nope', query: { namespace: 'staging' }, token: 'tok', status: 404 });
    });
  });

  describe('state machine with real allocations', () => {
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
      const r = await call('POST', `/v1/job/${id}`, job(pinned(v1), { id, count: 2 }));
      assert.equal((await call('GET', `/v1/evaluation/${r.json.EvalID}`)).json.Status, 'pending');
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
});
