import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Build } from '../../src/core/build.ts';
import type { EnvironmentStatus } from '../../src/pipeline/environments-overview.ts';
import { outcomeCode, outcomeLine } from '../../src/cli/build-outcome.ts';
import { buildsTable } from '../../src/cli/builds-table.ts';
import { environmentsTable } from '../../src/cli/environments-table.ts';
import { COMMAND_HELP } from '../../src/cli/command-help.ts';
import { humanLogDestination } from '../../src/cli/human-log.ts';
import { progressLine } from '../../src/cli/progress-line.ts';
import { PLAIN, styleFor, terminalSafe, type TerminalStyle } from '../../src/cli/terminal-style.ts';
import { textTable } from '../../src/cli/text-table.ts';
import { age, isoTime } from '../../src/cli/time-text.ts';

const NOW = Date.UTC(2026, 11, 7, 14, 0, 0);
const TTY: TerminalStyle = { tty: true, colour: true, width: 60 };
const ESC = '\u001b';

function build(over: Partial<Build> = {}): Build {
  return {
    id: '12',
    service: 'hello',
    event: { kind: 'push', deliveryId: 'd', repository: 'acme/hello', cloneUrl: 'file:///x', sha: '1a2b3c4d5e'.padEnd(40, '0'), branch: 'main', message: 'Make the page friendlier\n\nbody', author: 'ada' },
    state: 'passed',
    stages: [],
    deploys: [{ id: '3', environment: 'staging', scheduler: 'docker', state: 'succeeded' }],
    createdAt: NOW - 120_000,
    startedAt: NOW - 100_000,
    finishedAt: NOW - 35_000,
    ...over,
  };
}

describe('CLI tables: aligned on a terminal, plain when piped', () => {
  it('aligns columns with two spaces and no tabs, header first, piped without colour or cuts', () => {
    const out = textTable(['ID', 'NAME'], [['1', 'a long name that is not cut'], ['200', 'b']], PLAIN);
    assert.equal(out, 'ID   NAME\n1    a long name that is not cut\n200  b\n');
  });

  it('on a terminal cuts the flexible column to the width with an ellipsis and colours cells', () => {
    const out = textTable(['ID', 'MESSAGE'], [[{ text: '1', colour: 'green' }, 'x'.repeat(100)]], { tty: true, colour: true, width: 30 });
    const [header, row] = out.split('\n');
    assert.equal(header, `${ESC}[1mID${ESC}[22m  ${ESC}[1mMESSAGE${ESC}[22m`);
    assert.equal(row, `${ESC}[32m1${ESC}[39m   ${'x'.repeat(25)}…`);
  });

  it('colours nothing when the terminal has NO_COLOR, and nothing when piped', () => {
    assert.deepEqual(styleFor({ isTTY: true, columns: 80 }, { NO_COLOR: '1' }), { tty: true, colour: false, width: 80 });
    assert.deepEqual(styleFor({ isTTY: false }, {}), { tty: false, colour: false, width: undefined });
    assert.deepEqual(styleFor({ isTTY: true, columns: 80 }, {}), { tty: true, colour: true, width: 80 });
  });

  it('removes escape sequences and control characters a commit message or log line may carry', () => {
    assert.equal(terminalSafe(`fix${ESC}]0;pwned${'\u0007'} it${ESC}[2J\r\tnow\u0000`), 'fix it    now');
    assert.equal(terminalSafe(`${ESC}[31mred${ESC}[0m${ESC}[2K`, true), `${ESC}[31mred${ESC}[0m`);
    assert.equal(terminalSafe(`${ESC}[31mred${ESC}[0m`, false), 'red');
    const table = textTable(['MESSAGE'], [[`evil${ESC}[1A\ttab`]], PLAIN);
    assert.ok(!table.includes(ESC) && !table.includes('\t'), JSON.stringify(table));
  });

  it('times are ages on a terminal and ISO times when piped', () => {
    assert.equal(isoTime(NOW), '2026-12-07 14:00:00Z');
    assert.deepEqual([age(NOW - 5_000, NOW), age(NOW - 300_000, NOW), age(NOW - 7_200_000, NOW), age(NOW - 3 * 86_400_000, NOW)], ['5s ago', '5m ago', '2h ago', '3d ago']);
  });
});

