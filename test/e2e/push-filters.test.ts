import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { pullRequestPayload, pushPayload } from '../fixtures/payloads.ts';
import { helloApp, startHarness, type Harness } from './harness.ts';

const ZEROS = '0'.repeat(40);

/**
 * Which pushes matter, end to end on the real parts: a pipeline with `paths` whose only deploy
 * entry is the glob `release/*`. The server skips what the payload decides; the worker decides
 * a new branch from git and ends it `skipped` with a success status.
 */
describe('pushes that matter: skip words, paths, branch globs', { timeout: 300_000 }, () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({
      pipeline: (port, service, repository) => `service: ${service}
repository: ${repository}
paths: [www/**, Dockerfile, check.sh]
test:
  command: ["sh", "/check.sh"]
  timeout: 60
deploy:
  - branch: release/*
    environment: production
    scheduler: docker
    docker:
      port: ${port}
      health_path: /index.html
`,
    });
    h.repo.commit(helloApp('Hello from a release branch'), 'The app'); // on main, never pushed to Slipway
  });
  after(async () => h?.close());

  /** The push GitHub sends for `sha` on `branch`: a new branch, or one commit after `before` with its file lists. */
  function push(sha: string, message: string, branch: string, change: { before?: string; modified?: string[] } = {}) {
    const p = pushPayload({ repository: h.repository, cloneUrl: h.repo.url, branch, sha, message, author: 'ada' });
    p.repository.default_branch = 'main';
    if (change.before) Object.assign(p, { created: false, forced: false, before: change.before, commits: [{ ...p.commits[0], id: sha, message, added: [], removed: [], modified: change.modified ?? [] }] });
    else Object.assign(p, { created: true, before: ZEROS });
    return h.send('push', p);
  }
  /** A pull request from `branch` into main, at `sha`. */
  function pullRequest(sha: string, branch: string) {
    const p = pullRequestPayload({ repository: h.repository, cloneUrl: h.repo.url, sha, branch, action: 'synchronize' });
    p.pull_request.base.ref = 'main';
    return h.send('pull_request', p);
  }
  async function skippedByWorker(res: { status: number; body: any }, sha: string) {
    assert.equal(res.status, 202);
    assert.equal(res.body.queued.length, 1, JSON.stringify(res.body));
    const build = await h.finished(res.body.queued[0].id);
    assert.equal(build.state, 'skipped', build.detail);
    await h.github.waitFor(() => h.github.latest('acme', h.service, sha).get(`slipway/${h.service}`)?.state === 'success', 10_000);
    return build;
  }
  const builds = async () => ((await (await fetch(`${h.slipway.url}/api/builds`)).json()) as { builds: unknown[] }).builds.length;

  let docs = '';
  it('a new branch that changes nothing in paths is queued, then skipped by the worker from git with a success status', async () => {
    docs = h.repo.commit({ 'docs/notes.md': 'Notes\n' }, 'Write notes', 'docs/notes');
    const res = await push(docs, 'Write notes', 'docs/notes');
    assert.equal(res.status, 202);
    assert.equal(res.body.queued.length, 1, JSON.stringify(res.body));
    const build = await h.finished(res.body.queued[0].id);
    assert.equal(build.state, 'skipped', build.detail);
    assert.equal(build.detail, 'Skipped: no file in paths (www/**, Dockerfile, check.sh) changed since main');
    assert.deepEqual(build.stages.map((s) => [s.name, s.state]), [['clone', 'passed'], ['build', 'skipped'], ['test', 'skipped'], ['push', 'skipped']]);
    assert.deepEqual(build.deploys, []);
    await h.github.waitFor(() => h.github.latest('acme', h.service, docs).get(`slipway/${h.service}`)?.state === 'success', 10_000);
    assert.equal(h.github.latest('acme', h.service, docs).get(`slipway/${h.service}`)?.description, build.detail);
  });

  it('a pull request that changes nothing in paths since it left its base branch: skipped by the worker', async () => {
    // docs/notes holds docs only so far (the test repository's helper commits on the branch it used last)
    const sha = h.repo.commit({ 'docs/pr.md': 'PR notes\n' }, 'PR notes', 'docs/notes');
    const build = await skippedByWorker(await pullRequest(sha, 'docs/notes'), sha);
    assert.equal(build.detail, 'Skipped: no file in paths (www/**, Dockerfile, check.sh) changed since main');
    docs = sha;
  });

  it('a skip word in the head commit: 202 with the reason, nothing queued, no status', async () => {
    const before = await builds();
    const sha = h.repo.commit({ 'www/index.html': '<h1>draft</h1>\n' }, 'Draft page\n\n[Skip CI] until review', 'docs/notes');
    const res = await push(sha, 'Draft page\n\n[Skip CI] until review', 'docs/notes', { before: docs, modified: ['www/index.html'] });
    assert.equal(res.status, 202);
    assert.equal(res.body.skipped, `commit ${sha.slice(0, 7)} says [skip ci] in its message; nothing built`);
    assert.equal(await builds(), before);
    assert.equal(h.github.statuses.some((s) => s.sha === sha), false);
    docs = sha;
  });

  it('a push whose listed files are all outside paths: 202 with the reason, nothing queued', async () => {
    const before = await builds();
    const sha = h.repo.commit({ 'docs/more.md': 'More\n' }, 'More notes', 'docs/notes');
    const res = await push(sha, 'More notes', 'docs/notes', { before: docs, modified: ['docs/more.md'] });
    assert.equal(res.status, 202);
    assert.equal(res.body.skipped, `Skipped: no file in paths (www/**, Dockerfile, check.sh) changed since ${docs.slice(0, 7)}`);
    assert.equal(await builds(), before);
    assert.equal(h.github.statuses.some((s) => s.sha === sha), false);
  });

  it('a push to release/1.0 matches the glob entry: built (it changes www since main) and deployed', async () => {
    const sha = h.repo.commit({ 'www/index.html': '<h1>Hello from a release branch</h1>\n' }, 'Release 1.0', 'release/1.0');
    const res = await push(sha, 'Release 1.0', 'release/1.0');
    assert.equal(res.status, 202);
    const build = await h.finished(res.body.queued[0].id, 180_000);
    assert.equal(build.state, 'passed', build.detail);
    assert.deepEqual(build.deploys.map((d) => [d.environment, d.state]), [['production', 'succeeded']]);
    assert.match((await h.serviceAnswer()) ?? '', /Hello from a release branch/);
    assert.match(await h.buildLog(build.id), /paths: \d+ file\(s\) changed since main, some in paths; building/);
  });

  it('a pull request whose head commit says [no ci]: queued (its payload has no message), then skipped by the worker', async () => {
    const sha = h.repo.commit({ 'www/index.html': '<h1>wip</h1>\n' }, 'Try a page\n\n[NO CI]', 'wip');
    const build = await skippedByWorker(await pullRequest(sha, 'wip'), sha);
    assert.equal(build.detail, `Skipped: commit ${sha.slice(0, 7)} says [no ci] in its message; nothing built`);
  });
});
