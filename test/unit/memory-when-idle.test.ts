/**
 * The process gives back what a burst of short-lived objects grew, once it is idle: a real V8 heap
 * in a child process whose own memory reducer is off, so only giveBackMemoryWhenIdle can do it
 * (with the reducer on, V8 sometimes does it within 30 s, sometimes not at all: README "How fast").
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';

const CHILD = fileURLToPath(new URL('../fixtures/memory-burst/child.ts', import.meta.url));

describe('giving memory back when idle', () => {
  it('shrinks the young generation a burst grew, within a few checks of the process going idle', async () => {
    const child = spawn(process.execPath, ['--no-memory-reducer', '--import', 'tsx', CHILD], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (text: string) => (out += text));
    const giveUp = setTimeout(() => child.kill(), 40_000);
    const [code] = await once(child, 'exit');
    clearTimeout(giveUp);
    const grown = Number(/grown ([\d.]+)/.exec(out)?.[1]);
    assert.ok(grown >= 16, `the burst grew the young generation to 16 MB or more: ${out}`);
    assert.match(out, /shrunk [0-3]\.\d/, 'back under 4 MB within 40 s');
    assert.equal(code, 0);
  });
});
