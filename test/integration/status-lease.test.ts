/**
 * The status gate's lease (real Redis, GitHub emulated): short, and renewed by its holder while it
 * posts. A live poster keeps it however slowly GitHub answers; a dead one lets go within
 * STATUS_LEASE_MS; renewal ends with the post and never keeps a stopping process alive.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { createGitHubStatusReporter } from '../../src/github/status-reporter.ts';
import { createRedisStatusGate, STATUS_LEASE_MS } from '../../src/store/redis-status-gate.ts';
import { startGitHubEmulator, type GitHubEmulator } from '../emulators/github.ts';
import { pollUntil } from '../emulators/http-util.ts';
import { testEnv } from '../support/env.ts';

const redis = new Redis(testEnv().redisUrl);
after(async () => void (await redis.quit()));
const quiet = pino({ level: 'silent' });
const POSTER = new URL('../support/status-poster-process.ts', import.meta.url).pathname;
/** How long a test waits for what the lease bounds: the lease, then slack for a busy machine. */
const BOUND_MS = STATUS_LEASE_MS + 10_000;
const leaseKey = (prefix: string, subject: string) => `${prefix}:status:lock:${subject}`;

/** Settles like `work`, or rejects once `ms` passed. */
async function within<T>(ms: number, what: string, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms)));
  try {
    return await Promise.race([work, late]);
  } finally {
    clearTimeout(timer);
  }
}

const posters: ChildProcessWithoutNullStreams[] = [];
after(() => posters.forEach((p) => p.exitCode === null && p.signalCode === null && p.kill('SIGKILL')));

/** A status-poster process (see its file; killed after the tests if still running) and its stdout lines as they come. */
function startPoster(prefix: string, subject: string): { child: ChildProcessWithoutNullStreams; line(start: string): Promise<string> } {
  const child = spawn(process.execPath, ['--import', 'tsx', POSTER, testEnv().redisUrl, prefix, subject], { stdio: 'pipe' });
  posters.push(child);
  const lines: string[] = [];
  createInterface({ input: child.stdout }).on('line', (l) => lines.push(l));
  const line = async (start: string) => {
    await pollUntil(() => lines, (ls) => ls.some((l) => l.startsWith(start)), 60_000, () => lines.join(' | ') || '(no output)');
    return lines.find((l) => l.startsWith(start))!;
  };
  return { child, line };
}

describe('status lease: a slow poster keeps it', () => {
  let gh: GitHubEmulator;
  before(async () => {
    gh = await startGitHubEmulator({ token: 'good-token' });
  });
  after(async () => gh.close());

  it('a Queued that GitHub answers after longer than the lease lands before the final, which waits for it', async () => {
    const gate = createRedisStatusGate(redis, `lease-${randomUUID()}`);
    const server = createGitHubStatusReporter({ token: 'good-token', apiUrl: gh.url, logger: quiet, gate });
    const worker = createGitHubStatusReporter({ token: 'good-token', apiUrl: gh.url, logger: quiet, gate });
    const sha = 'a'.repeat(40);
    const status = { context: 'slipway/web', targetUrl: 'http://slipway/builds/7' };
    const about = { subject: 'build:7', build: '7' } as const;
    const slow = gh.holdNext();
    const queued = server.report('acme/web', sha, { ...status, state: 'pending', description: 'Queued' }, { ...about, step: 0 });
    await slow.arrived;
    let finalDone = false;
    const final = worker.report('acme/web', sha, { ...status, state: 'success', description: 'Tests passed' }, { ...about, step: 2 }).then(() => (finalDone = true));
    try {
      // GitHub answering slowly is the scenario: past the lease and a half, an unrenewed lease
      // would have lapsed and let the final go while the Queued was still on its way.
      await sleep(STATUS_LEASE_MS * 1.5);
      assert.equal(finalDone, false, 'the final waits for the Queued in flight');
      assert.deepEqual(gh.statuses.filter((s) => s.sha === sha).map((s) => s.state), []);
    } finally {
      slow.answer();
    }
    await Promise.all([queued, final]);
    assert.deepEqual(gh.statuses.filter((s) => s.sha === sha).map((s) => s.state), ['pending', 'success']);
  });
});

