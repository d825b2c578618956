import { freePort } from './free-port.ts';
import { startSecondEngine, type SecondEngine } from './second-engine.ts';

/** A Docker engine of a test's own, in swarm mode as the one manager of a one-node swarm. */
export type SwarmEngine = SecondEngine;

/**
 * Starts a second dockerd (test/support/second-engine.ts) and makes it a swarm manager the way
 * DESIGN.md's environment facts allow here: advertised and listening on 127.0.0.1 only, and
 * without the `ingress` network (it would take 10.0.0.0/24), so services run on the host network
 * only. The shared test engine is never put in swarm mode. `stop()` leaves the swarm, removes
 * `docker_gwbridge` if the engine made one, and stops the engine.
 */
export function startSwarmEngine(): Promise<SwarmEngine> {
  return swarmMember(async (engine, addr) => {
    await engine.docker.swarmInit({ ListenAddr: addr, AdvertiseAddr: addr, Spec: {} });
    await engine.docker.getNetwork('ingress').remove();
  });
}

/**
 * Starts another engine and joins it to `manager`'s swarm as a worker, listening and advertising
 * on 127.0.0.1 too. Stop it before the manager: `stop()` leaves the swarm and stops the engine.
 */
export function startSwarmWorker(manager: SwarmEngine): Promise<SwarmEngine> {
  return swarmMember(async (engine, addr) => {
    const swarm = (await manager.docker.swarmInspect()) as { JoinTokens: { Worker: string } };
    const info = (await manager.docker.info()) as { Swarm: { RemoteManagers: { Addr: string }[] } };
    const managers = info.Swarm.RemoteManagers.map((m) => m.Addr);
    await engine.docker.swarmJoin({ ListenAddr: addr, AdvertiseAddr: addr, RemoteAddrs: managers, JoinToken: swarm.JoinTokens.Worker });
  });
}

/** A second engine made a swarm member by `enter` (given its `127.0.0.1:<port>` swarm address); stopped again if that fails. */
async function swarmMember(enter: (engine: SecondEngine, addr: string) => Promise<void>): Promise<SwarmEngine> {
  const engine = await startSecondEngine();
  try {
    await enter(engine, `127.0.0.1:${await freePort()}`);
  } catch (err) {
    await leaveAndStop(engine).catch(() => undefined);
    throw err;
  }
  return { ...engine, stop: () => leaveAndStop(engine) };
}

async function leaveAndStop(engine: SecondEngine): Promise<void> {
  try {
    await engine.docker.swarmLeave({ force: true }).catch(() => undefined);
    await engine.docker.getNetwork('docker_gwbridge').remove().catch(() => undefined);
  } finally {
    await engine.stop();
  }
}
