import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type Docker from 'dockerode';
import { isSlipwayError } from '../../src/core/errors.ts';
import type { PreviewPorts } from '../../src/core/ports/preview-ports.ts';
import type { PortRange } from '../../src/core/preview.ts';
import { createDockerPreviews } from '../../src/schedulers/docker/docker-previews.ts';

/** Ports held in memory, as the Redis store holds them: lowest free first, one holder each. */
function memoryPorts(): PreviewPorts & { taken: Map<string, number> } {
  const taken = new Map<string, number>();
  return {
    taken,
    async take(holder: string, range: PortRange) {
      const mine = taken.get(holder);
      if (mine !== undefined) return mine;
      for (let port = range.first; port <= range.last; port++) {
        if (![...taken.values()].includes(port)) return taken.set(holder, port), port;
      }
      return undefined;
    },
    async free(holder: string) { taken.delete(holder); },
    async held(holder: string) { return taken.get(holder); },
  };
}

const noEngine = () => { throw new Error('prepare never touches the engine'); };
const place = (n: number) => ({ service: 'hello', environment: `pr-${n}`, settings: { ports: '4100-4101', health_path: '/index.html', env: { MODE: 'preview' } } });

describe('docker previews: placing a preview', () => {
  it('deploys each preview with the deploy block\'s keys and a port of its own, the same on every redeploy', async () => {
    const previews = createDockerPreviews(noEngine as never, memoryPorts());
    const one = await previews.prepare(place(1));
    assert.deepEqual(one, { settings: { health_path: '/index.html', env: { MODE: 'preview' }, port: 4100 }, port: 4100 });
    assert.equal((await previews.prepare(place(2))).port, 4101);
    assert.equal((await previews.prepare(place(1))).port, 4100);
  });

  it('refuses a preview once the range is used up, saying which range and what to do', async () => {
    const previews = createDockerPreviews(noEngine as never, memoryPorts());
    await previews.prepare(place(1));
    await previews.prepare(place(2));
    await assert.rejects(previews.prepare(place(3)), (err) =>
      isSlipwayError(err, 'SCHEDULER_REJECTED') && err.message === 'no free port for pr-3 of hello: other previews hold every port of docker.ports 4100-4101; close a pull request or widen the range');
  });

  it('removes the preview\'s containers and gives its port back, also when they are already gone', async () => {
    const removed: string[] = [];
    const engine = { getContainer: (name: string) => ({ remove: async () => { removed.push(name); } }) } as unknown as Docker;
    const ports = memoryPorts();
    const previews = createDockerPreviews(() => ({ docker: engine, label: 'test engine' }), ports);
    await previews.prepare(place(1));
    const lines: string[] = [];
    await previews.remove(place(1), { line: (l) => lines.push(l) });
    await previews.remove(place(1), { line: () => {} });
    assert.deepEqual(removed.slice(0, 3), ['slipway-hello-pr-1', 'slipway-hello-pr-1-previous', 'slipway-hello-pr-1-next']);
    assert.equal(ports.taken.size, 0);
    assert.match(lines.join('\n'), /Removed slipway-hello-pr-1 .* on test engine/);
  });
});
