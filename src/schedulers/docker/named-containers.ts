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
  /** the `slipway.settings` label: a fingerprint of the pipeline block it was started with */
  readonly settings?: string;
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
      settings: info.Config.Labels?.['slipway.settings'],
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

/** A line a container wrote, and whether it went to stderr. */
export interface OutputLine {
  readonly text: string;
  readonly stderr: boolean;
}

/**
 * The last `count` lines the container wrote. Once it has exited, only output up to that exit
 * counts: the engine may already be running it again (restart policy), and the half-written
 * start of the next run would hide the line that says why it died.
 */
export async function lastLines(docker: Docker, id: string, count: number): Promise<OutputLine[]> {
  const container = docker.getContainer(id);
  const info = await container.inspect();
  const exited = !info.State.Running || info.State.Restarting || info.RestartCount > 0;
  const until = exited && !info.State.FinishedAt.startsWith('0001-') ? unixSeconds(info.State.FinishedAt) : undefined;
  const lines: OutputLine[] = [];
  const output = createContainerOutput({ line: (text) => lines.push({ text, stderr: false }) }, { line: (text) => lines.push({ text, stderr: true }) });
  const options = until ? { until } : { tail: count }; // the engine applies `tail` before `until`
  output.write(await container.logs({ stdout: true, stderr: true, follow: false, ...options }));
  output.end();
  return lines.slice(-count);
}

/** `2026-11-25T19:46:56.776801086Z` → `1795636016.776801086`: Docker 20.10 takes only this form. */
function unixSeconds(rfc3339: string): string {
  const fraction = /\.(\d+)Z$/.exec(rfc3339)?.[1] ?? '';
  const whole = Math.floor(Date.parse(rfc3339.replace(/\.\d+Z$/, 'Z')) / 1000);
  return `${whole}.${fraction.padEnd(9, '0').slice(0, 9)}`;
}