describe('slipway builds table', () => {
  it('piped: every column whole, the first line of the message, state with duration, latest deploy per environment', () => {
    const b = build({ deploys: [{ id: '3', environment: 'production', scheduler: 'docker', state: 'failed' }, { id: '4', environment: 'production', scheduler: 'docker', state: 'succeeded' }] });
    assert.equal(
      buildsTable([b], PLAIN, NOW),
      'BUILD  SERVICE  BRANCH  COMMIT   STATE          AUTHOR  STARTED               DEPLOYS               MESSAGE\n' +
        '12     hello    main    1a2b3c4  passed 1m 05s  ada     2026-12-07 13:58:20Z  production:succeeded  Make the page friendlier\n',
    );
  });

  it('on a terminal: the state coloured, ages, fitted to the width', () => {
    const out = buildsTable([build({ state: 'failed' })], { ...TTY, width: 110 }, NOW);
    assert.match(out, new RegExp(`${ESC}\\[31mfailed 1m 05s${ESC}\\[39m`));
    assert.match(out, /1m ago/);
    for (const line of out.replace(/\u001b\[[0-9;]*m/g, '').trimEnd().split('\n')) assert.ok([...line].length <= 110, line);
  });
});

describe('slipway environments table', () => {
  const cell = (over: Partial<EnvironmentStatus>): EnvironmentStatus => ({ service: 'hello', environment: 'production', defined: true, branches: ['main'], ...over });
  it('what runs (digest cut to 12 hex, how it came) and what waits, piped', () => {
    const out = environmentsTable(
      [
        cell({ environment: 'staging', running: { buildId: '7', sha: 'abcdef1234'.padEnd(40, '0'), branch: 'main', image: 'r/hello@sha256:' + 'f'.repeat(64), digest: 'sha256:' + 'f'.repeat(64), since: NOW - 60_000, cause: 'push' } }),
        cell({ running: { buildId: '5', sha: '1234567abc'.padEnd(40, '0'), branch: 'main', image: 'r/hello@sha256:' + 'e'.repeat(64), digest: 'sha256:' + 'e'.repeat(64), since: NOW, cause: 'promotion', from: 'staging' }, waiting: { buildId: '8', deployId: '9', sha: '9999999aaa'.padEnd(40, '0'), repository: 'acme/hello', branch: 'release/2', since: NOW } }),
        cell({ environment: 'pr-7', defined: false }),
      ],
      PLAIN,
      NOW,
    );
    const lines = out.trimEnd().split('\n');
    assert.match(lines[0]!, /^SERVICE {2}ENVIRONMENT +BUILD +COMMIT +BRANCH +DIGEST +SINCE +HOW +WAITING FOR APPROVAL$/);
    assert.match(lines[1]!, /^hello +staging +7 +abcdef1 +main +sha256:ffffffffffff +2026-12-07 13:59:00Z +push$/);
    assert.match(lines[2]!, /^hello +production +5 +1234567 +main +sha256:eeeeeeeeeeee +2026-12-07 14:00:00Z +promotion from staging +build 8 \(9999999, release\/2\) since 2026-12-07 14:00:00Z$/);
    assert.match(lines[3]!, /^hello +pr-7 \(no pipeline entry\) +nothing released$/);
  });
});

describe('slipway logs -f exit code', () => {
  const cases: [string, Partial<Build>, 0 | 1][] = [
    ['passed, deployed', {}, 0],
    ['passed, waiting for approval', { deploys: [{ id: '1', environment: 'production', scheduler: 'docker', state: 'held' }] }, 0],
    ['skipped', { state: 'skipped', deploys: [] }, 0],
    ['failed', { state: 'failed', deploys: [] }, 1],
    ['error', { state: 'error', deploys: [] }, 1],
    ['cancelled', { state: 'cancelled', deploys: [] }, 1],
    ['passed, deploy rolled back', { deploys: [{ id: '1', environment: 'production', scheduler: 'docker', state: 'rolled_back' }] }, 1],
    ['passed, a failed deploy redeployed since', { deploys: [{ id: '1', environment: 'production', scheduler: 'docker', state: 'failed' }, { id: '2', environment: 'production', scheduler: 'docker', state: 'succeeded' }] }, 0],
  ];
  for (const [name, over, code] of cases) it(`${name}: ${code}`, () => assert.equal(outcomeCode(build(over)), code));

  it('says the outcome in one line', () => {
    assert.equal(outcomeLine(build({ deploys: [{ id: '1', environment: 'production', scheduler: 'docker', state: 'held' }] })), 'build 12 passed in 1m 05s; production waiting for approval');
  });
});

describe('a command\'s operator log on stderr', () => {
  it('is one plain line per entry, never JSON', () => {
    const lines: string[] = [];
    const dest = humanLogDestination((t) => lines.push(t));
    dest.write(`${JSON.stringify({ level: 40, time: 1, name: 'slipway', msg: 'GITHUB_TOKEN is not set: commit statuses will not be posted' })}\n`);
    dest.write(`${JSON.stringify({ level: 50, msg: 'could not post', err: { message: 'socket hang up', stack: 'x' } })}\n`);
    assert.deepEqual(lines, ['slipway: warning: GITHUB_TOKEN is not set: commit statuses will not be posted\n', 'slipway: error: could not post: socket hang up\n']);
  });
});

describe('progress while waiting', () => {
  it('is one line rewritten in place on a terminal, and cleared', () => {
    const written: string[] = [];
    const line = progressLine({ isTTY: true, write: (t: string) => written.push(t) });
    line.show('build 3 running test (12s)');
    line.clear();
    line.clear();
    assert.deepEqual(written, [`\r${ESC}[2K⠙ build 3 running test (12s)`, `\r${ESC}[2K`]);
  });

  it('is nothing when not a terminal', () => {
    const written: string[] = [];
    const line = progressLine({ isTTY: false, write: (t: string) => written.push(t) });
    line.show('build 3 running');
    line.clear();
    assert.deepEqual(written, []);
  });
});

describe('slipway <command> --help', () => {
  const COMMANDS = ['all', 'server', 'worker', 'check', 'doctor', 'builds', 'logs', 'environments', 'releases', 'deploy', 'promote', 'approve', 'rollback', 'cancel', 'rerun'];
  for (const command of COMMANDS) {
    it(`${command}: its usage, an example and its exit codes`, () => {
      const help = COMMAND_HELP[command] ?? '';
      assert.match(help, new RegExp(`^Usage: slipway ${command}\\b`));
      assert.match(help, new RegExp(`\\nExample:\\n {2}(npx )?slipway ${command}\\b`));
      assert.match(help, /\nExit codes: 0 /);
    });
  }

  for (const command of ['builds', 'logs', 'environments', 'releases']) {
    it(`${command}: usage, where it reads (Redis or --server with SLIPWAY_API_TOKEN), an example, exit codes`, () => {
      const help = COMMAND_HELP[command] ?? '';
      assert.match(help, new RegExp(`^Usage: slipway ${command} `));
      for (const part of ['--server <url>', 'SLIPWAY_API_TOKEN', 'Redis', `\nExample:\n  slipway ${command}`, '\nExit codes: 0 ']) assert.ok(help.includes(part), `${command} --help lacks ${part}`);
    });
  }

  for (const command of ['deploy', 'promote', 'approve', 'rollback', 'cancel', 'rerun']) {
    it(`${command}: where it acts and reads the rollout (Redis, or --server with SLIPWAY_API_TOKEN) and its API route`, () => {
      const help = COMMAND_HELP[command] ?? '';
      assert.match(help, new RegExp(`^Usage: slipway ${command} .*\\[--server <url>\\]\n`));
      for (const part of ['Where it acts: without --server, on Redis', 'SLIPWAY_API_TOKEN', 'the rollout is read from Redis', 'GET /api/builds/:id', 'POST /api/']) assert.ok(help.includes(part), `${command} --help lacks ${part}`);
    });
  }
});
