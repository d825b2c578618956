import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Build } from '../../src/core/build.ts';
import type { Running } from '../../workers/slipway.ts';
import { type CliServer, startCliServer } from '../support/cli-server.ts';
import { freePort } from '../support/free-port.ts';
import type { Seeder } from '../support/seed-builds.ts';
import { type CliResult, spawnSlipway } from '../support/slipway-cli.ts';
import { removeTempDirs } from '../support/temp-dir.ts';

const TOKEN = 'cli-reads-api-token';
const ESC = '\u001b';

/**
 * `slipway builds`, `logs`, `environments` and `releases` through the real binary (a process of
 * its own, piped, as a script runs it), once on Redis directly and once against a running server
 * with --server and the API token: the same answers either way.
 */
describe('slipway builds, logs, environments, releases (real binary, real Redis, a running server)', { timeout: 240_000 }, () => {
  let s: Running & { url: string };
  let cli: CliServer;
  let seed: Seeder;
  let direct: Record<string, string>;
  let cwd: string;
  const b: Record<string, Build> = {};
  const start = (args: string[], env: Record<string, string>) => spawnSlipway(env, args, { cwd, timeoutMs: 120_000 });
  const slipway = (...args: string[]): Promise<CliResult> => start(args, direct).output;
  const viaServer = (...args: string[]): Promise<CliResult> => start([...args, '--server', s.url], { SLIPWAY_API_TOKEN: TOKEN }).output;
  const both = async (...args: string[]) => {
    const [d, v] = await Promise.all([slipway(...args), viaServer(...args)]);
    assert.equal(d.code, 0, d.stderr);
    assert.equal(v.code, 0, v.stderr);
    return [d, v] as const;
  };

  before(async () => {
    cli = await startCliServer(TOKEN, { staging: 18090, production: 18091 });
    ({ server: s, seed, cwd } = cli);
    direct = cli.direct;
    b.v1 = await seed.build('web', { message: 'First version' });
    b.v2 = await seed.build('web', { message: `Second${ESC}]0;pwned\u0007 version\twith a tab`, author: 'grace' });
    b.broken = await seed.build('web', { state: 'failed', branch: 'feature/x', message: 'Break it' });
    await seed.release(b.v1!, 'staging');
    await seed.release(b.v1!, 'production', { requested: 'promote', from: 'staging' });
    await seed.release(b.v2!, 'staging');
    await seed.hold(b.v2!, 'production');
    await seed.log(b.broken!, ['[clone] Cloned', `[test] ${ESC}[31mFAIL${ESC}[0m page check`]);
  });
  after(async () => {
    await cli?.close();
    removeTempDirs();
  });

  it('builds --json answers the same on Redis and through the server, newest first, filtered', async () => {
    const [d, v] = await both('builds', '--json');
    assert.deepEqual(JSON.parse(d.stdout), JSON.parse(v.stdout));
    assert.deepEqual((JSON.parse(d.stdout) as { builds: Build[] }).builds.map((x) => x.id), [b.broken!.id, b.v2!.id, b.v1!.id]);
    const [failed] = await both('builds', '--state', 'failed', '--branch', 'feature/x', '--json');
    assert.deepEqual((JSON.parse(failed.stdout) as { builds: Build[] }).builds.map((x) => x.id), [b.broken!.id]);
    const [paged] = await both('builds', '--author', 'ada', '--limit', '1', '--json');
    assert.deepEqual(JSON.parse(paged.stdout), { builds: [JSON.parse(d.stdout).builds[0]], next: b.broken!.id });
  });

  it('builds piped is a plain aligned table: no colours, no tabs, no escape sequences from a commit message', async () => {
    const [d, v] = await both('builds', '--service', 'web');
    assert.equal(d.stdout, v.stdout);
    const lines = d.stdout.trimEnd().split('\n');
    assert.match(lines[0]!, /^BUILD {2}SERVICE {2}BRANCH +COMMIT +STATE +AUTHOR +STARTED +DEPLOYS +MESSAGE$/);
    assert.match(lines[2]!, new RegExp(`^${b.v2!.id} +web +main +${b.v2!.event.sha.slice(0, 7)} +passed 42s +grace +\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\dZ +staging:succeeded production:held +Second version {4}with a tab$`));
    assert.ok(!d.stdout.includes(ESC) && !d.stdout.includes('\t'), JSON.stringify(d.stdout));
    assert.equal(d.stderr, '', 'no log records, no warning about GITHUB_TOKEN');
  });

  it('environments shows what runs where, how it came and what waits, the same both ways', async () => {
    const [d, v] = await both('environments', '--json');
    assert.deepEqual(JSON.parse(d.stdout), JSON.parse(v.stdout));
    const [table] = await both('environments');
    const lines = table.stdout.trimEnd().split('\n');
    assert.match(lines[1]!, new RegExp(`^web +staging +${b.v2!.id} +${b.v2!.event.sha.slice(0, 7)} +main +sha256:[0-9a-f]{12} +\\S+ \\S+ +push$`));
    assert.match(lines[2]!, new RegExp(`^web +production +${b.v1!.id} .* promotion from staging +build ${b.v2!.id} \\(${b.v2!.event.sha.slice(0, 7)}, main\\) since `));
    assert.equal(table.stderr, '');
  });

  it('releases --json answers the same both ways, and prints no log JSON (no GITHUB_TOKEN set)', async () => {
    const [d, v] = await both('releases', 'web', 'staging', '--json');
    assert.deepEqual(JSON.parse(d.stdout), JSON.parse(v.stdout));
    assert.deepEqual((JSON.parse(d.stdout) as { releases: { buildId: string }[] }).releases.map((r) => r.buildId), [b.v2!.id, b.v1!.id]);
    const plain = await slipway('releases', 'web', 'staging');
    assert.equal(plain.code, 0);
    assert.equal(plain.stderr, '');
    const unknown = await viaServer('releases', 'web', 'nowhere');
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /^slipway: web does not deploy to "nowhere"/);
  });

  it('rollback prints no log JSON on stderr: plain "slipway:" lines only', async () => {
    const r = await slipway('rollback', 'web', 'production');
    assert.equal(r.code, 1, r.stderr);
    const lines = r.stderr.trimEnd().split('\n');
    assert.ok(lines.every((l) => l.startsWith('slipway: ')), r.stderr);
    assert.match(r.stderr, /no earlier release in production to roll back to/);
  });

  it('logs prints the log without escape sequences when piped; an unknown build is exit 2', async () => {
    const [d, v] = await both('logs', b.broken!.id);
    assert.equal(d.stdout, v.stdout);
    assert.equal(d.stdout, '[clone] Cloned\n[test] FAIL page check\n');
    for (const run of await Promise.all([slipway('logs', '999999'), viaServer('logs', '999999')])) {
      assert.equal(run.code, 2);
      assert.match(run.stderr, /^slipway: no build 999999\n$/);
    }
  });

  for (const [mode, outcome, code] of [['directly', 'passed', 0], ['through the server', 'failed', 1]] as const) {
    it(`logs -f ${mode} follows a running build until it ends ${outcome}, exiting ${code}`, async () => {
      const running = await seed.build('web', { state: 'running', message: `follow ${mode}` });
      await seed.log(running, ['[clone] Cloned']);
      const args = ['logs', running.id, '-f'];
      const child = mode === 'directly' ? start(args, direct) : start([...args, '--server', s.url], { SLIPWAY_API_TOKEN: TOKEN });
      const until = Date.now() + 60_000;
      while (!child.stdout().includes('[clone] Cloned')) {
        assert.ok(Date.now() < until, 'the first line was not printed within 60 s');
        await new Promise((r) => setTimeout(r, 100));
      }
      await seed.log(running, ['[build] Built', '[push] Pushed']);
      await seed.finish(running, outcome);
      const r = await child.output;
      assert.equal(r.code, code, r.stderr);
      assert.equal(r.stdout, '[clone] Cloned\n[build] Built\n[push] Pushed\n');
      assert.match(r.stderr, new RegExp(`^build ${running.id} ${outcome} in \\d+s\\n$`));
    });
  }

  it('--server with a wrong token, or no server there, is exit 1 with one line saying so', async () => {
    const wrong = await start(['builds', '--server', s.url], { SLIPWAY_API_TOKEN: 'wrong' }).output;
    assert.equal(wrong.code, 1);
    assert.equal(wrong.stderr, `slipway: the server at ${s.url} refused the request: SLIPWAY_API_TOKEN is not its API token\n`);
    const none = await start(['environments', '--server', `http://127.0.0.1:${await freePort()}`], {}).output;
    assert.equal(none.code, 1);
    assert.match(none.stderr, /^slipway: cannot reach the server at http:\/\/127\.0\.0\.1:\d+: ECONNREFUSED\n$/);
  });

  it('a wrong command line is exit 2 with the usage', async () => {
    const runs = await Promise.all([['builds', '--state', 'green'], ['logs', 'abc'], ['environments', 'extra']].map(async (args) => [args, await slipway(...args)] as const));
    for (const [args, r] of runs) {
      assert.equal(r.code, 2, args.join(' '));
      assert.match(r.stderr, /^slipway: /);
    }
  });
});
