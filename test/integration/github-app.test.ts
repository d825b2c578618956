import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pino } from 'pino';
import { isSlipwayError } from '../../src/core/errors.ts';
import { createGitSourceFetcher } from '../../src/git/git-source-fetcher.ts';
import { appPrivateKey, signAppJwt } from '../../src/github/app-jwt.ts';
import { githubCloneCredentials, repositoryOf } from '../../src/github/clone-credentials.ts';
import { createGitHubTokens } from '../../src/github/github-tokens.ts';
import { createGitHubStatusReporter } from '../../src/github/status-reporter.ts';
import { startGitHubAppEmulator, type GitHubAppEmulator } from '../emulators/github-app.ts';
import { createTestRepo, type TestRepo } from '../support/git-repo.ts';
import { memoryLog } from '../support/memory-log.ts';
import { makeTempDir, removeTempDir } from '../support/temp-dir.ts';

const REPOSITORY = 'acme/private-app';

describe('GitHub App: installation tokens', () => {
  let gh: GitHubAppEmulator;
  let repo: TestRepo;
  let cloneUrl: string;
  const dirs: string[] = [];

  before(async () => {
    gh = await startGitHubAppEmulator();
    repo = createTestRepo('private-app');
    cloneUrl = gh.addRepository(REPOSITORY, repo.bare, 4242);
  });
  after(async () => {
    await gh.close();
    repo.remove();
    for (const d of dirs) removeTempDir(d);
  });

  const app = () => ({ appId: gh.appId, privateKey: appPrivateKey(gh.privateKeyPem) });

  it('finds the installation of a repository, mints one token for it and reuses it', async () => {
    const tokens = createGitHubTokens({ apiUrl: gh.url, app: app() });
    const [a, b] = await Promise.all([tokens.forRepository(REPOSITORY), tokens.forRepository(REPOSITORY)]);
    const c = await tokens.forRepository(REPOSITORY);
    assert.ok(a?.startsWith('ghs_'));
    assert.equal(b, a);
    assert.equal(c, a);
    assert.deepEqual(gh.minted.filter((m) => m.token === a).map((m) => m.installationId), [4242]);
    assert.deepEqual(gh.jwtRefusals, []);
  });

  it('mints a new token once GitHub refuses the one it has (revoked)', async () => {
    const tokens = createGitHubTokens({ apiUrl: gh.url, app: app() });
    const first = (await tokens.forRepository(REPOSITORY))!;
    gh.revokeAll();
    tokens.refused(first);
    const second = await tokens.forRepository(REPOSITORY);
    assert.notEqual(second, first);
    assert.equal(gh.isLive(second!), true);
  });

  it('replaces a token before it expires rather than hand out one about to', async () => {
    const shortLived = await startGitHubAppEmulator({ tokenTtlMs: 4 * 60_000 });
    try {
      shortLived.addRepository(REPOSITORY, repo.bare, 9);
      const tokens = createGitHubTokens({ apiUrl: shortLived.url, app: { appId: shortLived.appId, privateKey: appPrivateKey(shortLived.privateKeyPem) } });
      const first = await tokens.forRepository(REPOSITORY);
      const second = await tokens.forRepository(REPOSITORY);
      assert.notEqual(second, first); // four minutes left is too few: a new one
      assert.equal(shortLived.minted.length, 2);
    } finally {
      await shortLived.close();
    }
  });

  it('takes the installation id from the delivery without asking GitHub for it', async () => {
    const tokens = createGitHubTokens({ apiUrl: gh.url, app: app() });
    const before = gh.minted.length;
    tokens.learn('acme/not-looked-up', 4242);
    const token = await tokens.forRepository('acme/not-looked-up');
    assert.equal(gh.minted.length, before + 1);
    assert.equal(gh.minted.at(-1)?.token, token);
    assert.equal(gh.installationLookups.includes('acme/not-looked-up'), false);
  });

  it('clones a repository the App is not installed on (a public fork) without credentials, and says the App is missing for statuses', async () => {
    const tokens = createGitHubTokens({ apiUrl: gh.url, app: app() });
    const credentials = githubCloneCredentials(tokens, gh.url)!;
    assert.equal(await credentials(`${gh.url}/mallory/private-app.git`), undefined);
    await assert.rejects(tokens.forRepository('mallory/private-app'), (err) => isSlipwayError(err, 'APP_NOT_INSTALLED') && /not installed on mallory\/private-app/.test(err.message));
  });

  it('says the App is not installed, and that a JWT signed with another key is refused', async () => {
    const tokens = createGitHubTokens({ apiUrl: gh.url, app: app() });
    await assert.rejects(tokens.forRepository('acme/elsewhere'), (err) => isSlipwayError(err, 'APP_NOT_INSTALLED') && /not installed on acme\/elsewhere/.test(err.message) && !err.retryable);
    const otherKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const wrong = createGitHubTokens({ apiUrl: gh.url, app: { appId: gh.appId, privateKey: appPrivateKey(otherKey) } });
    await assert.rejects(wrong.forRepository(REPOSITORY), (err) => isSlipwayError(err, 'CONFIG_INVALID'));
    assert.match(gh.jwtRefusals.at(-1) ?? '', /could not be decoded/);
  });

  it('refuses a private key that is not one, without echoing it', () => {
    assert.throws(() => appPrivateKey('-----BEGIN RSA PRIVATE KEY-----\nsecret-material\n-----END RSA PRIVATE KEY-----'), (err) => isSlipwayError(err, 'CONFIG_INVALID') && !err.message.includes('secret-material'));
  });

  it('clones a private repository with the token, keeps it out of the mirror, and recovers from a revoked token', async () => {
    const tokens = createGitHubTokens({ apiUrl: gh.url, app: app() });
    const dataDir = makeTempDir('slipway-data-');
    dirs.push(dataDir);
    const first = repo.commit({ 'a.txt': 'one\n' }, 'first');

    // Without credentials GitHub asks for them: the repository is private.
    const bare = makeTempDir('slipway-data-');
    dirs.push(bare);
    await assert.rejects(createGitSourceFetcher(bare).fetch({ cloneUrl, sha: first }, memoryLog()), (err) => isSlipwayError(err, 'SOURCE_UNAVAILABLE'));
    assert.equal(gh.gitRequests.at(-1)?.status, 401);

    const fetcher = createGitSourceFetcher(dataDir, { credentials: githubCloneCredentials(tokens, gh.url) });
    const log = memoryLog();
    const checkout = await fetcher.fetch({ cloneUrl, sha: first }, log);
    assert.equal(await checkout.readFile('a.txt'), 'one\n');

    gh.revokeAll();
    const second = repo.commit({ 'a.txt': 'two\n' }, 'second');
    const again = await fetcher.fetch({ cloneUrl, sha: second }, log);
    assert.equal(await again.readFile('a.txt'), 'two\n');
    assert.equal(await fetcher.isAncestor(cloneUrl, first, second), true);

    const live = gh.minted.filter((m) => !m.revoked);
    assert.equal(live.length >= 1, true);
    const secrets = [...gh.minted.map((m) => m.token), gh.privateKeyPem.split('\n')[1]!];
    for (const file of filesUnder(dataDir)) {
      const text = readFileSync(file, 'latin1');
      for (const s of secrets) assert.equal(text.includes(s), false, `${file} holds a token`);
    }
    for (const s of secrets) assert.equal(log.text().includes(s), false);
  });

  it('posts commit statuses with the installation token, and with a new one after a revocation', async () => {
    const tokens = createGitHubTokens({ apiUrl: gh.url, app: app() });
    const lines: string[] = [];
    const reporter = createGitHubStatusReporter({ tokens, apiUrl: gh.url, logger: pino({ level: 'debug' }, { write: (l: string) => void lines.push(l) }), maxWaitMs: 10 });
    const sha = 'c'.repeat(40);
    await reporter.report(REPOSITORY, sha, { state: 'pending', context: 'slipway/app', description: 'Building', targetUrl: 'http://slipway.test/builds/1' });
    gh.revokeAll();
    await reporter.report(REPOSITORY, sha, { state: 'success', context: 'slipway/app', description: 'Passed', targetUrl: 'http://slipway.test/builds/1' });
    assert.deepEqual(gh.github.statuses.map((s) => s.state), ['pending', 'success']);
    assert.deepEqual(gh.github.rejected.map((r) => r.status), [401]); // the revoked one, once
    for (const m of gh.minted) assert.equal(lines.join('\n').includes(m.token), false);
  });

  it('does not retry a status for a repository the App is not installed on, and says why', async () => {
    const tokens = createGitHubTokens({ apiUrl: gh.url, app: app() });
    const lines: string[] = [];
    const waits: number[] = [];
    const reporter = createGitHubStatusReporter({ tokens, apiUrl: gh.url, logger: pino({ level: 'debug' }, { write: (l: string) => void lines.push(l) }), sleep: async (ms) => waits.push(ms) });
    await reporter.report('acme/not-installed', 'e'.repeat(40), { state: 'pending', context: 'slipway/x', description: 'Queued', targetUrl: 'http://slipway.test/builds/2' });
    assert.deepEqual(waits, []);
    assert.equal(lines.length, 1);
    assert.match(lines[0]!, /commit status not posted/);
    assert.match(lines[0]!, /not installed on acme\/not-installed/);
  });

  it('gives credentials only to clone URLs on the GitHub host', () => {
    assert.equal(repositoryOf('https://github.com/acme/app.git', 'github.com'), 'acme/app');
    assert.equal(repositoryOf(`${gh.url}/acme/app.git`, new URL(gh.url).host), 'acme/app');
    assert.equal(repositoryOf('https://github.com.evil.example/acme/app.git', 'github.com'), undefined);
    assert.equal(repositoryOf('http://127.0.0.1:1/acme/app.git', '127.0.0.1:2'), undefined);
    assert.equal(repositoryOf('https://u:p@github.com/acme/app.git', 'github.com'), undefined);
    assert.equal(repositoryOf('file:///tmp/acme/app.git', 'github.com'), undefined);
  });
});

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).map((f) => join(dir, f)).filter((f) => statSync(f).isFile());
}

