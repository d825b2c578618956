/**
 * `npm run up` under a supervisor that signals only npm (not its process group): SIGTERM or SIGINT
 * sent to the npm process alone stops Slipway and the local services `up` started, and nothing of
 * the run is left. The two signals run side by side, each with its own state folder, services root
 * and ports.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readdirSync } from 'node:fs';
import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, describe, it } from 'node:test';
import { freePort } from '../support/free-port.ts';
import { makeTempDir, removeTempDirs } from '../support/temp-dir.ts';
import { until } from '../support/until.ts';

const repo = new URL('../../', import.meta.url).pathname;
after(removeTempDirs);

const listening = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });

const groupAlive = (pgid: number) => {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
};

async function upThenSignal(signal: NodeJS.Signals) {
  const [port, redisPort, registryPort] = [await freePort(), await freePort(), await freePort()];
  // The state folder and the services' root are this test's, removed after it.
  const root = makeTempDir('slipway-local-');
  const env = { ...process.env, SLIPWAY_UP_DIR: makeTempDir('slipway-up-'), SLIPWAY_LOCAL_ROOT: root, PORT: String(port), SLIPWAY_LOCAL_REDIS_PORT: String(redisPort), SLIPWAY_LOCAL_REGISTRY_PORT: String(registryPort) };
  // Its own process group, as under a supervisor: the signal reaches npm only, never its children directly.
  const npm = spawn('npm', ['run', 'up'], { cwd: repo, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  npm.stdout.on('data', (c: Buffer) => (output += c.toString()));
  npm.stderr.on('data', (c: Buffer) => (output += c.toString()));
  const exited = once(npm, 'exit');
  try {
    await until('Slipway to answer /healthz', async () => (await fetch(`http://127.0.0.1:${port}/healthz`).catch(() => undefined))?.status === 200, 150_000);
    assert.ok(await listening(redisPort), 'Redis runs');
    npm.kill(signal);
    await Promise.race([exited, sleep(60_000, undefined, { ref: false }).then(() => { throw new Error(`npm did not exit within 60 s of ${signal}`); })]);
    await until('Slipway, Redis and the registry to stop', async () => !(await listening(port)) && !(await listening(redisPort)) && !(await listening(registryPort)), 60_000);
    await until('every process of the run to end', async () => !groupAlive(npm.pid!), 30_000);
    assert.match(output, /services stopped/);
    assert.ok(readdirSync(root).includes('redis.log'), `the services kept their files under ${root}, the root the test gave`);
  } catch (err) {
    // Leave nothing behind: the whole group gets the signal (up stops its services), then SIGKILL.
    if (groupAlive(npm.pid!)) process.kill(-npm.pid!, 'SIGTERM');
    await until('the run to stop after SIGTERM to its group', async () => !groupAlive(npm.pid!), 30_000).catch(() => groupAlive(npm.pid!) && process.kill(-npm.pid!, 'SIGKILL'));
    throw new Error(`${(err as Error).message}\n--- npm run up said:\n${output.slice(-3000)}`);
  }
}

describe('npm run up, stopped through npm alone', { timeout: 240_000 }, () => {
  it('stops everything it started on SIGTERM and on SIGINT of the npm process', async () => {
    await Promise.all([upThenSignal('SIGTERM'), upThenSignal('SIGINT')]);
  });
});
