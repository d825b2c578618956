/**
 * A Node base image made on the spot from this machine's own files (no image can be pulled here),
 * the way scripts/local-services makes local/busybox: a root filesystem with this machine's
 * `node`, npm, git and the shared libraries they need (from `ldd`), plus the static busybox for a
 * shell, tarred and imported. Tagged by a hash of what went in, so a rerun on the same engine
 * finds it and makes nothing.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, copyFileSync, chmodSync, existsSync, mkdirSync, readFileSync, realpathSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type Docker from 'dockerode';
import { readJsonStream } from '../../src/docker/json-stream.ts';
import { makeTempDir, removeTempDir } from './temp-dir.ts';

const REPOSITORY = 'local/slipway-node-base';
const NPM_DIR = '/usr/lib/node_modules/npm';
const BUSYBOX = '/bin/busybox';

function which(name: string): string {
  const r = spawnSync('sh', ['-c', 'command -v "$1"', 'sh', name], { encoding: 'utf8' });
  const found = r.stdout.trim();
  if (r.status !== 0 || !found) throw new Error(`node base image: ${name} not found on this machine`);
  return realpathSync(found);
}

/** The shared libraries (and loader) `ldd` says a binary needs, as absolute paths. */
function libraries(binary: string): string[] {
  const r = spawnSync('ldd', [binary], { encoding: 'utf8' });
  if (r.status !== 0) return []; // static
  return [...r.stdout.matchAll(/(\/\S+) \(0x/g)].map((m) => m[1]!);
}

/** Copies a file to the same path under `root`, keeping the name it was asked by (a symlink's own name). */
function copyInto(root: string, file: string): void {
  const target = join(root, file);
  mkdirSync(dirname(target), { recursive: true });
  if (!existsSync(target)) copyFileSync(realpathSync(file), target);
  chmodSync(target, statSync(realpathSync(file)).mode & 0o777);
}

function makeRootfs(dir: string, node: string, git: string): void {
  for (const d of ['bin', 'usr/bin', 'usr/lib/node_modules', 'etc', 'tmp', 'root', 'home', 'proc', 'sys', 'dev']) mkdirSync(join(dir, d), { recursive: true });
  chmodSync(join(dir, 'tmp'), 0o1777);
  copyInto(dir, BUSYBOX);
  const applets = spawnSync(BUSYBOX, ['--list'], { encoding: 'utf8' }).stdout.split('\n').filter(Boolean);
  for (const a of applets) if (a !== 'busybox' && !existsSync(join(dir, 'bin', a))) symlinkSync('/bin/busybox', join(dir, 'bin', a));
  symlinkSync('/bin/env', join(dir, 'usr/bin/env'));
  copyFileSync(node, join(dir, 'usr/bin/node'));
  chmodSync(join(dir, 'usr/bin/node'), 0o755);
  copyFileSync(git, join(dir, 'usr/bin/git'));
  chmodSync(join(dir, 'usr/bin/git'), 0o755);
  for (const lib of new Set([...libraries(node), ...libraries(git)])) copyInto(dir, lib);
  cpSync(NPM_DIR, join(dir, NPM_DIR), { recursive: true });
  symlinkSync('../lib/node_modules/npm/bin/npm-cli.js', join(dir, 'usr/bin/npm'));
  if (existsSync('/etc/ssl/certs/ca-certificates.crt')) copyInto(dir, '/etc/ssl/certs/ca-certificates.crt');
  writeFileSync(join(dir, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/sh\nnode:x:1000:1000:node:/home/node:/bin/sh\n');
  writeFileSync(join(dir, 'etc/group'), 'root:x:0:\nnode:x:1000:\n');
  mkdirSync(join(dir, 'home/node'));
}

/** What the image is made of, hashed: the binaries and npm's version. */
function contentTag(node: string, git: string): string {
  const h = createHash('sha256');
  for (const f of [node, git, BUSYBOX, join(NPM_DIR, 'package.json')]) {
    const st = statSync(f);
    h.update(`${f}:${st.size}:${st.mtimeMs}\n`);
  }
  h.update(readFileSync(new URL(import.meta.url)));
  return h.digest('hex').slice(0, 16);
}

/** `local/slipway-node-base:<hash>` in this engine, made unless it is there; its reference. */
export async function ensureNodeBaseImage(docker: Docker): Promise<string> {
  const node = process.execPath.startsWith('/usr/') ? realpathSync(process.execPath) : which('node');
  const git = which('git');
  const ref = `${REPOSITORY}:${contentTag(node, git)}`;
  if (await docker.getImage(ref).inspect().then(() => true, () => false)) return ref;
  const dir = makeTempDir('slipway-node-base-');
  try {
    const rootfs = join(dir, 'rootfs');
    makeRootfs(rootfs, node, git);
    const tar = spawn('tar', ['--numeric-owner', '--owner=0', '--group=0', '-C', rootfs, '-c', '.'], { stdio: ['ignore', 'pipe', 'inherit'] });
    const [repo, tag] = ref.split(':') as [string, string];
    // the engine's default PATH (/usr/local/sbin:…:/bin) covers /usr/bin and /bin; npm trusts the
    // CAs this machine trusts (its network may re-sign TLS with its own)
    const changes = 'ENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt';
    const stream = (await docker.importImage(tar.stdout as unknown as NodeJS.ReadableStream, { repo, tag, changes } as never)) as unknown as AsyncIterable<Buffer>;
    await readJsonStream(stream);
    return ref;
  } finally {
    rmSync(join(dir, 'rootfs'), { recursive: true, force: true });
    removeTempDir(dir);
  }
}
