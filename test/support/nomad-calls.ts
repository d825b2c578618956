/**
 * Raw calls to the Nomad emulator for its tests (test/emulators/nomad-*.test.ts): a service job in
 * Nomad's JSON form, fetch with the status and plain-text body Nomad answers, and bounded waits.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { PushedImage } from '../../src/core/image.ts';

export const S = 1_000_000_000;

export interface JobOptions {
  id?: string; count?: number; canary?: number; autoPromote?: boolean; autoRevert?: boolean; minHealthy?: number; healthyDeadline?: number;
  progressDeadline?: number; memory?: number; datacenters?: string[]; meta?: Record<string, string>;
}


/** A service job in Nomad's JSON form, like the reference's example: one group, one docker task, an HTTP check. */
export function job(image: string, o: JobOptions = {}) {
  const id = o.id ?? 'web';
  return {
    Job: {
      ID: id, Name: id, Type: 'service', Datacenters: o.datacenters ?? ['dc1'], Meta: o.meta ?? { git_sha: image.slice(-7) },
      TaskGroups: [{
        Name: 'web', Count: o.count ?? 1,
        Networks: [{ Mode: 'host', ReservedPorts: [{ Label: 'http', Value: 8080 }] }],
        Services: [{ Name: 'web', PortLabel: 'http', Provider: 'nomad', Checks: [{ Name: 'alive', Type: 'http', Path: '/index.html', Interval: 1 * S, Timeout: 1 * S }] }],
        Update: {
          MaxParallel: 1, HealthCheck: 'checks', MinHealthyTime: (o.minHealthy ?? 1) * S, HealthyDeadline: (o.healthyDeadline ?? 5) * S,
          ProgressDeadline: (o.progressDeadline ?? 30) * S, AutoRevert: o.autoRevert ?? true, Canary: o.canary ?? 0, AutoPromote: o.autoPromote ?? false,
        },
        Tasks: [{ Name: 'web', Driver: 'docker', Env: { PORT: '8080' }, Config: { image, network_mode: 'host' }, Resources: { CPU: 100, MemoryMB: o.memory ?? 64 } }],
      }],
    },
  };
}

export const pinned = (image: PushedImage) => `${image.repository}@${image.digest}`;

/** Calls to the emulator at `baseUrl()` (read at each call: the emulator starts in a `before`). */
export function nomadCalls(baseUrl: () => string) {
  const call = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
    const res = await fetch(`${baseUrl()}${path}`, {
      method, headers: { 'content-type': 'application/json', ...headers }, body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await res.text();
    let json: any;
    try { json = JSON.parse(text); } catch { json = undefined; }
    return { status: res.status, text, json, type: res.headers.get('content-type') ?? '', index: res.headers.get('x-nomad-index') };
  };
  const until = async <T>(what: string, get: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 30_000): Promise<T> => {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const v = await get();
      if (ok(v)) return v;
      if (Date.now() > end) throw new Error(`${what}: still ${JSON.stringify(v)}`);
      await sleep(100);
    }
  };
  const deployment = (id: string) => call('GET', `/v1/deployment/${id}`).then((r) => r.json);
  const settled = (id: string) => until(`deployment ${id}`, () => deployment(id), (d) => d.Status !== 'running', 60_000);
  return { call, until, deployment, settled };
}
