import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isSlipwayError } from '../../src/core/errors.ts';
import { createDockerClient } from '../../src/docker/docker-client.ts';

/** The connection a client would use: docker-modem's own fields. */
function target(dockerHost: string | undefined) {
  const modem = createDockerClient(dockerHost).modem as { socketPath?: string; host?: string; port?: string; protocol?: string };
  return { socketPath: modem.socketPath, host: modem.host, port: modem.port, protocol: modem.protocol };
}

const cases: [dockerHost: string | undefined, expected: ReturnType<typeof target>][] = [
  [undefined, { socketPath: '/var/run/docker.sock', host: undefined, port: undefined, protocol: 'http' }],
  ['', { socketPath: '/var/run/docker.sock', host: undefined, port: undefined, protocol: 'http' }],
  ['unix:///tmp/slipway-x/docker.sock', { socketPath: '/tmp/slipway-x/docker.sock', host: undefined, port: undefined, protocol: 'http' }],
  ['tcp://127.0.0.1:2375', { socketPath: undefined, host: '127.0.0.1', port: '2375', protocol: 'http' }],
  ['tcp://docker.internal', { socketPath: undefined, host: 'docker.internal', port: '2375', protocol: 'http' }],
  ['http://10.1.2.3:4243', { socketPath: undefined, host: '10.1.2.3', port: '4243', protocol: 'http' }],
];

describe('createDockerClient', () => {
  for (const [dockerHost, expected] of cases) {
    it(`${JSON.stringify(dockerHost)} → ${expected.socketPath ?? `${expected.host}:${expected.port}`}`, () => {
      assert.deepEqual(target(dockerHost), expected);
    });
  }

  it('ignores a DOCKER_HOST in the environment: only its argument counts', () => {
    const saved = process.env.DOCKER_HOST;
    process.env.DOCKER_HOST = 'tcp://10.9.9.9:2375';
    try {
      assert.deepEqual(target('unix:///tmp/mine.sock'), { socketPath: '/tmp/mine.sock', host: undefined, port: undefined, protocol: 'http' });
    } finally {
      if (saved === undefined) delete process.env.DOCKER_HOST;
      else process.env.DOCKER_HOST = saved;
    }
  });

  for (const bad of ['ssh://me@host', 'npipe:////./pipe/docker_engine', 'not a url']) {
    it(`refuses ${bad} with CONFIG_INVALID`, () => {
      assert.throws(() => createDockerClient(bad), (err: unknown) => isSlipwayError(err, 'CONFIG_INVALID'));
    });
  }
});
