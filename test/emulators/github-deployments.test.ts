/**
 * The GitHub emulator's deployments and deployment statuses, as GitHub's REST reference describes
 * them: what it refuses (422, 404, 401, 409), what it keeps, and `auto_inactive`.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startGitHubEmulator, type GitHubEmulator } from './github.ts';

const TOKEN = 'ghs_deploymentstoken';
const SHA = '59b20b8d5c5ff8f9ffb59cb2a1b8a1c0a0e3d7f1';
const HEADERS = { 'user-agent': 'slipway-test', authorization: `Bearer ${TOKEN}`, accept: 'application/vnd.github+json', 'content-type': 'application/json' };
const DEPLOY = { ref: SHA, environment: 'staging', auto_merge: false, required_contexts: [] };

describe('GitHub emulator: deployments and deployment statuses', () => {
  let gh: GitHubEmulator;
  before(async () => {
    gh = await startGitHubEmulator({ token: TOKEN, commits: [`acme/web@${SHA}`] });
  });
  after(async () => gh.close());

  const call = async (method: string, path: string, body?: unknown, headers: Record<string, string> = HEADERS) => {
    const res = await fetch(gh.url + path, { method, headers, ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }) });
    return { status: res.status, body: (await res.json()) as any };
  };
  const deploy = async (body: Record<string, unknown> = {}) => {
    const res = await call('POST', '/repos/acme/web/deployments', { ...DEPLOY, ...body });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    return res.body.id as number;
  };
  const status = (id: number, body: unknown) => call('POST', `/repos/acme/web/deployments/${id}/statuses`, body);
  const states = (id: number) => gh.deployments.find((d) => d.id === id)!.statuses.map((s) => s.state);

  it('creates a deployment with GitHub defaults and answers it back', async () => {
    const res = await call('POST', '/repos/acme/web/deployments', { ref: SHA, required_contexts: [], payload: { build: '3' } });
    assert.equal(res.status, 201);
    assert.equal(res.body.sha, SHA);
    assert.equal(res.body.environment, 'production');
    assert.equal(res.body.task, 'deploy');
    assert.equal(res.body.production_environment, true);
    assert.equal(res.body.transient_environment, false);
    assert.deepEqual(res.body.payload, { build: '3' });
    assert.equal(res.body.statuses_url, `${gh.url}/repos/acme/web/deployments/${res.body.id}/statuses`);
    assert.deepEqual((await call('GET', `/repos/acme/web/deployments/${res.body.id}`)).body.id, res.body.id);
    const listed = await call('GET', `/repos/acme/web/deployments?sha=${SHA}&environment=production`);
    assert.deepEqual(listed.body.map((d: { id: number }) => d.id), [res.body.id]);
  });

  it('lists deployments newest first, filtered by sha and environment, a page at a time with a Link header', async () => {
    const env = { environment: `list-${Date.now()}` };
    const made = [await deploy({ ...env, payload: { slipway: { deploy: '1' } } }), await deploy({ ...env, payload: { slipway: { deploy: '2' } } }), await deploy({ ...env, payload: { slipway: { deploy: '3' } } })];
    await deploy({ environment: `${env.environment}-other` });
    const list = (query: string) => fetch(`${gh.url}/repos/acme/web/deployments?${query}`, { headers: HEADERS });
    const all = await list(`sha=${SHA}&environment=${env.environment}`);
    assert.equal(all.status, 200);
    assert.equal(all.headers.get('link'), null, 'one page: no Link header');
    const body = (await all.json()) as { id: number; sha: string; environment: string; payload: unknown }[];
    assert.deepEqual(body.map((d) => d.id), [...made].reverse());
    assert.deepEqual(body[0]!.payload, { slipway: { deploy: '3' } }, 'the payload comes back as it was given');
    assert.ok(body.every((d) => d.sha === SHA && d.environment === env.environment));
    const first = await list(`sha=${SHA}&environment=${env.environment}&per_page=2`);
    assert.deepEqual(((await first.json()) as { id: number }[]).map((d) => d.id), [made[2], made[1]]);
    const link = first.headers.get('link') ?? '';
    assert.match(link, /<http:\/\/127\.0\.0\.1:\d+\/repos\/acme\/web\/deployments\?[^>]*page=2[^>]*>; rel="next"/);
    assert.match(link, /page=2[^>]*>; rel="last"$/);
    const second = await list(`sha=${SHA}&environment=${env.environment}&per_page=2&page=2`);
    assert.deepEqual(((await second.json()) as { id: number }[]).map((d) => d.id), [made[0]]);
    assert.match(second.headers.get('link') ?? '', /page=1[^>]*>; rel="first", <[^>]*page=1[^>]*>; rel="prev"$/);
    assert.deepEqual(await (await list(`sha=${'b'.repeat(40)}&environment=${env.environment}`)).json(), []);
  });

  it('refuses what GitHub refuses: no ref, wrong types, an unknown ref, red required contexts, bad credentials', async () => {
    assert.deepEqual((await call('POST', '/repos/acme/web/deployments', { environment: 'staging' })).status, 422);
    assert.match((await call('POST', '/repos/acme/web/deployments', { environment: 'staging' })).body.message, /"ref" wasn't supplied/);
    assert.equal((await call('POST', '/repos/acme/web/deployments', { ...DEPLOY, auto_merge: 'no' })).status, 422);
    assert.equal((await call('POST', '/repos/acme/web/deployments', { ...DEPLOY, required_contexts: 'ci' })).status, 422);
    const unknown = await call('POST', '/repos/acme/web/deployments', { ...DEPLOY, ref: 'b'.repeat(40) });
    assert.deepEqual([unknown.status, unknown.body.message], [422, `No ref found for: ${'b'.repeat(40)}`]);
    assert.equal((await call('POST', '/repos/acme/web/deployments', '{"ref":')).status, 400);
    // Leaving required_contexts out asks GitHub to check every context of the commit: a pending one is a 409.
    assert.equal((await call('POST', `/repos/acme/web/statuses/${SHA}`, { state: 'pending', context: 'ci' })).status, 201);
    const red = await call('POST', '/repos/acme/web/deployments', { ref: SHA, environment: 'staging' });
    assert.equal(red.status, 409);
    assert.deepEqual(red.body.errors[0].contexts, [{ context: 'ci', state: 'pending' }]);
    assert.equal((await call('POST', '/repos/acme/web/deployments', { ref: SHA, required_contexts: ['ci'] })).status, 409);
    assert.equal((await call('POST', '/repos/acme/web/deployments', DEPLOY, { ...HEADERS, authorization: 'token wrong' })).status, 401);
    const { authorization: _, ...anonymous } = HEADERS;
    assert.equal((await call('POST', '/repos/acme/web/deployments', DEPLOY, anonymous)).status, 401);
  });

  it('takes the seven status states with log_url (also target_url) and environment_url, refuses others', async () => {
    const id = await deploy();
    for (const state of ['queued', 'pending', 'in_progress', 'success', 'failure', 'error', 'inactive']) {
      const res = await status(id, { state, log_url: 'https://ci.example.com/builds/1', environment_url: 'https://web.example.com', description: state });
      assert.equal(res.status, 201, `${state}: ${JSON.stringify(res.body)}`);
      assert.equal(res.body.target_url, 'https://ci.example.com/builds/1');
      assert.equal(res.body.environment, 'staging');
    }
    assert.equal((await status(id, { state: 'done' })).status, 422);
    assert.match((await status(id, {})).body.message, /"state" wasn't supplied/);
    assert.equal((await status(id, { state: 'success', description: 'x'.repeat(141) })).status, 422);
    const badUrl = await status(id, { state: 'success', environment_url: 'ftp://web.example.com' });
    assert.deepEqual([badUrl.status, badUrl.body.errors[0].field], [422, 'environment_url']);
    assert.equal((await status(id, { state: 'success', log_url: 'not a url' })).status, 422);
    assert.equal((await status(id, { state: 'success', auto_inactive: 'yes' })).status, 422);
    assert.equal((await status(99_999, { state: 'success' })).status, 404);
    assert.equal((await call('GET', '/repos/acme/other/deployments/' + id)).status, 404, 'a deployment of another repository is not found');
    assert.equal(states(id).length, 7, 'refused statuses are not kept');
  });

  it('auto_inactive: a success marks prior successful non-production, non-transient deployments of the environment inactive', async () => {
    const env = { environment: 'qa' };
    const first = await deploy(env);
    await status(first, { state: 'success' });
    const failed = await deploy(env);
    await status(failed, { state: 'failure' });
    const prod = await deploy({ environment: 'production' });
    await status(prod, { state: 'success' });
    const transient = await deploy({ ...env, transient_environment: true });
    await status(transient, { state: 'success' });
    const second = await deploy(env);
    await status(second, { state: 'success' });
    assert.deepEqual(states(first), ['success', 'inactive']);
    assert.deepEqual(states(failed), ['failure'], 'only successful deployments are made inactive');
    assert.deepEqual(states(transient), ['success'], 'transient deployments are left alone');
    assert.deepEqual(states(second), ['success']);
    const nextProd = await deploy({ environment: 'production' });
    await status(nextProd, { state: 'success' });
    assert.deepEqual(states(prod), ['success'], 'production deployments are left alone');
    const third = await deploy(env);
    await status(third, { state: 'success', auto_inactive: false });
    assert.deepEqual(states(second), ['success'], 'auto_inactive: false leaves it');
  });
});
