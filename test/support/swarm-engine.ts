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
export async function startSwarmEngine(): Promise<SwarmEngine> {
  const engine = await startSecondEngine();
  try {
    const port = await freePort();
    await engine.docker.swarmInit({ ListenAddr: `127.0.0.1:${port}`, AdvertiseAddr: `127.0.0.1:${port}`, Spec: {} });
    await engine.docker.getNetwork('ingress').remove();
  } catch (err) {
    await leaveAndStop(engine).catch(() => undefined);
    throw err;
  }
  return { ...engine, stop: () => leaveAndStop(engine) };
}

/**
 * Starts another engine and joins it to `manager`'s swarm as a worker, listening and advertising
 * on 127.0.0.1 too. Stop it before the manager: `stop()` leaves the swarm and stops the engine.
 */
export async function startSwarmWorker(manager: SwarmEngine): Promise<SwarmEngine> {
  const engine = await startSecondEngine();
  try {
    const swarm = (await manager.docker.swarmInspect()) as { JoinTokens: { Worker: string } };
    const info = (await manager.docker.info()) as { Swarm: { RemoteManagers: { Addr: string }[] } };
    const port = await freePort();
    await engine.docker.swarmJoin({
      ListenAddr: `127.0.0.1:${port}`, AdvertiseAddr: `127.0.0.1:${port}`,
      RemoteAddrs: info.Swarm.RemoteManagers.map((m) => m.Addr), JoinToken: swarm.JoinTokens.Worker,
    });
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
