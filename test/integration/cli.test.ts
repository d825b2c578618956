import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { CONFIG_VARIABLES } from '../../src/config/load-config.ts';
import { makeTempDir, removeTempDirs } from '../support/temp-dir.ts';

const BIN = new URL('../../bin/slipway.mjs', import.meta.url).pathname;

function slipway(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    encoding: 'utf8',
    timeout: 30_000,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/root', ...env },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function pipelines(files: Record<string, string>): string {
  const dir = makeTempDir('slipway-cli-');
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

const GOOD = 'service: web\nrepository: acme/web\n';
const BASE = { GITHUB_WEBHOOK_SECRET: 's', SLIPWAY_REGISTRY: '127.0.0.1:5000' };

describe('slipway CLI', () => {
  after(removeTempDirs);

  it('--help lists the commands and the required variables', () => {
    const r = slipway(['--help']);
    assert.equal(r.code, 0);
    for (const word of ['slipway all', 'slipway server', 'slipway worker', 'slipway check', 'GITHUB_WEBHOOK_SECRET', 'SLIPWAY_REGISTRY']) assert.ok(r.stdout.includes(word), word);
  });

  it('--help names every variable the configuration reads, and every route', () => {
    const { stdout } = slipway(['--help']);
    const named = new Set(stdout.match(/\b[A-Z][A-Z0-9_]+\b/g));
    assert.deepEqual(CONFIG_VARIABLES.filter((v) => !named.has(v)), []);
    for (const route of ['/webhooks/github', '/healthz', '/metrics', '/api/builds', '/auth/github/login']) assert.ok(stdout.includes(route), route);
  });

  it('refuses an unknown command with exit 2 and says where help is', () => {
    const r = slipway(['deploy-everything']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /unknown command "deploy-everything"[\s\S]*slipway help/);
  });

  it('check prints the pipelines it would run', () => {
    const r = slipway(['check'], { ...BASE, SLIPWAY_PIPELINES_DIR: pipelines({ 'web.yml': GOOD }) });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Configuration is valid[\s\S]*1 pipeline\(s\)[\s\S]*web\s+acme\/web\s+no deploys/);
  });

  it('check after `npm run up` reads .slipway/local.env when no variable is set, or the file --env-file names', () => {
    const cwd = makeTempDir('slipway-cli-up-');
    mkdirSync(join(cwd, '.slipway'));
    const settings = `GITHUB_WEBHOOK_SECRET=s\nSLIPWAY_REGISTRY=127.0.0.1:5000\nSLIPWAY_PIPELINES_DIR=${pipelines({ 'web.yml': GOOD })}\n`;
    writeFileSync(join(cwd, '.slipway', 'local.env'), settings);
    writeFileSync(join(cwd, 'other.env'), settings);
    const run = (args: string[], env: Record<string, string> = {}) => spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8', timeout: 30_000, env: { PATH: process.env.PATH ?? '', ...env } });
    const up = run(['check']);
    assert.equal(up.status, 0, up.stderr);
    assert.match(up.stdout, new RegExp(`^Configuration is valid \\(variables from ${join(cwd, '.slipway', 'local.env')}\\)`));
    const named = run(['check', '--env-file', 'other.env'], { SLIPWAY_REGISTRY: 'registry.example.com' });
    assert.equal(named.status, 0, named.stderr);
    assert.match(named.stdout, /variables from .*other\.env\)\. Registry registry\.example\.com/);
    const shell = run(['check'], { SLIPWAY_REGISTRY: 'registry.example.com' });
    assert.equal(shell.status, 2, 'a shell that sets a variable of the file does not get the rest of it');
    assert.match(shell.stderr, /GITHUB_WEBHOOK_SECRET:/);
  });

  it('names every configuration problem and exits 2', () => {
    const r = slipway(['check'], { PORT: 'x' });
    assert.equal(r.code, 2);
    for (const name of ['PORT', 'GITHUB_WEBHOOK_SECRET', 'SLIPWAY_REGISTRY']) assert.match(r.stderr, new RegExp(`${name}:`));
  });

  it('will not start with a pipeline that does not validate, naming file, key and reason', () => {
    const dir = pipelines({ 'web.yml': `${GOOD}deploy:\n  - branch: main\n    environment: production\n    scheduler: docker\n    docker: { port: "http" }\n` });
    for (const command of ['check', 'all', 'worker', 'server']) {
      const r = slipway([command], { ...BASE, SLIPWAY_PIPELINES_DIR: dir, REDIS_URL: 'redis://127.0.0.1:1' });
      assert.equal(r.code, 2, `${command}: ${r.stderr}`);
      assert.match(r.stderr, /web\.yml: deploy\.0\.docker\.port: Invalid input: expected number, received string/);
    }
  });
});
