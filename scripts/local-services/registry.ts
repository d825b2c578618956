/** A Docker Registry v2 (`docker-registry serve`) on 127.0.0.1, plain or behind htpasswd basic auth. */
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { requireBin } from './binaries.ts';
import { failure, spawnLogged, stopProc, waitReady, type Proc } from './processes.ts';
import { registryStatus } from './probes.ts';
import type { Log } from './types.ts';

/** Username/password pair for the htpasswd registry. */
export interface Credentials {
  username: string;
  password: string;
}

function registryConfig(root: string, name: string, port: number, htpasswdFile?: string): string {
  const q = (s: string) => JSON.stringify(s); // a JSON string is a valid YAML double-quoted scalar
  const lines = [
    'version: 0.1',
    'log:',
    '  level: info',
    '  accesslog:',
    '    disabled: true',
    'storage:',
    '  filesystem:',
    `    rootdirectory: ${q(path.join(root, name, 'data'))}`,
    '  delete:',
    '    enabled: true',
    '  maintenance:',
    '    uploadpurging:',
    '      enabled: false',
    'http:',
    `  addr: ${q(`127.0.0.1:${port}`)}`,
    `  secret: ${q(crypto.randomBytes(16).toString('hex'))}`,
    '  headers:',
    '    X-Content-Type-Options: [nosniff]',
  ];
  if (htpasswdFile) {
    lines.push('auth:', '  htpasswd:', '    realm: slipway-test-registry', `    path: ${q(htpasswdFile)}`);
  }
  return lines.join('\n') + '\n';
}

/** Write a bcrypt htpasswd file for `auth` into `dir` and return its path. */
function writeHtpasswd(dir: string, name: string, auth: Credentials): string {
  const htpasswdFile = path.join(dir, 'htpasswd');
  const htpasswd = requireBin('htpasswd');
  const r = spawnSync(htpasswd, ['-Bbn', auth.username, auth.password], { encoding: 'utf8' });
  if (r.error || r.status !== 0 || !r.stdout.startsWith(`${auth.username}:$2`)) {
    throw new Error(`${name}: htpasswd -Bbn failed: ${r.error?.message ?? r.stderr.trim()}`);
  }
  fs.writeFileSync(htpasswdFile, r.stdout.trim() + '\n', { mode: 0o600 });
  return htpasswdFile;
}

/**
 * Start a registry named `name` (its folder and log under root) on `port`; with `auth`, only those
 * credentials are accepted. Returns "127.0.0.1:<port>"; the process joins `procs`.
 */
export async function startRegistry(
  root: string,
  name: string,
  port: number,
  procs: Proc[],
  log: Log,
  auth?: Credentials,
): Promise<string> {
  const dir = path.join(root, name);
  fs.mkdirSync(path.join(dir, 'data'), { recursive: true });
  const htpasswdFile = auth ? writeHtpasswd(dir, name, auth) : undefined;
  const config = path.join(dir, 'config.yml');
  fs.writeFileSync(config, registryConfig(root, name, port, htpasswdFile));
  const t0 = Date.now();
  const proc = spawnLogged(name, 'docker-registry', ['serve', config], path.join(root, `${name}.log`));
  procs.push(proc);
  const host = `127.0.0.1:${port}`;
  const want = auth ? 401 : 200;
  try {
    await waitReady(proc, async () => (await registryStatus(host, undefined, 500)) === want, 15_000);
    if (auth && (await registryStatus(host, auth)) !== 200) throw failure(proc, 'rejects the generated credentials');
  } catch (e) {
    await stopProc(proc, 2000, log);
    throw e;
  }
  log(`${name}: http://${host}/v2/${auth ? ` (htpasswd, user ${auth.username})` : ''} (pid ${proc.pid}, ${Date.now() - t0} ms)`);
  return host;
}
