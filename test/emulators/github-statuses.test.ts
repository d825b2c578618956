import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { Octokit } from '@octokit/rest';
import { startGitHubEmulator, type GitHubEmulator } from './github.ts';

const TOKEN = 'ghs_emulatortoken123';
const SHA = '59b20b8d5c5ff8f9ffb59cb2a1b8a1c0a0e3d7f1';
const SHA2 = 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa';
const CREATE_DOCS = 'https://docs.github.com/rest/commits/statuses#create-a-commit-status';
const QUIET = { debug() {}, info() {}, warn() {}, error() {} };
const HEADERS = { 'user-agent': 'slipway-test', authorization: `Bearer ${TOKEN}`, accept: 'application/vnd.github+json' };

/** Request without any default headers (fetch always adds a User-Agent). */
function rawRequest(url: string, method: string, headers: Record<string, string>, body?: string) {
  return new Promise<{ status: number; headers: Record<string, unknown>; body: string }>((resolve, reject) => {
    const req = httpRequest(url, { method, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('GitHub commit-status emulator', () => {
  let gh: GitHubEmulator;
  const post = (path: string, body: unknown, headers: Record<string, string> = HEADERS) =>
    fetch(gh.url + path, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: typeof body === 'string' ? body : JSON.stringify(body) });
  const get = (path: string) => fetch(gh.url + path, { headers: HEADERS });
  const postStatus = (body: unknown, sha = SHA, repo = 'acme/web') => post(`/repos/${repo}/statuses/${sha}`, body);
  const expectError = async (res: Response, status: number, body: unknown) => {
    assert.equal(res.status, status);
    assert.deepEqual(await res.json(), body);
    assert.ok(res.headers.get('x-ratelimit-remaining'), 'error responses carry x-ratelimit-*');
  };

  before(async () => { gh = await startGitHubEmulator({ token: TOKEN }); });
  after(() => gh.close());

  it('accepts a status: 201, documented body, Location and x-ratelimit-* headers, recorded', async () => {
    const res = await postStatus({ state: 'pending', target_url: 'https://ci.example.com/builds/981', description: 'Building image', context: 'deploy/build' });
    assert.equal(res.status, 201);
    const body = await res.json();
    assert.equal(res.headers.get('location'), body.url);
    assert.equal(body.url, `${gh.url}/repos/acme/web/statuses/${SHA}`);
    assert.equal(typeof body.id, 'number');
    assert.deepEqual({ ...body, id: 0, node_id: '', created_at: '', updated_at: '' }, {
      url: body.url, avatar_url: null, id: 0, node_id: '', state: 'pending', description: 'Building image',
      target_url: 'https://ci.example.com/builds/981', context: 'deploy/build', created_at: '', updated_at: '',
      creator: { login: 'ci-bot', id: 7, type: 'Bot' },
    });
    assert.match(body.created_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    for (const h of ['limit', 'remaining', 'used', 'reset', 'resource']) assert.ok(res.headers.get(`x-ratelimit-${h}`), h);
    const last = gh.statuses.at(-1)!;
    assert.deepEqual({ ...last, at: 0 }, { owner: 'acme', repo: 'web', sha: SHA, state: 'pending', context: 'deploy/build', description: 'Building image', target_url: 'https://ci.example.com/builds/981', at: 0 });
  });

  it('accepts "token <t>" auth, defaults context to "default", stores upper-case sha lower-cased', async () => {
    const res = await post(`/repos/acme/web/statuses/${SHA2.toUpperCase()}`, { state: 'success' }, { ...HEADERS, authorization: `token ${TOKEN}` });
    assert.equal(res.status, 201);
    const body = await res.json();
    assert.equal(body.context, 'default');
    assert.equal(body.description, null);
    assert.equal(gh.statuses.at(-1)!.sha, SHA2);
  });

  it('401 for a bad token and for missing auth', async () => {
    await expectError(await post(`/repos/acme/web/statuses/${SHA}`, { state: 'success' }, { ...HEADERS, authorization: 'Bearer nope' }), 401,
      { message: 'Bad credentials', documentation_url: 'https://docs.github.com/rest', status: '401' });
    await expectError(await post(`/repos/acme/web/statuses/${SHA}`, { state: 'success' }, { 'user-agent': 'x' }), 401,
      { message: 'Requires authentication', documentation_url: 'https://docs.github.com/rest', status: '401' });
  });

  it('403 without a User-Agent', async () => {
    const res = await rawRequest(`${gh.url}/repos/acme/web/statuses/${SHA}`, 'POST', { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, '{"state":"success"}');
    assert.equal(res.status, 403);
    const body = JSON.parse(res.body);
    assert.match(body.message, /User-Agent/);
    assert.ok(body.documentation_url);
  });

  it('400 for a body that is not JSON', async () => {
    await expectError(await postStatus('{"state": "pending",'), 400, { message: 'Problems parsing JSON', documentation_url: CREATE_DOCS });
  });

  it('422 for a sha that is not 40 hex characters', async () => {
    const expected = { message: 'Validation Failed', documentation_url: CREATE_DOCS,
      errors: [{ resource: 'Status', code: 'custom', field: 'sha', message: 'sha must be a 40 character SHA1' }] };
    for (const sha of ['HEAD', 'main', SHA.slice(0, 7), `${SHA}0`, 'g'.repeat(40)]) {
      await expectError(await postStatus({ state: 'success' }, sha), 422, expected);
    }
  });

  it('422 for an invalid or missing state', async () => {
    const expected = { message: 'Validation Failed', documentation_url: CREATE_DOCS,
      errors: [{ resource: 'Status', code: 'custom', field: 'state', message: 'state is not included in the list' }] };
    for (const body of [{ state: 'cancelled' }, { state: 'SUCCESS' }, { context: 'x' }, { state: 1 }]) {
      await expectError(await postStatus(body), 422, expected);
    }
  });

  it('422 for a description over 140 characters, exactly as GitHub; 140 is fine', async () => {
    await expectError(await postStatus({ state: 'success', description: 'x'.repeat(141) }), 422, {
      message: 'Validation Failed', documentation_url: CREATE_DOCS,
      errors: [{ resource: 'Status', code: 'custom', field: 'description', message: 'description is too long (maximum is 140 characters)' }],
    });
    assert.equal((await postStatus({ state: 'success', description: 'é'.repeat(140) })).status, 201);
  });

  it('422 on the 1001st status per sha + context (context case-insensitive)', async () => {
    const sha = 'c'.repeat(40);
    for (let i = 0; i < 1000; i += 100) {
      const batch = Array.from({ length: 100 }, (_, j) => postStatus({ state: 'pending', context: (i + j) % 2 ? 'Cap' : 'cap' }, sha));
      assert.ok((await Promise.all(batch)).every((r) => r.status === 201));
    }
    await expectError(await postStatus({ state: 'success', context: 'CAP' }, sha), 422, {
      message: 'Validation Failed', documentation_url: CREATE_DOCS,
      errors: [{ resource: 'Status', code: 'custom', message: 'This SHA and context has reached the maximum number of statuses.' }],
    });
    assert.equal((await postStatus({ state: 'success', context: 'other' }, sha)).status, 201);
  });

  it('404 JSON for unknown paths and wrong methods', async () => {
    const notFound = { message: 'Not Found', documentation_url: 'https://docs.github.com/rest', status: '404' };
    await expectError(await get('/repos/acme/web/nope'), 404, notFound);
    await expectError(await get(`/repos/acme/web/statuses/${SHA}`), 404, notFound);
    await expectError(await fetch(`${gh.url}/repos/acme/web/statuses/${SHA}`, { method: 'PUT', headers: HEADERS, body: '{}' }), 404, notFound);
    await expectError(await post(`/repos/acme/web/commits/${SHA}/status`, {}), 404, notFound);
    assert.ok(gh.rejected.some((r) => r.status === 404 && r.path === '/repos/acme/web/nope'));
  });

  it('failNext: secondary rate limit (429 / 403) with retry-after, primary with remaining 0, 500 once', async () => {
    gh.failNext(429, { retryAfter: 30 });
    let res = await postStatus({ state: 'success' });
    assert.equal(res.status, 429);
    assert.equal(res.headers.get('retry-after'), '30');
    assert.notEqual(res.headers.get('x-ratelimit-remaining'), '0');
    const body = await res.json();
    assert.match(body.message, /secondary rate limit/);
    assert.ok(body.documentation_url);
    assert.equal((await postStatus({ state: 'success' })).status, 201, 'fails only once');

    gh.failNext(403, { retryAfter: 5 });
    res = await postStatus({ state: 'success' });
    assert.equal(res.status, 403);
    assert.equal(res.headers.get('retry-after'), '5');

    gh.failNext(403, { primary: true });
    res = await postStatus({ state: 'success' });
    assert.equal(res.status, 403);
    assert.equal(res.headers.get('x-ratelimit-remaining'), '0');
    assert.ok(Number(res.headers.get('x-ratelimit-reset')) > Date.now() / 1000);
    assert.equal(res.headers.get('retry-after'), null);

    gh.failNext(500, { message: 'boom' });
    await expectError(await postStatus({ state: 'success' }), 500, { message: 'boom', documentation_url: 'https://docs.github.com/rest' });
  });

  it('combined status: pending when empty / any pending, failure on error|failure, else success; latest per context', async () => {
    const sha = 'd'.repeat(40);
    const combined = async () => (await (await get(`/repos/acme/web/commits/${sha}/status`)).json());
    let c = await combined();
    assert.deepEqual([c.state, c.total_count, c.sha], ['pending', 0, sha]);
    await postStatus({ state: 'success', context: 'deploy/build' }, sha);
    await postStatus({ state: 'pending', context: 'deploy/prod' }, sha);
    assert.equal((await combined()).state, 'pending');
    await postStatus({ state: 'error', context: 'Deploy/Prod' }, sha);
    c = await combined();
    assert.deepEqual([c.state, c.total_count], ['failure', 2]);
    await postStatus({ state: 'failure', context: 'deploy/build' }, sha);
    await postStatus({ state: 'success', context: 'deploy/prod' }, sha);
    assert.equal((await combined()).state, 'failure');
    await postStatus({ state: 'success', context: 'DEPLOY/BUILD' }, sha);
    c = await combined();
    assert.deepEqual([c.state, c.total_count], ['success', 2]);
    assert.equal(c.repository.full_name, 'acme/web');
    const latest = gh.latest('acme', 'web', sha);
    assert.deepEqual([...latest.keys()], ['deploy/build', 'deploy/prod']);
    assert.equal(latest.get('deploy/build')!.context, 'DEPLOY/BUILD');

    const list = await (await get(`/repos/acme/web/commits/${sha}/statuses`)).json();
    assert.deepEqual(list.map((s: { state: string }) => s.state), ['success', 'success', 'failure', 'error', 'pending', 'success']);
    const page = await get(`/repos/acme/web/commits/${sha}/statuses?per_page=4`);
    assert.equal((await page.json()).length, 4);
    assert.match(page.headers.get('link') ?? '', /page=2.*rel="next"/);
    await expectError(await get('/repos/acme/web/commits/main/status'), 422, { message: 'No commit found for SHA: main', documentation_url: 'https://docs.github.com/rest' });
  });

  it('422 "No commit found" for unknown commits when commits are configured', async () => {
    const gh2 = await startGitHubEmulator({ token: TOKEN, commits: [`acme/web@${SHA}`] });
    try {
      const p = (sha: string, repo = 'acme/web') => fetch(`${gh2.url}/repos/${repo}/statuses/${sha}`, { method: 'POST', headers: HEADERS, body: '{"state":"success"}' });
      assert.equal((await p(SHA)).status, 201);
      assert.equal((await p(SHA.toUpperCase(), 'ACME/Web')).status, 201);
      for (const [sha, repo] of [[SHA2, 'acme/web'], [SHA, 'acme/api']] as const) {
        const res = await p(sha, repo);
        assert.equal(res.status, 422);
        assert.deepEqual(await res.json(), { message: `No commit found for SHA: ${sha}`, documentation_url: CREATE_DOCS });
      }
      gh2.knownCommits.add(`acme/web@${SHA2}`);
      assert.equal((await p(SHA2)).status, 201);
    } finally { await gh2.close(); }
  });

  it('is compatible with @octokit/rest (create, 422 RequestError, combined, list)', async () => {
    const octokit = new Octokit({ auth: TOKEN, baseUrl: gh.url, log: QUIET });
    const sha = 'e'.repeat(40);
    const { status, data } = await octokit.rest.repos.createCommitStatus({ owner: 'acme', repo: 'web', sha, state: 'success', context: 'deploy/prod', description: 'Deployed' });
    assert.equal(status, 201);
    assert.equal(data.state, 'success');
    await gh.waitFor((s) => s.some((x) => x.sha === sha && x.context === 'deploy/prod'));
    await assert.rejects(
      octokit.rest.repos.createCommitStatus({ owner: 'acme', repo: 'web', sha, state: 'failure', description: 'x'.repeat(141) }),
      (err: any) => err.constructor.name === 'RequestError' && err.status === 422 && /too long/.test(JSON.stringify(err.response?.data)),
    );
    const combined = await octokit.rest.repos.getCombinedStatusForRef({ owner: 'acme', repo: 'web', ref: sha });
    assert.equal(combined.data.state, 'success');
    const list = await octokit.rest.repos.listCommitStatusesForRef({ owner: 'acme', repo: 'web', ref: sha });
    assert.equal(list.data.length, 1);
    await assert.rejects(new Octokit({ auth: 'wrong', baseUrl: gh.url, log: QUIET }).rest.repos.createCommitStatus({ owner: 'acme', repo: 'web', sha, state: 'success' }),
      (err: any) => err.status === 401);
  });

  it('waitFor rejects with the statuses seen', async () => {
    await assert.rejects(gh.waitFor(() => false, 50), /waitFor timed out.*acme\/web@59b20b8 deploy\/build=pending/);
  });
});
