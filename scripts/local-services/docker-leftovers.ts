/** Processes a stopped dockerd leaves behind (containerd, shims, containers), found in /proc and killed. */
import fs from 'node:fs';
import { signal } from './processes.ts';
import type { Log } from './types.ts';

interface ProcInfo {
  pid: number;
  ppid: number;
  args: string[];
}

function listProcesses(): ProcInfo[] {
  const out: ProcInfo[] = [];
  let names: string[] = [];
  try {
    names = fs.readdirSync('/proc');
  } catch {
    return out;
  }
  for (const n of names) {
    if (!/^\d+$/.test(n)) continue;
    try {
      const args = fs.readFileSync(`/proc/${n}/cmdline`, 'utf8').split('\0').filter(Boolean);
      const stat = fs.readFileSync(`/proc/${n}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      out.push({ pid: Number(n), ppid, args });
    } catch {
      /* gone */
    }
  }
  return out;
}

/** Add every descendant of a marked process (container processes live below their shim). */
function addDescendants(procs: ProcInfo[], marked: Set<number>): void {
  let grew = true;
  while (grew) {
    grew = false;
    for (const p of procs) {
      if (!marked.has(p.pid) && marked.has(p.ppid) && p.pid !== process.pid) {
        marked.add(p.pid);
        grew = true;
      }
    }
  }
}

/**
 * Kill what our dockerd left behind: its containerd, containerd shims (they name sockets under
 * `<root>/docker/`) and the container processes below them. Only processes whose command line
 * names a path under our own docker folder are touched.
 */
export function killDockerLeftovers(dockerDir: string, log: Log): number {
  const procs = listProcesses();
  const marked = new Set<number>();
  for (const p of procs) {
    if (p.pid === process.pid) continue;
    if (p.args.some((a) => a === dockerDir || a.startsWith(dockerDir + '/') || a.includes(`=${dockerDir}/`))) marked.add(p.pid);
  }
  if (marked.size === 0) return 0;
  addDescendants(procs, marked);
  for (const pid of marked) signal(pid, 'SIGKILL');
  log(`docker: killed ${marked.size} leftover processes (containerd, shims, containers)`);
  return marked.size;
}
