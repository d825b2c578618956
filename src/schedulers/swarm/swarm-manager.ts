import type Docker from 'dockerode';
import { SlipwayError } from '../../core/errors.ts';

/**
 * Makes sure the engine is a manager of a swarm (only managers take service changes), else throws
 * SWARM_NOT_MANAGER saying what it is instead. Asked of `GET /info` before anything changes, so
 * the answer does not rest on the wording of the engine's 503.
 */
export async function ensureManager(docker: Docker, label: string): Promise<void> {
  const info = (await docker.info()) as { Swarm?: { LocalNodeState?: string; ControlAvailable?: boolean } };
  const state = info.Swarm?.LocalNodeState ?? 'inactive';
  if (state !== 'active') {
    throw new SlipwayError(
      'SWARM_NOT_MANAGER',
      `${label} is not a swarm manager: it is not part of a swarm (state ${state}). Run \`docker swarm init\` there, or set swarm.host to a manager`,
    );
  }
  if (!info.Swarm?.ControlAvailable) {
    throw new SlipwayError(
      'SWARM_NOT_MANAGER',
      `${label} is not a swarm manager: it is a worker node, which cannot change services. Set swarm.host to a manager of its swarm`,
    );
  }
}
