import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { pushPayload } from '../fixtures/payloads.ts';
import { startGitHubAppEmulator, type GitHubAppEmulator } from '../emulators/github-app.ts';
import { testEnv } from '../support/env.ts';
import { helloApp, startHarness, TOKEN, type Harness } from './harness.ts';

const INSTALLATION = 4242;

/**
 * A team that connected GitHub as an App, with a private repository: Slipway clones it with the
 * installation's token, posts statuses with it, deploys, gets a new token when GitHub revokes the
 * one it holds, and writes the token and the App's private key nowhere.
 */
describe('a private repository through the GitHub App', { timeout: 300_000 }, () => {
  let gh: GitHubAppEmulator;
  let h: Harness;
  let cloneUrl = '';
  const built: string[] = [];

  before(async () => {
    gh = await startGitHubAppEmulator();
    // GITHUB_TOKEN stays set (the harness's, which this GitHub does not accept): the App's tokens win.
    h = await startHarness({ env: { GITHUB_API_URL: gh.url, GITHUB_APP_ID: gh.appId, GITHUB_APP_PRIVATE_KEY: gh.privateKeyPem } });
    cloneUrl = gh.addRepository(h.repository, h.repo.bare, INSTALLATION);
  });
  after(async () => {
    await h?.close();
    await gh?.close();
  });

  async function pushPrivate(sha: string, message: string) {
    const payload = pushPayload({ repository: h.repository, cloneUrl, branch: 'main', sha, message, author: 'ada' });
    payload.installation = { id: INSTALLATION, node_id: 'MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9uNDI0Mg==' };
    const res = await h.send('push', payload);
    assert.equal(res.status, 202, JSON.stringify(res.body));
    const id = res.body.queued[0].id as string;
    built.push(id);
    return h.finished(id, 180_000);
  }

  it('builds and deploys it, with statuses posted by the installation token', async () => {
    const sha = h.repo.commit(helloApp('Hello from private, version one'), 'First private release');
    const build = await pushPrivate(sha, 'First private release');
    assert.equal(build.state, 'passed', build.detail);
    assert.deepEqual(build.deploys.map((d) => [d.environment, d.state]), [['production', 'succeeded']]);
    assert.match((await h.serviceAnswer()) ?? '', /Hello from private, version one/);

    const [owner = '', repo = ''] = h.repository.split('/');
    await Promise.all([gh.github.finalStatus(sha, `slipway/${h.service}`), gh.github.finalStatus(sha, `slipway/${h.service}/production`)]);
    const latest = gh.github.latest(owner, repo, sha);
    assert.equal(latest.get(`slipway/${h.service}`)?.state, 'success');
    assert.equal(latest.get(`slipway/${h.service}/production`)?.state, 'success');
    assert.deepEqual(gh.github.rejected, []);
    assert.ok(gh.gitRequests.some((r) => r.status === 200 && r.path.endsWith('/git-upload-pack')), JSON.stringify(gh.gitRequests));
    assert.deepEqual(gh.jwtRefusals, []);
    assert.equal(h.github.statuses.length, 0, 'nothing went to GitHub with GITHUB_TOKEN');
    assert.equal(gh.minted.length >= 1, true);
    // The delivery named its installation: neither the server nor the worker had to ask GitHub for it.
    assert.deepEqual(gh.installationLookups, []);
  });

  it('mints a new token when GitHub revokes the one Slipway holds, and builds again', async () => {
    gh.revokeAll();
    const minted = gh.minted.length;
    const sha = h.repo.commit(helloApp('Hello from private, version two'), 'Second private release');
    const build = await pushPrivate(sha, 'Second private release');
    assert.equal(build.state, 'passed', build.detail);
    assert.deepEqual(build.deploys.map((d) => [d.environment, d.state]), [['production', 'succeeded']]);
    assert.match((await h.serviceAnswer()) ?? '', /Hello from private, version two/);
    assert.ok(gh.minted.length > minted, 'a new token was minted');
    const [owner = '', repo = ''] = h.repository.split('/');
    await gh.github.finalStatus(sha, `slipway/${h.service}/production`);
    assert.equal(gh.github.latest(owner, repo, sha).get(`slipway/${h.service}/production`)?.state, 'success');
    // GitHub refused the revoked token once (the first status of the build), and a new one was used.
    assert.ok(gh.github.rejected.some((r) => r.status === 401), JSON.stringify(gh.github.rejected));
  });

  it('writes the token and the private key nowhere: logs, build logs, statuses, Redis, data folder', async () => {
    const secrets = [...gh.minted.map((m) => m.token), ...keyLines(gh.privateKeyPem), TOKEN];
    const found = (where: string, text: string) => {
      for (const s of secrets) assert.equal(text.includes(s), false, `${where} holds a secret (${s.slice(0, 6)}…)`);
    };
    assert.ok(h.operatorLog.length > 0, 'the operator log is empty');
    assert.ok(h.operatorLog.join('').includes(built[0]!), `the operator log never names build ${built[0]}: ${h.operatorLog.length} lines`);
    found('the operator log', h.operatorLog.join('\n'));
    for (const id of built) found(`build ${id}'s log`, await h.buildLog(id));
    found('the statuses', JSON.stringify(gh.github.statuses));

    const redis = new Redis(testEnv().redisUrl);
    try {
      let keys = 0;
      for await (const batch of redis.scanStream({ match: `${h.env.SLIPWAY_REDIS_PREFIX}*`, count: 500 })) {
        for (const key of batch as string[]) {
          keys++;
          found(`Redis key ${key}`, key);
          found(`Redis key ${key}'s value`, await dump(redis, key));
        }
      }
      assert.ok(keys > 5, `only ${keys} keys under the prefix`);
    } finally {
      redis.disconnect();
    }

    const dataDir = h.env.SLIPWAY_DATA_DIR!;
    const files = readdirSync(dataDir, { recursive: true, encoding: 'utf8' }).map((f) => join(dataDir, f)).filter((f) => statSync(f).isFile());
    const mirrorConfig = files.find((f) => /mirrors\/[^/]+\.git\/config$/.test(f));
    assert.ok(mirrorConfig, `no mirror config among ${files.length} files`);
    assert.match(readFileSync(mirrorConfig, 'utf8'), new RegExp(`url = ${cloneUrl.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\n`));
    for (const file of files) found(file, readFileSync(file, 'latin1'));
  });
});

/** The key's base64 lines, each unique enough to find the key by. */
function keyLines(pem: string): string[] {
  return pem.split('\n').filter((l) => l.length >= 40 && !l.startsWith('-----'));
}

async function dump(redis: Redis, key: string): Promise<string> {
  const type = await redis.type(key);
  if (type === 'string') return (await redis.getBuffer(key))?.toString('latin1') ?? '';
  if (type === 'hash') return JSON.stringify(await redis.hgetall(key));
  if (type === 'list') return JSON.stringify(await redis.lrange(key, 0, -1));
  if (type === 'set') return JSON.stringify(await redis.smembers(key));
  if (type === 'zset') return JSON.stringify(await redis.zrange(key, '0', '-1', 'WITHSCORES'));
  if (type === 'stream') return JSON.stringify(await redis.xrange(key, '-', '+'));
  return '';
}
