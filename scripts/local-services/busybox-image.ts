/**
 * `local/busybox:latest`: a base image made on the spot from the host's static busybox (a rootfs
 * of applet symlinks, tarred and imported), so builds and tests never pull from the internet.
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { installHint, requireBin, which } from './binaries.ts';
import { dockerRequest } from './probes.ts';
import type { Log } from './types.ts';

/** Repository of the local base image every fixture Dockerfile builds FROM. */
export const BUSYBOX_IMAGE = 'local/busybox';
const BUSYBOX_TAG = 'latest';
const ROOTFS_DIRS = ['bin', 'sbin', 'usr/bin', 'usr/sbin', 'etc', 'root', 'tmp', 'var/tmp', 'home', 'proc', 'sys', 'dev'];

/** ELF program headers contain PT_INTERP → dynamically linked (useless inside an empty rootfs). */
function isDynamicElf(file: string): boolean {
  const fd = fs.openSync(file, 'r');
  try {
    const h = Buffer.alloc(64);
    fs.readSync(fd, h, 0, 64, 0);
    if (h.readUInt32BE(0) !== 0x7f454c46 || h[5] !== 1) return false; // not little-endian ELF: don't judge
    const is64 = h[4] === 2;
    const phoff = is64 ? Number(h.readBigUInt64LE(0x20)) : h.readUInt32LE(0x1c);
    const phentsize = is64 ? h.readUInt16LE(0x36) : h.readUInt16LE(0x2a);
    const phnum = is64 ? h.readUInt16LE(0x38) : h.readUInt16LE(0x2c);
    const ph = Buffer.alloc(phentsize * phnum);
    fs.readSync(fd, ph, 0, ph.length, phoff);
    for (let i = 0; i < phnum; i++) if (ph.readUInt32LE(i * phentsize) === 3) return true;
    return false;
  } finally {
    fs.closeSync(fd);
  }
}

/** Applet paths relative to / ("bin/sh", "usr/bin/wget", …). */
function listApplets(busybox: string): string[] {
  const list = spawnSync(busybox, ['--list-full'], { encoding: 'utf8' });
  let applets = (list.stdout ?? '').split('\n').map((s) => s.trim()).filter(Boolean);
  if (list.status !== 0 || applets.length === 0) {
    const plain = spawnSync(busybox, ['--list'], { encoding: 'utf8' });
    applets = (plain.stdout ?? '').split('\n').map((s) => s.trim()).filter(Boolean).map((a) => `bin/${a}`);
  }
  if (applets.length === 0) throw new Error(`busybox: ${busybox} --list printed no applets`);
  return applets;
}

function linkApplets(dir: string, applets: string[]): void {
  for (const rel of applets) {
    if (rel === 'bin/busybox' || rel.includes('..')) continue;
    const link = path.join(dir, rel);
    fs.mkdirSync(path.dirname(link), { recursive: true });
    try {
      fs.symlinkSync('/bin/busybox', link);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
  }
  // every applet also reachable as /bin/<name> (scripts that hard-code /bin/...)
  for (const rel of applets) {
    const link = path.join(dir, 'bin', path.basename(rel));
    if (!fs.existsSync(link) && !rel.includes('..')) fs.symlinkSync('/bin/busybox', link);
  }
}

function makeBusyboxRootfs(dir: string): void {
  const busybox = fs.existsSync('/bin/busybox') ? '/bin/busybox' : which('busybox');
  if (!busybox) throw new Error(`busybox: /bin/busybox not found: ${installHint('busybox')}`);
  if (isDynamicElf(busybox)) {
    throw new Error(`busybox: ${busybox} is dynamically linked and cannot run in an empty image: ${installHint('busybox')}`);
  }
  fs.rmSync(dir, { recursive: true, force: true });
  for (const d of ROOTFS_DIRS) fs.mkdirSync(path.join(dir, d), { recursive: true });
  fs.chmodSync(path.join(dir, 'tmp'), 0o1777);
  fs.chmodSync(path.join(dir, 'var/tmp'), 0o1777);
  fs.copyFileSync(busybox, path.join(dir, 'bin/busybox'));
  fs.chmodSync(path.join(dir, 'bin/busybox'), 0o755);
  linkApplets(dir, listApplets(busybox));
  fs.writeFileSync(path.join(dir, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n');
  fs.writeFileSync(path.join(dir, 'etc/group'), 'root:x:0:\nnogroup:x:65534:\n');
}

/** `tar -c` of a folder with root ownership: its stdout, its exit code, and what it said on stderr. */
function tarFolder(dir: string): { stdout: Readable; exit: Promise<number | null>; stderr: () => string } {
  const tar = spawn(requireBin('tar'), ['--numeric-owner', '--owner=0', '--group=0', '-C', dir, '-c', '.'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  tar.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const exit = new Promise<number | null>((resolve) => {
    tar.once('exit', (code) => resolve(code));
    tar.once('error', () => resolve(-1));
  });
  return { stdout: tar.stdout, exit, stderr: () => err };
}

/** Make `local/busybox:latest` in the engine unless it is there already. */
export async function ensureBusyboxImage(socketPath: string, root: string, log: Log): Promise<void> {
  const ref = `${BUSYBOX_IMAGE}:${BUSYBOX_TAG}`;
  const existing = await dockerRequest(socketPath, 'GET', `/images/${ref}/json`);
  if (existing.status === 200) {
    log(`docker: ${ref} already present`);
    return;
  }
  const t0 = Date.now();
  const rootfs = path.join(root, 'busybox-rootfs');
  makeBusyboxRootfs(rootfs);
  const tar = tarFolder(rootfs);
  const q = new URLSearchParams({ fromSrc: '-', repo: BUSYBOX_IMAGE, tag: BUSYBOX_TAG, message: 'slipway local base image' });
  q.append('changes', 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin');
  q.append('changes', 'CMD ["sh"]');
  const res = await dockerRequest(socketPath, 'POST', `/images/create?${q}`, {
    body: tar.stdout,
    headers: { 'Content-Type': 'application/x-tar' },
    timeoutMs: 120_000,
  });
  const code = await tar.exit;
  const text = res.body.toString();
  if (code !== 0) throw new Error(`docker: tar of ${rootfs} failed (exit ${code}): ${tar.stderr().trim()}`);
  if (res.status !== 200 || /"error(Detail)?"\s*:/.test(text)) {
    throw new Error(`docker: import of ${ref} failed (HTTP ${res.status}): ${text.trim().slice(0, 2000)}`);
  }
  const check = await dockerRequest(socketPath, 'GET', `/images/${ref}/json`);
  if (check.status !== 200) throw new Error(`docker: ${ref} missing after import: ${text.trim().slice(0, 2000)}`);
  fs.rmSync(rootfs, { recursive: true, force: true });
  log(`docker: imported ${ref} from ${fs.realpathSync('/bin/busybox')} (${Date.now() - t0} ms)`);
}
