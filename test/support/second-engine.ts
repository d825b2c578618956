import type Docker from 'dockerode';
import { startDockerd, stopDockerd, type DockerDaemon } from '../../scripts/local-services/docker-engine.ts';
import { mountsUnder } from '../../scripts/local-services/mounts.ts';
import type { Proc } from '../../scripts/local-services/processes.ts';
import { createDockerClient } from '../../src/docker/docker-client.ts';
import { makeTempDir, removeTempDir } from './temp-dir.ts';

/** A Docker engine of a test's own, beside the one `npm test` runs. */
export interface SecondEngine {
  /** `unix:///tmp/sw-eng-XXXXXX/docker.sock`, the form DOCKER_HOST and `docker.host` take */
  readonly dockerHost: string;
  /** the path of its socket (the dockerHost without `unix://`) */
  readonly socketPath: string;
  readonly docker: Docker;
  /** its start-up and shut-down log, for a failure message */
  readonly log: readonly string[];
  /** stops the engine (containers killed first; SIGKILL after 20 s) and removes its folder */
  stop(): Promise<void>;
}

/**
 * Starts a second dockerd under a temp folder of its own (data root, exec root, socket): an empty
 * engine, without even `local/busybox`; what a test runs there comes from the test registry, as
 * it would on another host. Start it once per file in `before` and stop it in `after`: a start
 * costs a few seconds on a busy machine.
 */
export async function startSecondEngine(): Promise<SecondEngine> {
  const root = makeTempDir('sw-eng-'); // short: the socket path must fit 107 bytes
  const procs: Proc[] = [];
  const log: string[] = [];
  let daemon: DockerDaemon;
  try {
    daemon = await startDockerd(root, procs, (line) => log.push(line));
  } catch (err) {
    // startDockerd stopped what it started; its log stays only when a mount is left behind
    if (mountsUnder(root).length === 0) removeTempDir(root);
    throw new Error(`the second Docker engine did not start: ${(err as Error).message}\n${log.join('\n')}`, { cause: err });
  }
  const dockerHost = `unix://${daemon.socketPath}`;
  return {
    dockerHost,
    socketPath: daemon.socketPath,
    docker: createDockerClient(dockerHost),
    log,
    async stop() {
      await stopDockerd(daemon, (line) => log.push(line));
      // a mount left behind would make the removal fail half-way; leave the folder then
      if (mountsUnder(root).length === 0) removeTempDir(root);
    },
  };
}
