/**
 * `node --import tsx scripts/bench/cpu-profile-summary.ts <file.cpuprofile> [top]`: figures, not a
 * test. Sums a V8 CPU profile (from `BENCH_CPU_PROF=<dir> npm run bench:webhook -- --only slipway`,
 * or `node --cpu-prof`) by where the time went: self time per npm package (or Slipway file, or
 * node: module), self time per function, and inclusive time per function (each sample counted once
 * per function on its stack). Milliseconds; `(idle)` is time the thread waited.
 */
import fs from 'node:fs';

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
  readonly children?: readonly number[];
}
interface Profile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

const [file, topArg] = process.argv.slice(2);
if (!file) throw new Error('usage: cpu-profile-summary.ts <file.cpuprofile> [top]');
const top = Number(topArg ?? 30);
const profile = JSON.parse(fs.readFileSync(file, 'utf8')) as Profile;
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

const self = new Map<number, number>();
profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));

function place(n: ProfileNode): string {
  const url = n.callFrame.url;
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url)?.[1];
  if (pkg) return pkg;
  if (url.includes('/dist/')) return `slipway:${url.split('/dist/')[1]}`;
  return url || '(native)';
}
const fn = (n: ProfileNode) => `${n.callFrame.functionName || '(anonymous)'} ${place(n)}:${n.callFrame.lineNumber}`;

function print(title: string, totals: Map<string, number>): void {
  console.log(`--- ${title}`);
  for (const [k, us] of [...totals].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${(us / 1000).toFixed(0).padStart(8)}  ${k}`);
}
function sum(key: (n: ProfileNode) => string): Map<string, number> {
  const totals = new Map<string, number>();
  for (const [id, us] of self) totals.set(key(byId.get(id)!), (totals.get(key(byId.get(id)!)) ?? 0) + us);
  return totals;
}

const inclusive = new Map<string, number>();
for (const [id, us] of self) {
  const seen = new Set<string>();
  for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
    const k = fn(byId.get(at)!);
    if (!seen.has(k)) inclusive.set(k, (inclusive.get(k) ?? 0) + us);
    seen.add(k);
  }
}
print('self time by package or file (ms)', sum(place));
print('self time by function (ms)', sum(fn));
print('inclusive time by function (ms)', inclusive);
