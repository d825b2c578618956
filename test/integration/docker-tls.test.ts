import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { isSlipwayError } from '../../src/core/errors.ts';
import { createDockerClient, dockerTlsFromEnv } from '../../src/docker/docker-client.ts';
import { freePort } from '../support/free-port.ts';

function openssl(cwd: string, args: string[]): void {
  const r = spawnSync('openssl', args, { cwd, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`openssl ${args.join(' ')}: ${r.stderr}`);
}

/** A CA, and in `dir`: its ca.pem, a certificate it signs (server or client), cert.pem and key.pem. */
function makeCa(dir: string, name: string): void {
  mkdirSync(dir, { recursive: true });
  openssl(dir, ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', `/CN=${name} CA`, '-keyout', 'ca-key.pem', '-out', 'ca.pem']);
}

function signed(dir: string, prefix: string, cn: string, ext: string): void {
  writeFileSync(join(dir, `${prefix}.ext`), ext);
  openssl(dir, ['req', '-newkey', 'rsa:2048', '-nodes', '-subj', `/CN=${cn}`, '-keyout', `${prefix}key.pem`, '-out', `${prefix}.csr`]);
  openssl(dir, ['x509', '-req', '-in', `${prefix}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca-key.pem', '-CAcreateserial', '-days', '2', '-extfile', `${prefix}.ext`, '-out', `${prefix}cert.pem`]);
}

describe('a remote Docker engine over TLS (DOCKER_TLS_VERIFY, DOCKER_CERT_PATH)', { timeout: 120_000 }, () => {
  let root: string;
  let dockerd: ChildProcess | undefined;
  let host: string;
  let log = '';

  before(async () => {
    root = mkdtempSync('/tmp/sw-tls-'); // short: dockerd's sockets live under it
    const ca = join(root, 'certs');
    makeCa(ca, 'engine');
    signed(ca, 'server-', '127.0.0.1', 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n');
    signed(ca, '', 'slipway', 'extendedKeyUsage=clientAuth\n'); // cert.pem, key.pem: the client's
    const other = join(root, 'other');
    makeCa(other, 'someone else'); // a CA the engine's certificate is not signed by
    signed(other, '', 'slipway', 'extendedKeyUsage=clientAuth\n');

    const port = await freePort();
    host = `tcp://127.0.0.1:${port}`;
    const args = ['--tlsverify', '--tlscacert', join(ca, 'ca.pem'), '--tlscert', join(ca, 'server-cert.pem'), '--tlskey', join(ca, 'server-key.pem'), '-H', `127.0.0.1:${port}`,
      '--data-root', join(root, 'data'), '--exec-root', join(root, 'exec'), '--pidfile', join(root, 'docker.pid'),
      '--storage-driver', 'vfs', '--bridge=none', '--iptables=false', '--ip-masq=false'];
    dockerd = spawn('dockerd', args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, PATH: `${process.env.PATH}:/usr/sbin:/sbin` } });
    dockerd.stdout!.on('data', (d: Buffer) => (log += d.toString()));
    dockerd.stderr!.on('data', (d: Buffer) => (log += d.toString()));
    const client = createDockerClient(host, dockerTlsFromEnv({ DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: ca }));
    const until = Date.now() + 60_000;
    for (;;) {
      if (dockerd.exitCode !== null) throw new Error(`dockerd exited ${dockerd.exitCode}:\n${log.slice(-3000)}`);
      if (await client.ping().then(() => true, () => false)) break;
      if (Date.now() > until) throw new Error(`dockerd --tlsverify did not answer within 60 s:\n${log.slice(-3000)}`);
      await sleep(200);
    }
  });

  after(async () => {
    if (dockerd && dockerd.exitCode === null) {
      const exited = once(dockerd, 'exit');
      dockerd.kill('SIGTERM');
      await Promise.race([exited, sleep(20_000).then(() => dockerd!.kill('SIGKILL'))]);
    }
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it('speaks https with the client certificate from DOCKER_CERT_PATH and verifies the engine', async () => {
    const docker = createDockerClient(host, dockerTlsFromEnv({ DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: join(root, 'certs') }));
    assert.equal((docker.modem as { protocol?: string }).protocol, 'https');
    const version = await docker.version();
    assert.match(version.ApiVersion, /^\d+\.\d+$/);
  });

  it('is refused without a client certificate, as the engine requires one', async () => {
    const plain = createDockerClient(host, undefined);
    await assert.rejects(plain.ping());
  });

  it('refuses an engine whose certificate the configured CA did not sign', async () => {
    const docker = createDockerClient(host, dockerTlsFromEnv({ DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: join(root, 'other') }));
    await assert.rejects(docker.ping(), /self[- ]signed|unable to verify|certificate/i);
  });

  it('reads nothing when DOCKER_TLS_VERIFY is unset, and names the file it cannot read when it is set', () => {
    assert.equal(dockerTlsFromEnv({ DOCKER_CERT_PATH: join(root, 'certs') }), undefined);
    assert.throws(
      () => dockerTlsFromEnv({ DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: join(root, 'nowhere') }),
      (err: unknown) => isSlipwayError(err, 'CONFIG_INVALID') && /nowhere\/ca\.pem/.test((err as Error).message),
    );
    const defaults = createDockerClient('tcp://10.0.0.9', { ca: Buffer.from(''), cert: Buffer.from(''), key: Buffer.from('') }).modem as { port?: string; protocol?: string };
    assert.deepEqual({ port: defaults.port, protocol: defaults.protocol }, { port: '2376', protocol: 'https' });
  });
});
