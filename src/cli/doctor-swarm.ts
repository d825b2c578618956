import type Docker from 'dockerode';
import type { Pipeline } from '../core/pipeline.ts';
import { redactUrl } from '../core/redact-url.ts';
import { ensureManager } from '../schedulers/swarm/swarm-manager.ts';
import { fail, guarded, message, ok, type CheckResult } from './doctor-checks.ts';

/**
 * `slipway doctor`'s lines for the `swarm` scheduler: each engine a swarm block deploys through
 * (`swarm.host`, else DOCKER_HOST) is a manager of a swarm, asked the way a deploy asks it.
 */
export async function checkSwarms(pipelines: readonly Pipeline[], dockerHost: string | undefined, connect: (host: string | undefined) => Docker): Promise<CheckResult[]> {
  const hosts = new Set<string | undefined>();
  for (const t of pipelines.flatMap((p) => p.deploy).filter((t) => t.scheduler === 'swarm')) hosts.add((t.settings as { host?: string }).host);
  return Promise.all([...hosts].map((host) => {
    const label = host ? `${redactUrl(host)} (swarm.host)` : `${redactUrl(dockerHost ?? 'unix:///var/run/docker.sock')} (DOCKER_HOST)`;
    const name = `Swarm ${label}`;
    return guarded(name, async () => {
      try {
        await ensureManager(connect(host), label);
        return ok(name, 'a manager of its swarm');
      } catch (err) {
        return fail(name, message(err));
      }
    });
  }));
}
