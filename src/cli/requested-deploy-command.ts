import type { DeployRecord } from '../core/build.ts';
import { taggedName } from '../core/image.ts';
import type { RequestDeps, RequestResult } from '../pipeline/queue-requested-deploy.ts';
import { deployJobData } from '../queue/jobs.ts';
import { pipelineDeps, type Runtime } from '../../workers/runtime.ts';
import type { CommandIo } from './cli-runtime.ts';
import { followDeploy, logEnd } from './follow-deploy.ts';

/** Beyond the rollout deadline: a worker may first have to finish the deploy before it. */
const WAIT_BEYOND_DEADLINE_MS = 10 * 60_000;

export function requestDeps(rt: Runtime): RequestDeps {
  return { ...pipelineDeps(rt), enqueueDeploy: (buildId: string, deploy: DeployRecord) => rt.enqueuer.enqueueDeploy(deployJobData(buildId, deploy)) };
}

export interface RequestedCommand {
  /** what it is, for the first line: "Deploying", "Promoting", "Approved: deploying" */
  readonly verb: string;
  readonly service: string;
  readonly environment: string;
  readonly wait: boolean;
  /** the last line once it deployed (default "Deployed <service> <sha7> (build <id>) to <environment>") */
  readonly done?: (sha7: string, buildId: string) => string;
}

/**
 * Queues what a person asked for (`ask`), prints what was queued, then (unless `--no-wait`) the
 * rollout's progress until it ends. Exit 0 when queued (`--no-wait`) or deployed, 1 when refused
 * for the state of things or the deploy did not succeed, 2 an unknown service or environment.
 */
export async function runRequested(rt: Runtime, io: CommandIo, command: RequestedCommand, ask: (deps: RequestDeps) => Promise<RequestResult>, fromLineOf?: () => Promise<number | undefined>): Promise<number> {
  const before = fromLineOf ? await fromLineOf() : undefined;
  const result = await ask(requestDeps(rt));
  if ('refused' in result) {
    io.err(`slipway: ${result.refused}\n`);
    return result.reason === 'unknown_target' ? 2 : 1;
  }
  const { build, deploy, current, url } = result.queued;
  const image = build.image!;
  const sha7 = build.event.sha.slice(0, 7);
  const now = current ? `build ${current.buildId} (${current.sha.slice(0, 7)})` : 'nothing Slipway recorded';
  io.out(
    `${command.verb} ${command.service} build ${build.id} (${sha7}, branch ${build.event.branch}) to ${command.environment}: ${taggedName(image)}@${image.digest}\n` +
      `  Running there now: ${now}.\n` +
      `  Build page: ${url}\n`,
  );
  if (!command.wait) {
    io.out(`Queued as deploy ${deploy.id}; not waiting (--no-wait).\n`);
    return 0;
  }
  const fromLine = before ?? (await logEnd(rt.store, build.id));
  const done = await followDeploy(rt.store, io, { buildId: build.id, deployId: deploy.id, environment: command.environment, fromLine }, rt.config.deployDeadlineMs + WAIT_BEYOND_DEADLINE_MS);
  if (!done) {
    io.err(`slipway: deploy ${deploy.id} has not ended yet; watch it at ${url}\n`);
    return 1;
  }
  const back = done.backFrom ? `, back from newer ${done.backFrom.slice(0, 7)}` : '';
  if (done.state === 'succeeded') {
    const deployed = command.done?.(sha7, build.id) ?? `Deployed ${command.service} ${sha7} (build ${build.id}) to ${command.environment}`;
    io.out(`${deployed}${back}.\n`);
    return 0;
  }
  io.err(`slipway: deploy ${deploy.id} to ${command.environment} ended ${done.state}${done.detail ? `: ${done.detail}` : ''}\n`);
  return 1;
}
