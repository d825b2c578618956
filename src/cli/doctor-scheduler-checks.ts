import { DescribeClustersCommand, ECSClient } from '@aws-sdk/client-ecs';
import type Docker from 'dockerode';
import type { Config } from '../config/config.ts';
import type { Pipeline } from '../core/pipeline.ts';
import { fleetMessage, fleetRequest, fleetTarget } from '../schedulers/fleet/fleet-http.ts';
import { fail, guarded, message, ok, TIMEOUT_MS, type CheckResult } from './doctor-checks.ts';

/* `slipway doctor`'s lines for the schedulers the pipelines use (the others: doctor-checks.ts). */

/** Nomad's agent answers /v1/agent/self with the configured token. */
export function checkNomad(config: Config): Promise<CheckResult> {
  const name = 'Nomad';
  const base = config.nomad.addr.replace(/\/+$/, '');
  return guarded(name, async () => {
    let res: Response;
    try {
      res = await fetch(`${base}/v1/agent/self`, {
        headers: config.nomad.token ? { 'X-Nomad-Token': config.nomad.token } : {},
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
    } catch (err) {
      const cause = (err as { cause?: { code?: string; message?: string } }).cause;
      return fail(name, `cannot reach ${base} (NOMAD_ADDR): ${cause?.code ?? cause?.message ?? message(err)}; start the agent or fix NOMAD_ADDR`);
    }
    const text = await res.text();
    if (res.status === 403) return fail(name, `${base} refuses NOMAD_TOKEN (403): give it a policy that can read the agent and submit jobs in ${config.nomad.namespace}`);
    if (!res.ok) return fail(name, `${base}/v1/agent/self answered ${res.status}: ${text.trim().slice(0, 200)}`);
    let version = 'unknown version';
    try {
      const body = JSON.parse(text) as { config?: { Version?: { Version?: string } | string } };
      const v = body.config?.Version;
      version = typeof v === 'string' ? v : (v?.Version ?? version);
    } catch {
      return fail(name, `${base}/v1/agent/self did not answer JSON: is NOMAD_ADDR a Nomad agent?`);
    }
    return ok(name, `${base}, Nomad ${version}`);
  });
}

/** fleet answers /fleet/v1/machines. */
export function checkFleet(config: Config): Promise<CheckResult> {
  const name = 'fleet';
  return guarded(name, async () => {
    const target = fleetTarget(config.fleet.endpoint);
    try {
      const res = await fleetRequest(target, 'GET', 'machines', undefined, TIMEOUT_MS);
      if (res.status !== 200) return fail(name, `${config.fleet.endpoint} (FLEETCTL_ENDPOINT): machines answered ${res.status}: ${fleetMessage(res)}`);
      const machines = (res.body as { machines?: unknown[] } | undefined)?.machines ?? [];
      return ok(name, `${config.fleet.endpoint}, ${machines.length} machine(s)`);
    } catch (err) {
      return fail(name, `cannot reach ${config.fleet.endpoint} (FLEETCTL_ENDPOINT): ${message(err)}`);
    }
  });
}

/** Each ECS cluster a pipeline deploys to exists and is ACTIVE, with the SDK's credential chain. */
export function checkEcs(config: Config, clusters: readonly string[]): Promise<CheckResult> {
  const name = 'ECS';
  return guarded(name, async () => {
    const client = new ECSClient({ ...(config.aws.region ? { region: config.aws.region } : {}), ...(config.aws.ecsEndpoint ? { endpoint: config.aws.ecsEndpoint } : {}), maxAttempts: 1 });
    try {
      const answer = await client.send(new DescribeClustersCommand({ clusters: [...clusters] }));
      const problems = [
        ...(answer.failures ?? []).map((f) => `${f.arn ?? '?'}: ${f.reason ?? 'failure'}`),
        ...(answer.clusters ?? []).filter((c) => c.status !== 'ACTIVE').map((c) => `${c.clusterName}: ${c.status}`),
      ];
      if (problems.length) return fail(name, `clusters ${problems.join(', ')}: create them or fix the pipelines' ecs.cluster`);
      return ok(name, `cluster(s) ${clusters.join(', ')} ACTIVE`);
    } catch (err) {
      return fail(name, `DescribeClusters failed: ${message(err)}; check AWS_REGION, the credential chain and AWS_ENDPOINT_URL_ECS`);
    } finally {
      client.destroy();
    }
  });
}

/**
 * Each engine a `docker.host` names answers a ping (one line per host, with the pipeline files
 * that name it). `connect` makes the client as the deploy worker would (TLS from Docker's variables).
 */
export async function checkDockerHosts(hosts: ReadonlyMap<string, readonly string[]>, connect: (host: string) => Docker): Promise<CheckResult[]> {
  return Promise.all([...hosts].map(([host, files]) => {
    const name = `Docker engine ${host}`;
    const where = `docker.host in ${files.join(', ')}`;
    return guarded(name, async () => {
      try {
        const docker = connect(host);
        await docker.ping();
        const v = await docker.version();
        return ok(name, `${where}, Docker ${v.Version} (API ${v.ApiVersion})`);
      } catch (err) {
        return fail(name, `cannot reach it (${where}): ${message(err)}; start that engine and let this host reach it (a TCP engine over TLS: DOCKER_TLS_VERIFY and DOCKER_CERT_PATH), or fix docker.host`);
      }
    });
  }));
}

/** The schedulers the pipelines deploy with, for ECS the clusters they name, and each `docker.host` with the files naming it. */
export function schedulersInUse(pipelines: readonly Pipeline[]): { names: Set<string>; ecsClusters: string[]; dockerHosts: Map<string, string[]> } {
  const names = new Set<string>();
  const clusters = new Set<string>();
  const dockerHosts = new Map<string, string[]>();
  for (const p of pipelines) {
    for (const t of p.deploy) {
      names.add(t.scheduler);
      const cluster = (t.settings as { cluster?: unknown }).cluster;
      if (t.scheduler === 'ecs' && typeof cluster === 'string') clusters.add(cluster);
      const host = (t.settings as { host?: unknown }).host;
      if (t.scheduler === 'docker' && typeof host === 'string') {
        const files = dockerHosts.get(host) ?? [];
        if (!files.includes(p.file)) files.push(p.file);
        dockerHosts.set(host, files);
      }
    }
  }
  return { names, ecsClusters: [...clusters], dockerHosts };
}

