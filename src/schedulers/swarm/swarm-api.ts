import type Docker from 'dockerode';
import { engineFailure, isNotFound } from '../../docker/engine-error.ts';
import type { RegistryAuth } from '../../docker/registry-auth.ts';

/** A task as `GET /tasks` gives it, reduced to what a rollout reads. */
export interface SwarmTask {
  readonly ID: string;
  readonly NodeID?: string;
  readonly DesiredState: string;
  readonly Spec: { readonly ContainerSpec?: { readonly Image?: string } };
  readonly Status: { readonly Timestamp: string; readonly State: string; readonly Message?: string; readonly Err?: string };
}

/** How many times an update is tried again after the engine said its version was stale. */
const STALE_RETRIES = 5;

/** The service called exactly `name`, or undefined (the engine also matches ID prefixes: compare). */
export async function findService(docker: Docker, name: string): Promise<Docker.Service | undefined> {
  try {
    const found = (await docker.getService(name).inspect()) as Docker.Service;
    return found.Spec?.Name === name ? found : undefined;
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

export async function createService(docker: Docker, spec: Docker.ServiceSpec, auth: RegistryAuth | undefined): Promise<string> {
  const created = auth ? await docker.createService(withAuth(auth), spec) : await docker.createService(spec);
  return created.id;
}

/**
 * Replaces the whole spec of service `id` with `spec` (or, `rollback`, asks the engine to go back
 * to its previous spec), at the service's current `Version.Index`. The manager bumps that index on
 * every change of its own (each UpdateStatus step), so a stale one is read again and retried.
 */
export async function updateService(
  docker: Docker, id: string, change: { spec: Docker.ServiceSpec; rollback?: boolean }, auth: RegistryAuth | undefined,
): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    const current = (await docker.getService(id).inspect()) as Docker.Service;
    const query = { version: current.Version?.Index ?? 0, ...(change.rollback ? { rollback: 'previous' } : {}) };
    try {
      const body = { _query: query, _body: change.rollback ? current.Spec : change.spec } as never;
      // no X-Registry-Auth at all (not an empty one): the engine then keeps the spec's credentials
      await (auth ? docker.getService(id).update(withAuth(auth), body) : docker.getService(id).update(body));
      return;
    } catch (err) {
      if (!isOutOfSequence(err) || attempt >= STALE_RETRIES) throw err;
    }
  }
}

/**
 * The engine's answer to a stale `version`: 500 `rpc error: code = Unknown desc = update out of
 * sequence` (swarmkit's ErrSequenceConflict). The engine gives no code of its own for it, so its
 * text is the only sign.
 */
export function isOutOfSequence(err: unknown): boolean {
  const failure = engineFailure(err);
  return failure.status === 500 && failure.message.includes('update out of sequence');
}

/** Every task of the service, history included (failed tasks stay listed, replaced in their slot). */
export async function serviceTasks(docker: Docker, id: string): Promise<SwarmTask[]> {
  return (await docker.listTasks({ filters: JSON.stringify({ service: [id] }) })) as SwarmTask[];
}

/** How many nodes can take a task now: ready and active. */
export async function readyNodes(docker: Docker): Promise<number> {
  const nodes = (await docker.listNodes()) as { Status?: { State?: string }; Spec?: { Availability?: string } }[];
  return nodes.filter((n) => n.Status?.State === 'ready' && n.Spec?.Availability === 'active').length;
}

/** The address a node advertises (`Status.Addr`), where its host-network tasks answer; undefined if unknown. */
export async function nodeAddress(docker: Docker, nodeId: string): Promise<string | undefined> {
  const node = (await docker.getNode(nodeId).inspect()) as { Status?: { Addr?: string } };
  const addr = node.Status?.Addr;
  return addr && addr !== '0.0.0.0' ? addr : undefined;
}

function withAuth(auth: RegistryAuth): Docker.AuthConfig {
  return { ...auth } as Docker.AuthConfig;
}
