import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { createGitHubStatusReporter } from '../../src/github/status-reporter.ts';
import { createRedisStatusGate } from '../../src/store/redis-status-gate.ts';
import { startGitHubEmulator, type GitHubEmulator } from '../emulators/github.ts';
import { testEnv } from '../support/env.ts';

const redis = new Redis(testEnv().redisUrl);
after(async () => void (await redis.quit()));
const quiet = pino({ level: 'silent' });

describe('status gate (real Redis): a status never goes back', () => {
  const gate = createRedisStatusGate(redis, `gate-${randomUUID()}`);
  const record = () => {
    const sent: number[] = [];
    return { sent, post: (subject: string, step: 0 | 1 | 2) => gate.post({ subject, step }, async () => void sent.push(step)) };
  };

  it('drops a queued or running post once a later step was sent, and a second final', async () => {
    const { sent, post } = record();
    assert.equal(await post('build:1', 0), true);
    assert.equal(await post('build:1', 1), true);
    assert.equal(await post('build:1', 1), true, 'progress within a step is posted');
    assert.equal(await post('build:1', 2), true);
    assert.equal(await post('build:1', 0), false, 'a late Queued is dropped');
    assert.equal(await post('build:1', 1), false);
    assert.equal(await post('build:1', 2), false, 'one final status per subject');
    assert.deepEqual(sent, [0, 1, 1, 2]);
  });

  it('keeps subjects apart', async () => {
    const { sent, post } = record();
    await post('deploy:8', 2);
    assert.equal(await post('deploy:9', 0), true);
    assert.deepEqual(sent, [2, 0]);
  });

  it('never sends two posts of one subject at once: a final waits for a queued post in flight', async () => {
    const order: string[] = [];
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let started!: () => void;
    const inFlight = new Promise<void>((r) => (started = r));
    const slow = gate.post({ subject: 'build:2', step: 0 }, async () => {
      order.push('queued sent');
      started();
      await held;
      order.push('queued landed');
    });
    await inFlight;
    const final = gate.post({ subject: 'build:2', step: 2 }, async () => void order.push('final sent'));
    await new Promise((r) => setImmediate(r));
    release();
    assert.deepEqual(await Promise.all([slow, final]), [true, true]);
    assert.deepEqual(order, ['queued sent', 'queued landed', 'final sent']);
  });

  it('lets a failed send be retried: it does not count as sent', async () => {
    const { sent, post } = record();
    await assert.rejects(gate.post({ subject: 'build:3', step: 2 }, async () => { throw new Error('502'); }));
    assert.equal(await post('build:3', 1), true, 'nothing final was posted yet');
    assert.equal(await post('build:3', 2), true);
    assert.deepEqual(sent, [1, 2]);
  });
});

describe('statuses through a GitHub outage (emulator answering 502)', () => {
  let gh: GitHubEmulator;
  before(async () => {
    gh = await startGitHubEmulator({ token: 'good-token' });
  });
  after(async () => gh.close());

  /**
   * The server posts Queued during an outage and backs off; GitHub recovers and the worker posts
   * the build's outcome; only then does the server's retry go. Returns the states GitHub recorded.
   */
  async function outageRace(sha: string, gate?: ReturnType<typeof createRedisStatusGate>): Promise<string[]> {
    let retry!: () => void;
    const backedOff = new Promise<void>((r) => (retry = r));
    let sleeping!: () => void;
    const asleep = new Promise<void>((r) => (sleeping = r));
    const server = createGitHubStatusReporter({ token: 'good-token', apiUrl: gh.url, logger: quiet, gate, sleep: () => (sleeping(), backedOff) });
    const worker = createGitHubStatusReporter({ token: 'good-token', apiUrl: gh.url, logger: quiet, gate });
    const status = { context: 'slipway/web', targetUrl: 'http://slipway/builds/5' };
    gh.outage(502);
    const queued = server.report('acme/web', sha, { ...status, state: 'pending', description: 'Queued' }, { subject: `build:${sha}`, step: 0, build: sha });
    await asleep;
    gh.recover();
    await worker.report('acme/web', sha, { ...status, state: 'success', description: 'Tests passed' }, { subject: `build:${sha}`, step: 2, build: sha });
    retry();
    await queued;
    return gh.statuses.filter((s) => s.sha === sha && s.context === 'slipway/web').map((s) => s.state);
  }

  it("a Queued retried through the outage is dropped once the build's outcome is posted", async () => {
    const sha = 'd'.repeat(40);
    assert.deepEqual(await outageRace(sha, createRedisStatusGate(redis, `gate-${randomUUID()}`)), ['success']);
    assert.equal(gh.latest('acme', 'web', sha).get('slipway/web')?.state, 'success');
  });

  it('without the gate (as before) the retried Queued lands last, and the check stays pending for good', async () => {
    const sha = 'e'.repeat(40);
    assert.deepEqual(await outageRace(sha), ['success', 'pending']);
  });
});
