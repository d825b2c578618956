import assert from 'node:assert/strict';
import { generateKeyPairSync, verify } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { MINIMAL, problems } from '../support/config-problems.ts';
import { loadConfig } from '../../src/config/load-config.ts';
import { appPrivateKey, signAppJwt } from '../../src/github/app-jwt.ts';
import { makeTempDir, removeTempDir } from '../support/temp-dir.ts';

const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const PEM = privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();


describe('GitHub App configuration', () => {
  const dir = makeTempDir('slipway-app-key-');
  after(() => removeTempDir(dir));

  it('takes the App id with the key as text or from a file, and no App without an id', () => {
    assert.deepEqual(loadConfig({ ...MINIMAL, GITHUB_APP_ID: '123', GITHUB_APP_PRIVATE_KEY: PEM }).github.app, { appId: '123', privateKey: PEM });
    const file = join(dir, 'app.pem');
    writeFileSync(file, PEM, { mode: 0o600 });
    assert.deepEqual(loadConfig({ ...MINIMAL, GITHUB_APP_ID: '123', GITHUB_APP_PRIVATE_KEY_FILE: file }).github.app, { appId: '123', privateKey: PEM });
    assert.equal(loadConfig(MINIMAL).github.app, undefined);
  });

  it('names what is missing or unreadable, never echoing the key', () => {
    assert.match(problems({ ...MINIMAL, GITHUB_APP_ID: '123' }), /GITHUB_APP_PRIVATE_KEY.*needs its private key/);
    assert.match(problems({ ...MINIMAL, GITHUB_APP_PRIVATE_KEY: PEM }), /GITHUB_APP_ID.*required/);
    assert.match(problems({ ...MINIMAL, GITHUB_APP_ID: 'my-app', GITHUB_APP_PRIVATE_KEY: PEM }), /GITHUB_APP_ID.*numeric id/);
    assert.match(problems({ ...MINIMAL, GITHUB_APP_ID: '123', GITHUB_APP_PRIVATE_KEY_FILE: join(dir, 'missing.pem') }), /GITHUB_APP_PRIVATE_KEY_FILE: cannot be read \(ENOENT\)/);
    const both = problems({ ...MINIMAL, GITHUB_APP_ID: '123', GITHUB_APP_PRIVATE_KEY: PEM, GITHUB_APP_PRIVATE_KEY_FILE: '/x.pem' });
    assert.match(both, /one of them/);
    assert.equal(both.includes(PEM.split('\n')[1]!), false);
  });
});

describe('App JWT', () => {
  it('is RS256, issued by the App 60 s back, expiring within GitHub\'s ten minutes', () => {
    const now = Date.UTC(2026, 0, 1, 12, 0, 0);
    const jwt = signAppJwt('123', appPrivateKey(PEM), now);
    const [header = '', payload = '', signature = ''] = jwt.split('.');
    assert.deepEqual(JSON.parse(Buffer.from(header, 'base64url').toString()), { alg: 'RS256', typ: 'JWT' });
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
    assert.equal(claims.iss, '123');
    assert.equal(claims.iat, now / 1000 - 60);
    assert.ok(claims.exp > now / 1000 && claims.exp - claims.iat <= 600, JSON.stringify(claims));
    assert.equal(verify('RSA-SHA256', Buffer.from(`${header}.${payload}`), publicKey, Buffer.from(signature, 'base64url')), true);
  });

  it('accepts a key whose newlines came escaped, as some secret stores keep them', () => {
    assert.equal(appPrivateKey(PEM.replace(/\n/g, '\\n')).asymmetricKeyType, 'rsa');
  });
});
