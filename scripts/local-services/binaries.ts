/** Finding the executables the services need, and telling the user which package provides a missing one. */
import fs from 'node:fs';
import path from 'node:path';

/** Debian package that provides each binary we run. */
const PACKAGE_FOR: Record<string, string> = {
  'redis-server': 'redis-server',
  dockerd: 'docker.io',
  containerd: 'containerd',
  runc: 'runc',
  'docker-registry': 'docker-registry',
  htpasswd: 'apache2-utils',
  busybox: 'busybox-static',
  tar: 'tar',
  umount: 'mount',
};

const EXTRA_PATH = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'];

/** "install <pkg>: apt-get install <pkg> …" for a binary. */
export function installHint(bin: string): string {
  const pkg = PACKAGE_FOR[path.basename(bin)] ?? path.basename(bin);
  return `install ${pkg}: apt-get install ${pkg} (or run: bash scripts/setup.sh)`;
}

function searchPath(): string[] {
  const dirs = (process.env.PATH ?? '').split(':').filter(Boolean);
  for (const d of EXTRA_PATH) if (!dirs.includes(d)) dirs.push(d);
  return dirs;
}

/** Environment for child processes: ours, with the sbin folders on PATH. */
export function childEnv(): NodeJS.ProcessEnv {
  // dockerd looks up containerd, runc, docker-init and docker-proxy on PATH; sbin may be missing for non-root shells.
  return { ...process.env, PATH: searchPath().join(':') };
}

/** Absolute path of an executable, or undefined. */
export function which(bin: string): string | undefined {
  const candidates = bin.includes('/') ? [bin] : searchPath().map((d) => path.join(d, bin));
  for (const c of candidates) {
    try {
      fs.accessSync(c, fs.constants.X_OK);
      if (fs.statSync(c).isFile()) return c;
    } catch {
      /* next */
    }
  }
  return undefined;
}

/** Absolute path of an executable; throws with an install hint when it is missing. */
export function requireBin(bin: string): string {
  const found = which(bin);
  if (!found) throw new Error(`${bin} not found on PATH: ${installHint(bin)}`);
  return found;
}
