import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { schedulersInUse } from '../../src/cli/doctor-scheduler-checks.ts';
import { parsePipeline } from '../../src/config/load-pipelines.ts';
import type { Pipeline } from '../../src/core/pipeline.ts';
import { isSlipwayError } from '../../src/core/errors.ts';
import { createDockerClient } from '../../src/docker/docker-client.ts';
import { createEngines } from '../../src/schedulers/docker/engines.ts';
import { settingsFingerprint } from '../../src/schedulers/docker/release-container.ts';
import { DockerSettingsSchema } from '../../src/schedulers/docker/settings.ts';
import { schedulerSettings } from '../../src/schedulers/settings.ts';

const pipeline = (host: string) => `
service: hello
repository: acme/hello
deploy:
  - branch: main
    environment: production
    scheduler: docker
    docker:
      host: ${JSON.stringify(host)}
      port: 18780
`;

function problems(host: string): string {
  const r = parsePipeline('pipelines/hello.yml', pipeline(host), schedulerSettings);
  return 'problems' in r ? r.problems.join('\n') : '';
}

describe('docker.host in a pipeline', () => {
  const accepted = ['unix:///var/run/docker.sock', 'unix:///tmp/sw-eng-x/docker.sock', 'tcp://10.0.0.5:2375', 'tcp://docker.internal', 'tcp://[::1]:2376', 'http://127.0.0.1:4243', 'https://docker.example.com:2376'];
  for (const host of accepted) {
    it(`accepts ${host}, kept as written`, () => {
      const r = parsePipeline('pipelines/hello.yml', pipeline(host), schedulerSettings);
      assert.ok('pipeline' in r, 'problems' in r ? r.problems.join('\n') : '');
      assert.equal(r.pipeline.deploy[0]?.settings.host, host);
    });
  }

  const refused: [host: string, reason: RegExp][] = [
    ['ssh://me@build-host', /ssh:\/\/ is not supported: use unix:\/\/\/path\/to\/docker\.sock, tcp:\/\/host:port/],
    ['npipe:////./pipe/docker_engine', /npipe:\/\/ is not supported/],
    ['127.0.0.1:2375', /must be a Docker engine URL: unix:\/\//],
    ['docker.internal', /must be a Docker engine URL/],
    ['unix://docker.sock', /must name the socket by its absolute path/],
    ['unix://', /must name the socket by its absolute path/],
    ['tcp://', /must name the engine's host/],
    ['tcp://admin:hunter2@10.0.0.5:2375', /must not hold credentials: secure a remote engine with TLS/],
    ['tcp://10.0.0.5:2375?tls=1', /must not have a query or fragment/],
    ['', /must be a Docker engine URL/],
  ];
  for (const [host, reason] of refused) {
    it(`refuses ${JSON.stringify(host)} at load, naming the file and the key`, () => {
      const text = problems(host);
      assert.match(text, /^pipelines\/hello\.yml: deploy\.0\.docker\.host: /);
      assert.match(text, reason);
    });
  }

  it('never repeats credentials it refuses', () => {
    assert.doesNotMatch(problems('tcp://admin:hunter2@10.0.0.5:2375'), /hunter2/);
  });

  it('is not a key of the container: naming the engine it already runs on does not restart it', () => {
    const without = DockerSettingsSchema.parse({ port: 18780 });
    const named = DockerSettingsSchema.parse({ port: 18780, host: 'unix:///var/run/docker.sock' });
    assert.equal(settingsFingerprint(named), settingsFingerprint(without));
  });
});

describe('the engines a docker scheduler deploys on', () => {
  const own = createDockerClient('unix:///tmp/worker/docker.sock');

  it('uses the worker\'s own engine without a host, and makes one client per host, once', () => {
    const made: string[] = [];
    const engineFor = createEngines(own, (host) => {
      made.push(host);
      return createDockerClient(host, undefined);
    });
    assert.equal(engineFor(undefined).docker, own);
    assert.equal(engineFor(undefined).label, 'unix:///tmp/worker/docker.sock (DOCKER_HOST)');
    const first = engineFor('tcp://10.0.0.5:2375');
    assert.equal(engineFor('tcp://10.0.0.5:2375').docker, first.docker);
    assert.equal(first.label, 'tcp://10.0.0.5:2375 (docker.host)');
    assert.notEqual(engineFor('unix:///tmp/other/docker.sock').docker, first.docker);
    assert.deepEqual(made, ['tcp://10.0.0.5:2375', 'unix:///tmp/other/docker.sock']);
  });

  it('refuses an https:// engine without DOCKER_TLS_VERIFY as SCHEDULER_REJECTED (a retry would not change it)', () => {
    const engineFor = createEngines(own, (host) => createDockerClient(host, undefined));
    assert.throws(
      () => engineFor('https://docker.example.com:2376'),
      (err: unknown) => isSlipwayError(err, 'SCHEDULER_REJECTED') && /^docker\.host https:\/\/docker\.example\.com:2376: .*DOCKER_TLS_VERIFY/.test((err as Error).message),
    );
  });
});

describe('the engines doctor checks', () => {
  it('lists each distinct docker.host once, with the pipeline files that name it', () => {
    const target = (environment: string, scheduler: string, settings: Record<string, unknown>) => ({ branch: 'main', environment, scheduler, settings });
    const pipeline = (file: string, ...deploy: ReturnType<typeof target>[]): Pipeline => ({ service: file, repository: 'acme/x', dockerfile: 'Dockerfile', deploy, file });
    const { dockerHosts } = schedulersInUse([
      pipeline('web.yml', target('production', 'docker', { host: 'tcp://10.0.0.5:2376' }), target('staging', 'docker', { host: 'tcp://10.0.0.5:2376' })),
      pipeline('api.yml', target('production', 'docker', { host: 'tcp://10.0.0.5:2376' }), target('edge', 'docker', { host: 'unix:///var/run/edge.sock' })),
      pipeline('jobs.yml', target('production', 'docker', {}), target('batch', 'nomad', { host: 'not an engine' })),
    ]);
    assert.deepEqual([...dockerHosts], [['tcp://10.0.0.5:2376', ['web.yml', 'api.yml']], ['unix:///var/run/edge.sock', ['api.yml']]]);
  });
});