describe('status lease: a dead poster lets go within STATUS_LEASE_MS', { timeout: 120_000 }, () => {
  it('a poster SIGKILLed mid-post, after holding the lease past its first ttl, lets the final through', async (t) => {
    const prefix = `lease-${randomUUID()}`;
    const subject = 'deployment:41';
    const poster = startPoster(prefix, subject);
    await poster.line('posting');
    const token = await redis.get(leaseKey(prefix, subject));
    assert.ok(token, 'the poster holds the lease');
    // Alive but hung on GitHub: it keeps renewing, so its lease outlives its first ttl.
    await sleep(STATUS_LEASE_MS * 1.5);
    assert.equal(await redis.get(leaseKey(prefix, subject)), token, 'a live poster keeps its lease');
    poster.child.kill('SIGKILL');
    await once(poster.child, 'exit');
    const killedAt = Date.now();
    const left = await redis.pttl(leaseKey(prefix, subject));
    assert.ok(left <= STATUS_LEASE_MS, `the dead poster's lease runs out within STATUS_LEASE_MS (${left} ms left)`);
    const sent: number[] = [];
    const gate = createRedisStatusGate(redis, prefix);
    assert.equal(await within(BOUND_MS, 'the final post', gate.post({ subject, step: 2 }, async () => void sent.push(2))), true);
    assert.deepEqual(sent, [2]);
    t.diagnostic(`final posted ${Date.now() - killedAt} ms after the kill (${left} ms of lease left then)`);
  });

  it('a stopping poster is not kept alive by its renewal: it exits by itself with its post still in flight', async () => {
    const poster = startPoster(`lease-${randomUUID()}`, 'build:42');
    // Posting: its renewal timer runs from the moment it took the lease.
    await poster.line('posting');
    const exited = once(poster.child, 'exit');
    poster.child.stdin.write('stop\n');
    const resources = JSON.parse((await poster.line('resources ')).slice('resources '.length)) as string[];
    assert.ok(!resources.includes('Timeout'), `no timer keeps it alive: ${resources.join(', ')}`);
    const [code] = await within(BOUND_MS, 'the poster exiting', exited);
    assert.equal(code, 0);
  });
});

describe('status lease: renewal ends with the post', () => {
  it('renews while a post runs and never after it: no renewal follows the release', async () => {
    const prefix = `lease-${randomUUID()}`;
    const gate = createRedisStatusGate(redis, prefix);
    const seen: { key: string; what: 'renew' | 'release' }[] = [];
    const monitor = await redis.monitor();
    monitor.on('monitor', (_time: string, args: string[]) => {
      if (args[0]?.toLowerCase() !== 'eval' || !args[3]?.startsWith(prefix)) return;
      seen.push({ key: args[3], what: args[1]?.includes('pexpire') ? 'renew' : 'release' });
    });
    const renewals = (subject: string) => seen.filter((s) => s.key === leaseKey(prefix, subject) && s.what === 'renew').length;
    const postUntilRenewed = (subject: string, times: number) => gate.post({ subject, step: 1 }, () =>
      pollUntil(() => renewals(subject), (n) => n >= times, BOUND_MS, () => JSON.stringify(seen)));

    try {
      assert.equal(await postUntilRenewed('build:43', 1), true);
      // Another post renewing twice outlasts a renewal period of the first, finished one.
      assert.equal(await postUntilRenewed('build:44', 2), true);
      await pollUntil(() => seen, (s) => s.some((x) => x.key === leaseKey(prefix, 'build:44') && x.what === 'release'), BOUND_MS, () => JSON.stringify(seen));
    } finally {
      monitor.disconnect();
    }
    const first = seen.filter((s) => s.key === leaseKey(prefix, 'build:43')).map((s) => s.what);
    assert.equal(first.at(-1), 'release', `nothing renews the first lease after its release: ${first.join(', ')}`);
    assert.ok(first.length >= 2);
  });
});
