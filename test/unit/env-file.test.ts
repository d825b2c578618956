import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { applyEnvFile, parseEnvFile } from '../../src/cli/env-file.ts';
import { makeTempDir, removeTempDirs } from '../support/temp-dir.ts';

after(removeTempDirs);

/** a directory holding `.slipway/local.env` with these lines, as `npm run up` leaves it */
function upDir(text: string): string {
  const dir = makeTempDir('slipway-envfile-');
  mkdirSync(join(dir, '.slipway'));
  writeFileSync(join(dir, '.slipway', 'local.env'), text);
  return dir;
}

describe('env files', () => {
  it('reads KEY=value lines, comments, export and quotes', () => {
    assert.deepEqual(parseEnvFile('# settings\nREDIS_URL=redis://127.0.0.1:6379\n\nexport PORT=3000\nA="x # y"\nB=\'q\'\nC=v # note\nnot a line\nD=a=b\n'), {
      REDIS_URL: 'redis://127.0.0.1:6379',
      PORT: '3000',
      A: 'x # y',
      B: 'q',
      C: 'v',
      D: 'a=b',
    });
  });

  it('--env-file loads the file, variables already set winning, and leaves the rest of the command line', () => {
    const dir = makeTempDir('slipway-envfile-');
    writeFileSync(join(dir, 'prod.env'), 'PORT=4000\nREDIS_URL=redis://r:6379\n');
    for (const argv of [['check', '--env-file', 'prod.env'], ['--env-file=prod.env', 'check']]) {
      const env: NodeJS.ProcessEnv = { PORT: '5000' };
      assert.deepEqual(applyEnvFile(argv, env, dir), { argv: ['check'], loaded: join(dir, 'prod.env') });
      assert.deepEqual(env, { PORT: '5000', REDIS_URL: 'redis://r:6379' });
    }
    assert.deepEqual(applyEnvFile(['check', '--env-file', 'nope.env'], {}, dir), { problem: '--env-file nope.env: no such file' });
    assert.deepEqual(applyEnvFile(['check', '--env-file'], {}, dir), { problem: '--env-file needs the path of a file of KEY=value lines' });
  });

  it('loads .slipway/local.env when it exists and the shell has not configured Slipway; variables set win', () => {
    const dir = upDir('REDIS_URL=redis://127.0.0.1:6379\nSLIPWAY_REGISTRY=127.0.0.1:5000\nPORT=3000\n');
    const env: NodeJS.ProcessEnv = { HOME: '/root', PORT: '8080' };
    assert.deepEqual(applyEnvFile(['check'], env, dir), { argv: ['check'], loaded: join(dir, '.slipway', 'local.env') });
    assert.deepEqual(env, { HOME: '/root', PORT: '8080', REDIS_URL: 'redis://127.0.0.1:6379', SLIPWAY_REGISTRY: '127.0.0.1:5000' });
  });

  it('leaves .slipway/local.env alone when the shell set GITHUB_WEBHOOK_SECRET or SLIPWAY_REGISTRY, or --env-file names another', () => {
    const dir = upDir('REDIS_URL=redis://127.0.0.1:6379\nSLIPWAY_REGISTRY=127.0.0.1:5000\n');
    for (const own of [{ SLIPWAY_REGISTRY: 'registry.example.com' }, { GITHUB_WEBHOOK_SECRET: 's' }]) {
      const env: NodeJS.ProcessEnv = { ...own };
      assert.deepEqual(applyEnvFile(['check'], env, dir), { argv: ['check'] });
      assert.deepEqual(env, own);
    }
    writeFileSync(join(dir, 'other.env'), 'PORT=1\n');
    const env2: NodeJS.ProcessEnv = {};
    applyEnvFile(['check', '--env-file', 'other.env'], env2, dir);
    assert.deepEqual(env2, { PORT: '1' });
  });

  it('finds nothing to load in a directory without one', () => {
    assert.deepEqual(applyEnvFile(['builds', '--json'], {}, makeTempDir('slipway-envfile-')), { argv: ['builds', '--json'] });
  });
});