describe('GitHub App emulator: plays GitHub faithfully', () => {
  it('refuses git and statuses without a live token, and a JWT that lives too long', async () => {
    const gh = await startGitHubAppEmulator({ tokenTtlMs: 0 });
    const repo = createTestRepo('emulated');
    try {
      const cloneUrl = gh.addRepository('acme/emulated', repo.bare, 5);
      const tokens = createGitHubTokens({ apiUrl: gh.url, app: { appId: gh.appId, privateKey: appPrivateKey(gh.privateKeyPem) } });
      const expired = (await tokens.forRepository('acme/emulated'))!; // expired as it was minted

      const anonymous = await fetch(`${cloneUrl}/info/refs?service=git-upload-pack`);
      assert.equal(anonymous.status, 401);
      assert.match(anonymous.headers.get('www-authenticate') ?? '', /^Basic/);
      const basic = Buffer.from(`x-access-token:${expired}`).toString('base64');
      assert.equal((await fetch(`${cloneUrl}/info/refs?service=git-upload-pack`, { headers: { authorization: `Basic ${basic}` } })).status, 401);
      const status = await fetch(`${gh.url}/repos/acme/emulated/statuses/${'d'.repeat(40)}`, {
        method: 'POST',
        headers: { authorization: `token ${expired}`, 'user-agent': 'test', 'content-type': 'application/json' },
        body: JSON.stringify({ state: 'success', context: 'x' }),
      });
      assert.equal(status.status, 401);
      assert.deepEqual(gh.github.statuses, []);

      const farFuture = signAppJwt(gh.appId, appPrivateKey(gh.privateKeyPem), Date.now() + 20 * 60_000);
      const minted = await fetch(`${gh.url}/app/installations/5/access_tokens`, { method: 'POST', headers: { authorization: `Bearer ${farFuture}`, 'user-agent': 'test' } });
      assert.equal(minted.status, 401);
      assert.match(gh.jwtRefusals.at(-1) ?? '', /Issued at/);
    } finally {
      await gh.close();
      repo.remove();
    }
  });
});
