import type { NomadJob } from './nomad-types.ts';

/** The image the job's first task runs (`repo@sha256:…` for Slipway's jobs). */
export function jobImage(job: NomadJob): string | undefined {
  const image = job.TaskGroups?.[0]?.Tasks?.[0]?.Config?.image;
  return typeof image === 'string' ? image : undefined;
}

/** A short name for a job version in the log: `version 3 (git-59b20b8)`. */
export function versionLabel(job: NomadJob): string {
  const sha = job.Meta?.git_sha;
  return `version ${job.Version} (${sha ? `git-${sha.slice(0, 7)}` : (jobImage(job) ?? 'no image')})`;
}

/** Nomad's auto-revert target: the newest stable version older than `version`. */
export function latestStableBefore(versions: readonly NomadJob[], version: number): NomadJob | undefined {
  return versions.filter((v) => v.Stable && v.Version < version).sort((a, b) => b.Version - a.Version)[0];
}
