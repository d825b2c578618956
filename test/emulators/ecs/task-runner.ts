// The Docker side of the ECS emulator's tasks: resolve each image in its (real, local) registry,
// run each container in the real test engine on the host network with PORT set, and read back
// exit and health. Health checks are the task definition's `healthCheck`, handed to Docker as
// the container's HEALTHCHECK (as the ECS agent does), with its seconds scaled by `timeScale`.
import type Docker from 'dockerode';
import { readJsonStream } from '../../../src/docker/json-stream.ts';
import type { Json } from './state.ts';

const MANIFEST_TYPES = [
  'application/vnd.oci.image.index.v1+json', 'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json', 'application/vnd.docker.distribution.manifest.v2+json',
].join(', ');

export interface ContainerSpec {
  readonly name: string;
  readonly definition: Json;
  readonly port: number;
  readonly labels: Record<string, string>;
}

/** What Docker says about a container right now. */
export interface ContainerState {
  readonly running: boolean;
  readonly exitCode?: number;
  readonly health?: 'starting' | 'healthy' | 'unhealthy';
}

export class TaskRunner {
  constructor(private readonly docker: Docker, private readonly timeScale: number) {}

  /** Undefined when the registry has the manifest, else ECS's CannotPullContainerError text. */
  async resolve(image: string): Promise<string | undefined> {
    const failed = (why: string) => `CannotPullContainerError: pull image manifest has been retried 1 time(s): failed to resolve ref ${image}: ${why}`;
    const ref = parseImage(image);
    if (!ref) return failed('not a registry/repository@digest or :tag reference the emulator can resolve');
    try {
      const res = await fetch(`http://${ref.host}/v2/${ref.path}/manifests/${ref.reference}`, { method: 'HEAD', headers: { accept: MANIFEST_TYPES } });
      if (res.status === 200) return undefined;
      if (res.status === 404) return failed('manifest unknown');
      if (res.status === 401) return failed('unauthorized: authentication required');
      return failed(`unexpected status from HEAD request to the registry: ${res.status}`);
    } catch (err) {
      const cause = (err as { cause?: { message?: string } }).cause?.message ?? String(err);
      return failed(`dial tcp ${ref.host}: ${cause}`);
    }
  }

  /** Creates and starts one container; resolves with its id, or rejects with Docker's error. */
  async start(spec: ContainerSpec): Promise<string> {
    const image: string = spec.definition.image;
    await this.ensureImage(image);
    const env = [...((spec.definition.environment ?? []) as Json[]).map((p) => `${p.name}=${p.value ?? ''}`), `PORT=${spec.port}`];
    const container = await this.docker.createContainer({
      name: spec.name,
      Image: image,
      Env: env,
      Labels: spec.labels,
      ...(spec.definition.command ? { Cmd: spec.definition.command } : {}),
      ...(spec.definition.entryPoint ? { Entrypoint: spec.definition.entryPoint } : {}),
      ...(spec.definition.healthCheck ? { Healthcheck: this.healthcheck(spec.definition.healthCheck) } : {}),
      HostConfig: {
        NetworkMode: 'host',
        ...(spec.definition.memory ? { Memory: spec.definition.memory * 1024 * 1024 } : {}),
      },
    });
    await container.start();
    return container.id;
  }

  async state(id: string): Promise<ContainerState> {
    const info = await this.docker.getContainer(id).inspect();
    const health = info.State.Health?.Status as ContainerState['health'] | undefined;
    return { running: info.State.Running, exitCode: info.State.Running ? undefined : info.State.ExitCode, health };
  }

  /** Stops (as ECS does: SIGTERM, then SIGKILL after a scaled 30 s) and removes the container. */
  async stop(id: string): Promise<number | undefined> {
    const container = this.docker.getContainer(id);
    await container.stop({ t: Math.max(1, Math.round(30 * this.timeScale)) }).catch(() => undefined);
    const exitCode = await container.inspect().then((i) => i.State.ExitCode, () => undefined);
    await container.remove({ force: true }).catch(() => undefined);
    return exitCode;
  }

  /** Removes every container carrying `label` (e.g. this emulator's id). */
  async removeAll(label: string): Promise<void> {
    const list = await this.docker.listContainers({ all: true, filters: { label: [label] } });
    await Promise.all(list.map((c) => this.docker.getContainer(c.Id).remove({ force: true }).catch(() => undefined)));
  }

  private async ensureImage(image: string): Promise<void> {
    const present = await this.docker.getImage(image).inspect().then(() => true, () => false);
    if (!present) await readJsonStream(await this.docker.pull(image));
  }

  /**
   * ECS seconds → Docker nanoseconds, scaled; Docker wants at least 1 ms. The timeout is never
   * scaled below 1 s: it bounds `docker exec` of the check, whose start-up alone can take a few
   * hundred ms on a busy test machine, and a healthy task must not fail for that.
   */
  private healthcheck(check: Json): Docker.HealthConfig {
    const ns = (seconds: number) => Math.max(1_000_000, Math.round(seconds * this.timeScale * 1e9));
    return {
      Test: check.command,
      Interval: ns(check.interval ?? 30),
      Timeout: Math.max(1e9, ns(check.timeout ?? 5)),
      Retries: check.retries ?? 3,
      StartPeriod: check.startPeriod ? ns(check.startPeriod) : 0,
    };
  }
}

/** `127.0.0.1:5000/web@sha256:…` → host, repository path and digest (or tag). */
export function parseImage(image: string): { host: string; path: string; reference: string } | undefined {
  const slash = image.indexOf('/');
  if (slash < 0) return undefined;
  const host = image.slice(0, slash);
  if (!host.includes('.') && !host.includes(':') && host !== 'localhost') return undefined;
  const rest = image.slice(slash + 1);
  const at = rest.indexOf('@');
  if (at >= 0) return { host, path: rest.slice(0, at), reference: rest.slice(at + 1) };
  const colon = rest.lastIndexOf(':');
  return colon >= 0 ? { host, path: rest.slice(0, colon), reference: rest.slice(colon + 1) } : { host, path: rest, reference: 'latest' };
}
