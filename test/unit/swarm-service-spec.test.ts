import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type Docker from 'dockerode';
import type { Release } from '../../src/core/ports/scheduler.ts';
import { serviceSpec, type SpecFacts } from '../../src/schedulers/swarm/service-spec.ts';
import { SwarmSettingsSchema } from '../../src/schedulers/swarm/settings.ts';

const release = (settings: Record<string, unknown>): Release => ({
  service: 'hello',
  environment: 'production',
  image: { repository: 'registry.example.com/acme/hello', tag: 'git-59b20b8', digest: `sha256:${'ab'.repeat(32)}` },
  sha: '59b20b8d5c5ff8f9ffb59cb2a1b8a1c0a0e3d7f1',
  buildId: '42',
  settings,
});

function spec(block: Record<string, unknown>, order: SpecFacts['order'] = 'stop-first'): Docker.ServiceSpec {
  return serviceSpec({ release: release(block), settings: SwarmSettingsSchema.parse(block), health: { by: 'slipway' }, order });
}

const task = (s: Docker.ServiceSpec) => s.TaskTemplate as Docker.ContainerTaskSpec & { Placement: Record<string, unknown> };

describe('swarm service spec', () => {
  it('pins the digest, sets PORT, runs on the host network and rolls back on the first failure', () => {
    const s = spec({ port: 8080, env: { GREETING: 'hi' } });
    assert.equal(s.Name, 'hello-production');
    assert.equal(task(s).ContainerSpec?.Image, `registry.example.com/acme/hello:git-59b20b8@sha256:${'ab'.repeat(32)}`);
    assert.deepEqual(task(s).ContainerSpec?.Env?.sort(), ['GREETING=hi', 'PORT=8080']);
    assert.deepEqual(task(s).Networks, [{ Target: 'host' }]);
    assert.equal(s.UpdateConfig?.FailureAction, 'rollback');
    assert.equal(s.UpdateConfig?.MaxFailureRatio, 0);
    assert.equal(s.UpdateConfig?.Order, 'stop-first');
  });

  it('keeps two tasks off one node when there are several, or when the new one starts first', () => {
    assert.deepEqual(task(spec({ port: 8080, replicas: 2 })).Placement, { MaxReplicas: 1 });
    assert.deepEqual(task(spec({ port: 8080 }, 'start-first')).Placement, { MaxReplicas: 1 });
  });

  it('sets no per-node limit for one task stopped before its successor starts (the limit would stall a rollback for a minute)', () => {
    assert.deepEqual(task(spec({ port: 8080 })).Placement, {});
  });
});
