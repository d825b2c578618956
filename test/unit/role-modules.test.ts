import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));

/**
 * The npm packages a fresh Node process loads when it imports `modules` (paths from the repository
 * root), named from every URL the module loader resolves (a resolve hook chained after tsx's).
 */
function packagesLoadedBy(...modules: string[]): Set<string> {
  const hook = `data:text/javascript,${encodeURIComponent(
    // 'flush' is answered after every URL posted before it (one port keeps its messages in order)
    "let port; export function initialize(data) { port = data.port; port.on('message', () => port.postMessage('flushed')); } export async function resolve(s, c, next) { const r = await next(s, c); port.postMessage(r.url); return r; }",
  )}`;
  const script = `
    import { register } from 'node:module';
    import { MessageChannel } from 'node:worker_threads';
    const { port1, port2 } = new MessageChannel();
    const seen = new Set();
    port1.on('message', (url) => { const m = /node_modules\\/((?:@[^/]+\\/)?[^/]+)\\//.exec(url); if (m) seen.add(m[1]); });
    register(${JSON.stringify(hook)}, { data: { port: port2 }, transferList: [port2] });
    for (const m of ${JSON.stringify(modules)}) await import(new URL(m, 'file://${root}'));
    await new Promise((flushed) => { port1.on('message', (m) => m === 'flushed' && flushed()); port1.postMessage('flush'); });
    port1.close();
    process.stdout.write(JSON.stringify([...seen]));`;
  const out = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: root, encoding: 'utf8', timeout: 60_000 });
  return new Set(JSON.parse(out) as string[]);
}

describe('what a role loads at start', () => {
  it('`slipway server` loads neither express, prom-client, Octokit, Bull Board nor the worker’s libraries until a request needs them', () => {
    const loaded = packagesLoadedBy('workers/slipway.ts', 'workers/server.ts');
    assert.ok(loaded.has('bullmq') && loaded.has('ioredis'), `the probe saw the server's own libraries: ${[...loaded].join(', ')}`);
    for (const later of ['express', 'prom-client', '@octokit/rest', '@bull-board/api', 'dockerode', 'simple-git', '@aws-sdk/client-ecr']) {
      assert.ok(!loaded.has(later), `${later} is loaded at start`);
    }
  });
});
