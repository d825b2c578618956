/**
 * The Nomad emulator against the reference (shared/reference/apis.md §7), with raw fetch: the
 * rejections Nomad makes (status and plain-text body), ACLs, namespaces, check-and-set, and the
 * state machine register → evaluation → deployment → successful / failed → auto-revert, with
 * allocations really run from the test registry in the test Docker engine.
 * This file: the rejections. nomad-state-machine.test.ts: the state machine.
 * Run with `npm test -- test/emulators/nomad-`.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { job, nomadCalls } from '../support/nomad-calls.ts';
import { startNomadEmulator, type NomadEmulator } from './nomad.ts';

describe('Nomad emulator: rejections, word for word', { timeout: 300_000 }, () => {
  let nomad: NomadEmulator;
  const { call, until } = nomadCalls(() => nomad.url);
  before(async () => {
    nomad = await startNomadEmulator({ namespaces: ['staging'] });
  });
  after(async () => nomad?.close());

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
