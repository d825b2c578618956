import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MINIMAL, problems } from '../support/config-problems.ts';
import { loadConfig } from '../../src/config/load-config.ts';



describe('loadConfig', () => {
  it('applies the documented defaults', () => {
    const c = loadConfig(MINIMAL);
    assert.equal(c.port, 3000);
    assert.equal(c.redisUrl, 'redis://127.0.0.1:6379');
    assert.equal(c.github.apiUrl, 'https://api.github.com');
    assert.equal(c.github.token, undefined);
    assert.equal(c.pipelinesDir, './pipelines');
    assert.equal(c.dataDir, './.slipway');
    assert.equal(c.publicUrl, 'http://localhost:3000');
    assert.equal(c.registry.auth, 'none');
    assert.ok(Object.isFrozen(c) && Object.isFrozen(c.github));
  });

  it('reads every variable', () => {
    const c = loadConfig({
      ...MINIMAL,
      PORT: '8080',
      REDIS_URL: 'redis://redis:6380',
      DOCKER_HOST: 'unix:///tmp/d.sock',
      GITHUB_TOKEN: 't',
      GITHUB_API_URL: 'https://ghe.example.com/api/v3/',
      SLACK_WEBHOOK_URL: 'https://hooks.slack.com/services/T/B/x',
      SLIPWAY_PIPELINES_DIR: '/etc/slipway',
      SLIPWAY_PUBLIC_URL: 'https://ci.example.com/',
      SLIPWAY_DATA_DIR: '/var/lib/slipway',
      SLIPWAY_REGISTRY_USERNAME: 'u',
      SLIPWAY_REGISTRY_PASSWORD: 'p',
    });
    assert.equal(c.port, 8080);
    assert.equal(c.github.apiUrl, 'https://ghe.example.com/api/v3');
    assert.equal(c.publicUrl, 'https://ci.example.com');
    assert.deepEqual(c.registry, { address: '127.0.0.1:5000', auth: 'basic', username: 'u', password: 'p' });
    assert.equal(c.dockerHost, 'unix:///tmp/d.sock');
  });

  it('defaults the public URL to the port', () => assert.equal(loadConfig({ ...MINIMAL, PORT: '4000' }).publicUrl, 'http://localhost:4000'));

  it('names every problem in one message', () => {
    const message = problems({ PORT: 'eighty', REDIS_URL: 'http://x', SLIPWAY_REGISTRY: 'https://Registry' });
    for (const name of ['PORT', 'REDIS_URL', 'GITHUB_WEBHOOK_SECRET', 'SLIPWAY_REGISTRY']) assert.match(message, new RegExp(`${name}:`));
  });

  it('asks for both halves of basic auth', () => {
    assert.match(problems({ ...MINIMAL, SLIPWAY_REGISTRY_AUTH: 'basic', SLIPWAY_REGISTRY_USERNAME: 'u' }), /SLIPWAY_REGISTRY_PASSWORD: basic registry auth needs both/);
  });

  it('registry auth defaults to ecr for ECR hosts (namespaced too), basic with a username, else none', () => {
    const cases: [Record<string, string>, string][] = [
      [{ SLIPWAY_REGISTRY: '123456789012.dkr.ecr.eu-west-1.amazonaws.com' }, 'ecr'],
      [{ SLIPWAY_REGISTRY: '123456789012.dkr.ecr.us-east-1.amazonaws.com/team' }, 'ecr'],
      [{ SLIPWAY_REGISTRY: '123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn' }, 'ecr'],
      [{ SLIPWAY_REGISTRY: 'dkr.ecr.eu-west-1.amazonaws.com.example.com' }, 'none'],
      [{ SLIPWAY_REGISTRY_USERNAME: 'u', SLIPWAY_REGISTRY_PASSWORD: 'p' }, 'basic'],
      [{}, 'none'],
      [{ SLIPWAY_REGISTRY: '123456789012.dkr.ecr.eu-west-1.amazonaws.com', SLIPWAY_REGISTRY_AUTH: 'none' }, 'none'],
    ];
    for (const [env, auth] of cases) assert.equal(loadConfig({ ...MINIMAL, ...env }).registry.auth, auth, JSON.stringify(env));
  });

  it('takes SLIPWAY_REGISTRY_AUTH=ecr for any registry (a 127.0.0.1 one in tests), with the ECR endpoint and region', () => {
    const c = loadConfig({
      ...MINIMAL, SLIPWAY_REGISTRY_AUTH: 'ecr', SLIPWAY_REGISTRY_USERNAME: 'ignored', AWS_REGION: 'us-east-1', AWS_ENDPOINT_URL_ECR: 'http://127.0.0.1:4566',
    });
    assert.deepEqual(c.registry, { address: '127.0.0.1:5000', auth: 'ecr', username: undefined, password: undefined });
    assert.equal(c.aws.region, 'us-east-1');
    assert.equal(c.aws.ecrEndpoint, 'http://127.0.0.1:4566');
    assert.match(problems({ ...MINIMAL, SLIPWAY_REGISTRY_AUTH: 'token' }), /SLIPWAY_REGISTRY_AUTH:/);
  });

  it('accepts registry namespaces and ports', () => {
    for (const r of ['registry.example.com/team', 'localhost:5000', '127.0.0.1:5000/a/b']) assert.equal(loadConfig({ ...MINIMAL, SLIPWAY_REGISTRY: r }).registry.address, r);
  });
});
