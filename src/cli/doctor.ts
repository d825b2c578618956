import { loadConfig } from '../config/load-config.ts';
import { loadPipelines } from '../config/load-pipelines.ts';
import { createDockerClient } from '../docker/docker-client.ts';
import { previewSettings, schedulerSettings } from '../schedulers/settings.ts';
import { registryCredentialsFor } from '../../workers/slipway.ts';
import { processIo, type CommandIo } from './cli-runtime.ts';
import { checkDocker, checkGitHub, checkRedis, checkRegistry, checkSlack, type CheckResult } from './doctor-checks.ts';
import { checkDockerHosts, checkEcs, checkFleet, checkNomad, schedulersInUse } from './doctor-scheduler-checks.ts';
import { checkKubernetes } from './doctor-kubernetes.ts';
import { checkSwarms } from './doctor-swarm.ts';

const MARK = { ok: 'ok  ', fail: 'FAIL', skip: 'skip' } as const;

/**
 * `slipway doctor`: checks every part this configuration and its pipelines use (Redis, the Docker
 * engine, the registry with a push and a pull, GitHub credentials, Slack's URL, each scheduler a
 * pipeline deploys with) and prints one line each: ok, or what to fix. Exit code 1 on any failure.
 */
export async function doctorCommand(args: readonly string[], io: CommandIo = processIo, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  if (args.length > 0) {
    io.err(`slipway: doctor takes no arguments (got "${args[0]}")\n`);
    return 2;
  }
  const config = loadConfig(env);
  const pipelines = loadPipelines(config.pipelinesDir, schedulerSettings, previewSettings);
  const docker = createDockerClient(config.dockerHost);
  const report = (r: CheckResult) => io.out(`${MARK[r.outcome]}  ${r.name}: ${r.detail}\n`);
  const results: CheckResult[] = [];
  const run = async (check: Promise<CheckResult> | CheckResult) => {
    const r = await check;
    results.push(r);
    report(r);
  };

  await run(checkRedis(config));
  await run(checkDocker(config, docker));
  await run(checkRegistry(config, docker, registryCredentialsFor(config)));
  await run(checkGitHub(config, [...new Set(pipelines.map((p) => p.repository))]));
  await run(checkSlack(config));
  const { names, ecsClusters, dockerHosts } = schedulersInUse(pipelines);
  if (names.has('nomad')) await run(checkNomad(config));
  if (names.has('fleet')) await run(checkFleet(config));
  if (names.has('ecs')) await run(checkEcs(config, ecsClusters));
  if (names.has('kubernetes')) await run(checkKubernetes(config, pipelines));
  for (const r of await checkSwarms(pipelines, config.dockerHost, (host) => (host ? createDockerClient(host) : docker))) await run(r);
  // the docker scheduler deploys on the engine checked above, and on each one a docker.host names
  for (const r of await checkDockerHosts(dockerHosts, (host) => createDockerClient(host))) await run(r);
  if (names.size === 0) io.out(`      ${pipelines.length} pipeline(s), none deploying: no scheduler to check\n`);

  const failed = results.filter((r) => r.outcome === 'fail').length;
  io.out(failed ? `\n${failed} problem(s) to fix.\n` : '\nAll checks passed.\n');
  return failed ? 1 : 0;
}
