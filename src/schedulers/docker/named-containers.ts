import type Docker from 'dockerode';
import { createContainerOutput } from '../../docker/container-output.ts';
import { isNotFound } from '../../docker/engine-error.ts';

/** A container found by name, reduced to what a rollout needs. */
export interface NamedContainer {
  readonly id: string;
  readonly name: string;
  /** the image it was created from, as given (`repo@sha256:…` for Slipway's own) */
  readonly image: string;
  /** a short name for the log: the release tag (`git-abc1234`) or the image */
  readonly label: string;
  readonly running: boolean;
}

/** The container called `name`, or undefined when there is none. */
export async function findContainer(docker: Docker, name: string): Promise<NamedContainer | undefined> {
  try {
    const info = await docker.getContainer(name).inspect();
    const tagged = info.Config.Labels?.['slipway.image'];
    return {
      id: info.Id,
      name,
      image: info.Config.Image,
      label: tagged ? (tagged.split(':').pop() ?? tagged) : info.Config.Image,
      running: info.State.Running && !info.State.Restarting,
    };
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

/** Removes the container called (or with id) `name` if there is one, running or not. */
export async function removeContainer(docker: Docker, name: string): Promise<void> {
  await docker.getContainer(name).remove({ force: true, v: true }).catch((err: unknown) => {
    if (!isNotFound(err)) throw err;
  });
}

/**
 * Why the container is not running ("the container exited with code 3"), or undefined while it
 * runs. A container the engine has had to restart counts as exited: the restart policy would
 * otherwise hide a crash loop.
 */
export async function exitReason(docker: Docker, id: string): Promise<string | undefined> {
  const info = await docker.getContainer(id).inspect();
  if (info.State.Running && !info.State.Restarting && !info.RestartCount) return undefined;
  return `the container exited with code ${info.State.ExitCode}`;
}

/** The last `count` lines the container wrote (stdout and stderr). */
export async function lastLines(docker: Docker, id: string, count: number): Promise<string[]> {
  const lines: string[] = [];
  const output = createContainerOutput({ line: (text) => lines.push(text) });
  const raw = await docker.getContainer(id).logs({ stdout: true, stderr: true, follow: false, tail: count });
  output.write(raw);
  output.end();
  return lines.slice(-count);
}
