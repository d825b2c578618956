/** Mounts a Docker engine leaves under its root, found in /proc/self/mountinfo and lazily unmounted. */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { which } from './binaries.ts';
import type { Log } from './types.ts';

function unescapeMount(s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
}

/** Mount points at or below `dir`, deepest first. */
export function mountsUnder(dir: string): string[] {
  let text = '';
  try {
    text = fs.readFileSync('/proc/self/mountinfo', 'utf8');
  } catch {
    return [];
  }
  const found = new Set<string>();
  for (const line of text.split('\n')) {
    const mp = line.split(' ')[4];
    if (!mp) continue;
    const p = unescapeMount(mp);
    if (p === dir || p.startsWith(dir + '/')) found.add(p);
  }
  return [...found].sort((a, b) => b.length - a.length);
}

/** `umount -l` everything at or below `dir`, deepest first, in up to five rounds; logs what stays. */
export function unmountUnder(dir: string, log: Log): void {
  const umount = which('umount');
  for (let round = 0; round < 5; round++) {
    const mounts = mountsUnder(dir);
    if (mounts.length === 0) return;
    if (!umount) {
      log(`cannot unmount ${mounts.length} leftover mounts under ${dir}: umount not found`);
      return;
    }
    for (const m of mounts) {
      const r = spawnSync(umount, ['-l', m], { encoding: 'utf8' });
      if (r.status !== 0 && round === 4) log(`umount -l ${m} failed: ${(r.stderr || '').trim()}`);
    }
  }
  const left = mountsUnder(dir);
  if (left.length) log(`still mounted under ${dir}: ${left.join(', ')}`);
}
