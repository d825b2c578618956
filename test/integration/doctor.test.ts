import assert from 'node:assert/strict';
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { doctorCommand } from '../../src/cli/doctor.ts';
import { generateKeyPairSync } from 'node:crypto';
import { startGitHubAppEmulator, type GitHubAppEmulator } from '../emulators/github-app.ts';
import { startNomadEmulator, type NomadEmulator } from '../emulators/nomad.ts';
import { testEnv } from '../support/env.ts';
import { freePort } from '../support/free-port.ts';
import { startOwnRedis, type OwnRedis } from '../support/own-redis.ts';
import { makeTempDir, removeTempDirs } from '../support/temp-dir.ts';

const GOOD_TOKEN = 'ghp_doctor-good-token';
const NOMAD_TOKEN = 'doctor-nomad-token';

/** A GitHub stand-in for GET /rate_limit: a classic token's answer (with its scopes) or 401 Bad credentials. */
async function startGitHub(scopes: string): Promise<Server> {
  const server = createServer((req, res) => {
    const live = req.headers.authorization === `Bearer ${GOOD_TOKEN}`;
    if (req.method !== 'GET' || req.url !== '/rate_limit') return void res.writeHead(404).end('{"message":"Not Found"}');
    if (!live) return void res.writeHead(401, { 'content-type': 'application/json' }).end('{"message":"Bad credentials"}');
    res.writeHead(200, { 'content-type': 'application/json', 'x-oauth-scopes': scopes, 'x-ratelimit-remaining': '4999' });
    res.end('{"resources":{"core":{"limit":5000,"remaining":4999}}}');
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return server;
}

const url = (s: Server) => `http://127.0.0.1:${(s.address() as AddressInfo).port}`;

describe('slipway doctor', { timeout: 240_000 }, () => {
  const services = testEnv();
  let redis: OwnRedis;
  let nomad: NomadEmulator;
  let github: Server;
  let githubNoScope: Server;
  let githubStatusOnly: Server;
  let pipelinesDir: string;
  let githubApp: GitHubAppEmulator;

  before(async () => {
    redis = await startOwnRedis(); // AOF on, noeviction: as production should run it
    nomad = await startNomadEmulator({ token: NOMAD_TOKEN });
    github = await startGitHub('repo, workflow');
    githubNoScope = await startGitHub('read:org');
    githubStatusOnly = await startGitHub('repo:status');
    githubApp = await startGitHubAppEmulator();
    githubApp.addRepository('acme/web', makeTempDir('slipway-doctor-bare-'), 77);
    pipelinesDir = makeTempDir('slipway-doctor-pipelines-');
    writeFileSync(
      join(pipelinesDir, 'web.yml'),
      'service: web\nrepository: acme/web\ndeploy:\n  - branch: main\n    environment: production\n    scheduler: nomad\n    nomad:\n      port: 18999\n',
    );
  });

  after(async () => {
    await Promise.all([redis?.close(), nomad?.close(), githubApp?.close()]);
    github?.close();
    githubNoScope?.close();
    githubStatusOnly?.close();
    removeTempDirs();
  });

  /** Runs the doctor in this process on a setup that works, with `change` applied; its lines and exit code. */
  async function doctor(change: Record<string, string> = {}): Promise<{ code: number; out: string }> {
    let out = '';
    const env = {
      GITHUB_WEBHOOK_SECRET: 's',
      REDIS_URL: redis.url,
      DOCKER_HOST: services.dockerHost,
      SLIPWAY_REGISTRY: services.authRegistry,
      SLIPWAY_REGISTRY_AUTH: 'basic',
      SLIPWAY_REGISTRY_USERNAME: services.authUsername,
      SLIPWAY_REGISTRY_PASSWORD: services.authPassword,
      GITHUB_TOKEN: GOOD_TOKEN,
      GITHUB_API_URL: url(github),
      SLACK_WEBHOOK_URL: 'https://hooks.slack.com/services/T000/B000/XXXXXXXX',
      NOMAD_ADDR: nomad.url,
      NOMAD_TOKEN,
      SLIPWAY_PIPELINES_DIR: pipelinesDir,
      ...change,
    };
    const code = await doctorCommand([], { out: (t) => void (out += t), err: (t) => void (out += t) }, env);
    return { code, out };
  }

  const line = (out: string, part: string) => out.split('\n').find((l) => l.includes(` ${part}: `)) ?? `(no ${part} line in:\n${out})`;

  it('passes on a working setup: one ok line per part, exit 0', async () => {
    const r = await doctor();
    assert.equal(r.code, 0, r.out);
    for (const part of ['Redis', 'Docker engine', 'Registry', 'GitHub', 'Slack', 'Nomad']) assert.match(line(r.out, part), /^ok /, part);
    assert.match(line(r.out, 'Registry'), /pushed and pulled/);
    assert.match(line(r.out, 'GitHub'), /scopes \[repo, workflow\]/);
    assert.match(line(r.out, 'Nomad'), /Nomad 1\.9\.7/);
    assert.ok(!r.out.includes(services.authPassword) && !r.out.includes(GOOD_TOKEN), 'no secret printed');
  });

  it('finds a Redis without the append-only file', async () => {
    const r = await doctor({ REDIS_URL: services.redisUrl }); // the shared test Redis runs with appendonly no
    assert.equal(r.code, 1);
    assert.match(line(r.out, 'Redis'), /^FAIL .*append-only file is off: set `appendonly yes`/);
    assert.match(line(r.out, 'Docker engine'), /^ok /);
  });

  it('finds a registry that refuses the credentials', async () => {
    const r = await doctor({ SLIPWAY_REGISTRY_PASSWORD: 'not-the-password' });
    assert.equal(r.code, 1);
    assert.match(line(r.out, 'Registry'), /^FAIL .*refuses the credentials: check SLIPWAY_REGISTRY_AUTH/);
    assert.ok(!r.out.includes('not-the-password'), 'the password is not printed');
  });

  it('finds a GitHub token that GitHub refuses, and one without the scope statuses need', async () => {
    const refused = await doctor({ GITHUB_TOKEN: 'ghp_revoked' });
    assert.equal(refused.code, 1);
    assert.match(line(refused.out, 'GitHub'), /^FAIL .*refuses GITHUB_TOKEN \(401/);
    const narrow = await doctor({ GITHUB_API_URL: url(githubNoScope) });
    assert.equal(narrow.code, 1);
    assert.match(line(narrow.out, 'GitHub'), /^FAIL .*scopes \[read:org\]: commit statuses and deployments need the `repo` scope/);
    const statusesOnly = await doctor({ GITHUB_API_URL: url(githubStatusOnly) });
    assert.equal(statusesOnly.code, 1);
    assert.match(line(statusesOnly.out, 'GitHub'), /^FAIL .*scopes \[repo:status\]: .*missing `repo_deployment`\)/);
  });

  it('checks a GitHub App: its JWT accepted and the App installed on each pipeline repository', async () => {
    const app = { GITHUB_TOKEN: '', GITHUB_APP_ID: githubApp.appId, GITHUB_APP_PRIVATE_KEY: githubApp.privateKeyPem, GITHUB_API_URL: githubApp.url };
    const good = await doctor(app);
    assert.equal(good.code, 0, good.out);
    assert.match(line(good.out, 'GitHub'), new RegExp(`^ok .*GitHub App ${githubApp.appId} accepted .*installed on acme/web`));

    const otherKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
    const wrongKey = await doctor({ ...app, GITHUB_APP_PRIVATE_KEY: otherKey });
    assert.equal(wrongKey.code, 1);
    assert.match(line(wrongKey.out, 'GitHub'), /^FAIL .*refuses the App's JWT \(401/);
    assert.ok(!wrongKey.out.includes('PRIVATE KEY'), 'no key printed');

    const elsewhere = makeTempDir('slipway-doctor-pipelines-');
    writeFileSync(join(elsewhere, 'api.yml'), 'service: api\nrepository: acme/api\n');
    const notInstalled = await doctor({ ...app, SLIPWAY_PIPELINES_DIR: elsewhere });
    assert.equal(notInstalled.code, 1);
    assert.match(line(notInstalled.out, 'GitHub'), /^FAIL .*not installed on acme\/api: install the App on it/);
  });

  it('finds a Slack URL that is not an incoming webhook, without posting to it', async () => {
    const r = await doctor({ SLACK_WEBHOOK_URL: 'http://hooks.slack.com/services/T000/B000/XXXX' });
    assert.equal(r.code, 1);
    assert.match(line(r.out, 'Slack'), /^FAIL .*not an incoming webhook URL/);
  });

  it('finds a Nomad agent it cannot reach, and a token Nomad refuses', async () => {
    const closed = await freePort();
    const down = await doctor({ NOMAD_ADDR: `http://127.0.0.1:${closed}` });
    assert.equal(down.code, 1);
    assert.match(line(down.out, 'Nomad'), new RegExp(`^FAIL .*cannot reach http://127\\.0\\.0\\.1:${closed} \\(NOMAD_ADDR\\).*fix NOMAD_ADDR`));
    const refused = await doctor({ NOMAD_TOKEN: 'wrong' });
    assert.equal(refused.code, 1);
    assert.match(line(refused.out, 'Nomad'), /^FAIL .*refuses NOMAD_TOKEN \(403\)/);
  });
});
