/**
 * Every deploy is a GitHub deployment: signed pushes in, deployments and their statuses out
 * (emulated GitHub, which validates them as GitHub's REST reference does), on the real parts.
 * One harness, in order: a deploy, a second one that makes the first inactive, a failed rollout.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { RecordedDeployment } from '../emulators/github-deployments.ts';
import { type Harness, helloApp, pushNeverHealthy, startHarness } from './harness.ts';

const URL_KEY = 'https://hello.example.com';

describe('GitHub deployments for every deploy', { timeout: 400_000 }, () => {
  let h: Harness;
  let first: RecordedDeployment | undefined;
  before(async () => {
    h = await startHarness({ entry: `url: ${URL_KEY}`, deadlineSeconds: 10 });
  });
  after(async () => h?.close());

  const ofSha = (sha: string) => h.github.deployments.filter((d) => d.sha === sha);
  /** The statuses are posted a moment after the deploy record is final. */
  const settled = async (sha: string, state: string) => {
    await h.github.waitForDeployments(() => ofSha(sha).some((d) => d.statuses.at(-1)?.state === state), 10_000);
    return ofSha(sha);
  };

  it('a push that deploys creates one deployment: in_progress then success, with environment_url and the build page as log_url', async () => {
    const sha = h.repo.commit(helloApp('Hello, deployments'), 'First deployment');
    const res = await h.push(sha, 'First deployment');
    const build = await h.finished(res.body.queued[0].id);
    assert.deepEqual(build.deploys.map((d) => d.state), ['succeeded'], JSON.stringify(build.deploys));
    const deployments = await settled(sha, 'success');
    assert.equal(deployments.length, 1);
    first = deployments[0]!;
    assert.deepEqual([first.ref, first.environment, first.auto_merge, first.required_contexts], [sha, 'production', false, []]);
    assert.deepEqual(first.payload, { slipway: { service: h.service, build: build.id, deploy: build.deploys[0]!.id } });
    assert.deepEqual(first.statuses.map((s) => s.state), ['in_progress', 'success']);
    for (const s of first.statuses) {
      assert.equal(s.log_url, `http://slipway.test/builds/${build.id}`);
      assert.equal(s.environment_url, URL_KEY);
    }
    assert.deepEqual(h.github.rejected, []);
  });

  it('a second deploy to the environment marks the first deployment inactive', async () => {
    assert.ok(first, 'the first test deployed');
    const sha = h.repo.commit(helloApp('Hello, second deployment'), 'Second deployment');
    const build = await h.finished((await h.push(sha, 'Second deployment')).body.queued[0].id);
    assert.deepEqual(build.deploys.map((d) => d.state), ['succeeded']);
    const [second] = await settled(sha, 'success');
    assert.deepEqual(second!.statuses.map((s) => s.state), ['in_progress', 'success']);
    await h.github.waitForDeployments(() => first!.statuses.at(-1)?.state === 'inactive', 10_000);
    assert.deepEqual(first!.statuses.map((s) => s.state), ['in_progress', 'success', 'inactive']);
    assert.equal(h.github.deployments.length, 2);
  });

  it('a rollout that fails ends its deployment in failure and leaves the running one active', async () => {
    const { sha, build } = await pushNeverHealthy(h);
    assert.equal(build.deploys[0]?.state, 'rolled_back', build.deploys[0]?.detail);
    const [failed] = await settled(sha, 'failure');
    assert.deepEqual(failed!.statuses.map((s) => s.state), ['in_progress', 'failure']);
    const running = h.github.deployments[1]!;
    assert.equal(running.statuses.at(-1)?.state, 'success', 'the release still running stays active');
  });
});
