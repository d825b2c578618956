import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import type { Build } from '../../src/core/build.ts';
import type { Running } from '../../workers/slipway.ts';
import { type CliServer, startCliServer } from '../support/cli-server.ts';
import type { Seeder } from '../support/seed-builds.ts';
import { type CliResult, spawnSlipway } from '../support/slipway-cli.ts';
import { removeTempDirs } from '../support/temp-dir.ts';

const TOKEN = 'cli-actions-api-token';

/**
 * `slipway deploy`, `approve` and `cancel` through the real binary with --server and the API token,
 * against a running server (no worker: the test plays the worker's part where a rollout must end):
 * what was queued, the rollout read from the API, the server's refusals (409) as exit codes.
 */
describe('slipway deploy, approve, cancel --server (real binary, real Redis, a running server)', { timeout: 120_000 }, () => {
  let s: Running & { url: string };
  let cli: CliServer;
  let seed: Seeder;
  let cwd: string;
  const b: Record<string, Build> = {};
  const start = (...args: string[]) => spawnSlipway({ SLIPWAY_API_TOKEN: TOKEN }, [...args, '--server', s.url], { cwd, timeoutMs: 90_000 });
  const viaServer = (...args: string[]): Promise<CliResult> => start(...args).output;

  before(async () => {
    cli = await startCliServer(TOKEN, { staging: 18092, production: 18093 });
    ({ server: s, seed, cwd } = cli);
    b.v1 = await seed.build('web', { message: 'First version' });
    b.v2 = await seed.build('web', { message: 'Second version' });
    b.queued = await seed.build('web', { state: 'queued', message: 'Still queued' });
    await seed.release(b.v1!, 'staging');
    await seed.hold(b.v2!, 'production');
    await seed.log(b.v2!, ['[staging] a line from before the deploy']);
  });
  after(async () => {
    await cli?.close();
    removeTempDirs();
  });

  it('deploy --server queues through the API and follows the rollout from the API until it ends: exit 0', async () => {
    const run = start('deploy', 'web', 'staging', '--build', b.v2!.id);
    const until = Date.now() + 60_000;
    while (!run.stdout().includes('Build page:') && Date.now() < until) await sleep(100);
    assert.match(run.stdout(), new RegExp(`^Deploying web build ${b.v2!.id} \\(${b.v2!.event.sha.slice(0, 7)}, branch main\\) to staging: 127\\.0\\.0\\.1:5000/web@${b.v2!.image!.digest}\\n`));
    assert.match(run.stdout(), new RegExp(`\\n {2}Running there now: build ${b.v1!.id} \\(${b.v1!.event.sha.slice(0, 7)}\\)\\.\\n`));
    await seed.endDeploy(b.v2!, 'staging', 'succeeded', ['[staging] Deploying with docker', '[production] not this environment', '[staging] healthy after 1.2 s']);
    const r = await run.output;
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /\n {2}\[staging\] Deploying with docker\n {2}\[staging\] healthy after 1\.2 s\n/);
    assert.doesNotMatch(r.stdout, /a line from before|not this environment/);
    assert.match(r.stdout, new RegExp(`\\nDeployed web ${b.v2!.event.sha.slice(0, 7)} \\(build ${b.v2!.id}\\) to staging\\.\\n$`));
  });

  it('approve --server lets the held deploy go; then nothing waits (409: exit 1), an unknown environment exit 2', async () => {
    const ok = await viaServer('approve', 'web', 'production', '--no-wait');
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, new RegExp(`^Approved: deploying web build ${b.v2!.id} .* to production: .*\\n[^]*\\nQueued as deploy \\d+; not waiting \\(--no-wait\\)\\.\\n$`));
    const [again, unknown] = await Promise.all([viaServer('approve', 'web', 'production', '--no-wait'), viaServer('approve', 'web', 'moon', '--no-wait')]);
    assert.equal(again.code, 1, again.stderr);
    assert.equal(again.stderr, 'slipway: nothing waits for approval in production of web\n');
    assert.equal(unknown.code, 2, unknown.stderr);
    assert.match(unknown.stderr, /^slipway: .*moon.*\n$/);
  });

  it('cancel --server ends a queued build; an ended one is exit 1 with the reason, an unknown one exit 2, a wrong token exit 1', async () => {
    const ok = await viaServer('cancel', b.queued!.id);
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, new RegExp(`^Cancelled build ${b.queued!.id} \\(web, push to main at [0-9a-f]{7}\\): .*\\n {2}${s.url}/builds/${b.queued!.id}\\n$`));
    const [again, unknown, wrongToken] = await Promise.all([
      viaServer('cancel', b.queued!.id),
      viaServer('cancel', '999999'),
      spawnSlipway({ SLIPWAY_API_TOKEN: 'not-the-token' }, ['cancel', b.v1!.id, '--server', s.url], { cwd }).output,
    ]);
    assert.equal(again.code, 1, again.stderr);
    assert.match(again.stderr, new RegExp(`^slipway: build ${b.queued!.id} already ended cancelled .*; nothing to cancel\\n$`));
    assert.equal(unknown.code, 2, unknown.stderr);
    assert.match(unknown.stderr, /^slipway: no build 999999\n$/);
    assert.equal(wrongToken.code, 1, wrongToken.stderr);
    assert.match(wrongToken.stderr, /^slipway: the server at .* refused the request: SLIPWAY_API_TOKEN is not its API token\n$/);
  });
});
