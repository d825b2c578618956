import type { DeployRecord } from '../core/build.ts';
import type { RequestDeps, RequestResult } from '../pipeline/queue-requested-deploy.ts';
import { requestAnswer, type RequestAnswer } from '../pipeline/queued-deploy-view.ts';
import { deployJobData } from '../queue/jobs.ts';
import { pipelineDeps, type Runtime } from '../../workers/runtime.ts';
import type { CommandIo } from './cli-runtime.ts';
import { type DeployReads, followDeploy, logEnd, storeReads } from './follow-deploy.ts';
import type { ServerActions } from './server-actions.ts';
import { withActions } from './with-actions.ts';

/** Beyond the rollout deadline: a worker may first have to finish the deploy before it. */
const WAIT_BEYOND_DEADLINE_MS = 10 * 60_000;
/** With --server the deadline is the server's, unknown here: wait this long at most. */
const SERVER_WAIT_MS = 30 * 60_000;

export function requestDeps(rt: Runtime): RequestDeps {
  return { ...pipelineDeps(rt), enqueueDeploy: (buildId: string, deploy: DeployRecord) => rt.enqueuer.enqueueDeploy(deployJobData(buildId, deploy)) };
}

/** Where the rollout is read while the command waits for it, and for how long at most. */
export interface DeployWatch {
  readonly reads: DeployReads;
  readonly timeoutMs: number;
}

/**
 * Runs a deploy a person asks for on Redis directly (`onRedis`: the request runs in this process,
 * the rollout is read from the store) or, with `--server <url>`, through that server's API
 * (`onServer`: its POST route, the rollout read from its API). See runRequested for the exit codes.
 */
export function requestedDeploy(
  io: CommandIo,
  server: string | undefined,
  command: RequestedCommand,
  onRedis: (rt: Runtime, deps: RequestDeps) => Promise<RequestResult>,
  onServer: (api: ServerActions) => Promise<RequestAnswer>,
): Promise<number> {
  return withActions(
    io,
    server,
    (rt) => {
      const ask = async () => requestAnswer(await onRedis(rt, requestDeps(rt)));
      return runRequested(io, command, ask, { reads: storeReads(rt.store), timeoutMs: rt.config.deployDeadlineMs + WAIT_BEYOND_DEADLINE_MS });
    },
    (api, reads) => runRequested(io, command, () => onServer(api), { reads, timeoutMs: SERVER_WAIT_MS }),
  );
}

export interface RequestedCommand {
  /** what it is, for the first line: "Deploying", "Promoting", "Approved: deploying" */
  readonly verb: string;
  readonly service: string;
  readonly environment: string;
  readonly wait: boolean;
  /** the last line once it deployed (default "Deployed <service> <sha7> (build <id>) to <environment>") */
  readonly done?: (sha7: string, buildId: string) => string;
  /** the build deployed, when known before asking: its log is followed from where it ends now */
  readonly build?: string;
}

/**
 * Queues what a person asked for (`ask`), prints what was queued, then (unless `--no-wait`) the
 * rollout's progress until it ends. Exit 0 when queued (`--no-wait`) or deployed, 1 when refused
 * for the state of things or the deploy did not succeed, 2 an unknown service or environment.
 */
export async function runRequested(io: CommandIo, command: RequestedCommand, ask: () => Promise<RequestAnswer>, watch: DeployWatch): Promise<number> {
  const before = command.build !== undefined && (await watch.reads.build(command.build)) ? await logEnd(watch.reads, command.build) : undefined;
  const result = await ask();
  if ('refused' in result) {
    io.err(`slipway: ${result.refused}\n`);
    return result.reason === 'unknown_target' ? 2 : 1;
  }
  const { build, sha, branch, image, deploy, current, url } = result.queued;
  const sha7 = sha.slice(0, 7);
  const now = current ? `build ${current.buildId} (${current.sha.slice(0, 7)})` : 'nothing Slipway recorded';
  io.out(
    `${command.verb} ${command.service} build ${build} (${sha7}, branch ${branch}) to ${command.environment}: ${image}\n` +
      `  Running there now: ${now}.\n` +
      `  Build page: ${url}\n`,
  );
  if (!command.wait) {
    io.out(`Queued as deploy ${deploy.id}; not waiting (--no-wait).\n`);
    return 0;
  }
  const fromLine = before ?? (await logEnd(watch.reads, build));
  const done = await followDeploy(watch.reads, io, { buildId: build, deployId: deploy.id, environment: command.environment, fromLine }, watch.timeoutMs);
  if (!done) {
    io.err(`slipway: deploy ${deploy.id} has not ended yet; watch it at ${url}\n`);
    return 1;
  }
  const back = done.backFrom ? `, back from newer ${done.backFrom.slice(0, 7)}` : '';
  if (done.state === 'succeeded') {
    const deployed = command.done?.(sha7, build) ?? `Deployed ${command.service} ${sha7} (build ${build}) to ${command.environment}`;
    io.out(`${deployed}${back}.\n`);
    return 0;
  }
  io.err(`slipway: deploy ${deploy.id} to ${command.environment} ended ${done.state}${done.detail ? `: ${done.detail}` : ''}\n`);
  return 1;
}
