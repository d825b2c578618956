import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parsePipeline } from '../../src/config/load-pipelines.ts';
import { targetFor } from '../../src/core/pipeline.ts';
import { portRange, previewNumber, previewUrl } from '../../src/core/preview.ts';
import { previewSettings, schedulerSettings } from '../../src/schedulers/settings.ts';

const pipeline = (preview: string) => `
service: hello
repository: acme/hello
deploy: [{ branch: main, environment: production, scheduler: docker, docker: { port: 18780 } }]
preview:
${preview.trim().split('\n').map((l) => `  ${l}`).join('\n')}
`;
const DOCKER = 'scheduler: docker\nurl: http://127.0.0.1:{port}/\ndocker:\n  ports: 4100-4199\n  health_path: /index.html';

const parse = (text: string) => parsePipeline('pipelines/hello.yml', text, schedulerSettings, previewSettings);
function problemsOf(preview: string): string {
  const r = parse(pipeline(preview));
  assert.ok('problems' in r, 'expected problems');
  return r.problems.join('\n');
}

describe('a pipeline\'s preview: block', () => {
  it('is read as the docker scheduler\'s preview block, with the url as written', () => {
    const r = parse(pipeline(DOCKER));
    assert.ok('pipeline' in r, JSON.stringify(r));
    assert.deepEqual(r.pipeline.preview, { scheduler: 'docker', url: 'http://127.0.0.1:{port}/', settings: { ports: '4100-4199', health_path: '/index.html', env: {} } });
  });

  it('is what a pr-<number> environment deploys with, and no other environment', () => {
    const r = parse(pipeline(DOCKER));
    assert.ok('pipeline' in r);
    const target = targetFor(r.pipeline, 'pr-12', 'feature/login');
    assert.deepEqual([target?.environment, target?.scheduler, target?.url, target?.settings.ports], ['pr-12', 'docker', 'http://127.0.0.1:{port}/', '4100-4199']);
    assert.equal(targetFor(r.pipeline, 'pr-0', 'x'), undefined);
    assert.equal(targetFor(r.pipeline, 'staging', 'main'), undefined);
    assert.equal(targetFor(r.pipeline, 'production', 'main')?.settings.port, 18780, 'deploy entries are unchanged');
  });

  const refusals: [string, string, RegExp][] = [
    ['a scheduler that cannot remove previews', DOCKER.replace('scheduler: docker', 'scheduler: nomad').replace('docker:', 'nomad:'),
      /pipelines\/hello\.yml: preview\.scheduler: the "nomad" scheduler cannot remove a preview when its pull request closes, so it cannot run previews; one of: docker/],
    ['an unknown scheduler', DOCKER.replace('scheduler: docker', 'scheduler: swarmy'), /preview\.scheduler: the "swarmy" scheduler cannot remove a preview/],
    ['a branch', `branch: main\n${DOCKER}`, /preview\.branch: a preview deploys every pull request from the repository itself; leave branch out/],
    ['an environment', `environment: staging\n${DOCKER}`, /preview\.environment: a preview runs in pr-<number> of its pull request/],
    ['approval', `approval: required\n${DOCKER}`, /preview\.approval: previews are not held for approval/],
    ['a fixed port instead of a range', DOCKER.replace('ports: 4100-4199', 'port: 4100'), /preview\.docker\.ports: must be a range of host ports such as 4100-4199: each preview takes its own port from it \(a preview has no fixed port\)\npipelines\/hello\.yml: preview\.docker\.port: unknown key 'port' \(did you mean 'ports'\?\)/],
    ['a range that is no range', DOCKER.replace('4100-4199', '4199-4100'), /preview\.docker\.ports: must be a range of host ports such as 4100-4199/],
    ['a range past 1000 ports', DOCKER.replace('4100-4199', '4000-5000'), /preview\.docker\.ports: must name at most 1000 ports/],
    ['a url naming an unknown value', DOCKER.replace('{port}/', '{port}/{branch}'), /preview\.url: names \{branch\}; a preview URL may name only \{number\}/],
    ['a url that is not http(s)', DOCKER.replace('http://127.0.0.1:{port}/', 'ftp://pr-{number}.example.com'), /preview\.url: must be an http:\/\/ or https:\/\/ URL once \{number\} and \{port\} are filled in/],
    ['another scheduler\'s block', `${DOCKER}\nnomad: {}`, /preview\.nomad: unexpected key; the "docker" scheduler reads only a "docker" block/],
  ];
  for (const [what, preview, message] of refusals) {
    it(`refuses ${what}, naming file and key`, () => assert.match(problemsOf(preview), message));
  }

  it('refuses a deploy entry named like a preview while the pipeline has previews', () => {
    const r = parse(pipeline(DOCKER).replace('environment: production', 'environment: pr-7'));
    assert.ok('problems' in r);
    assert.match(r.problems.join('\n'), /deploy: environment "pr-7" is a preview's name \(pr-<number>\); with a preview block, name it otherwise/);
  });
});

describe('preview values', () => {
  it('fills {number} and {port} into the url, and leaves it unknown while the port is', () => {
    assert.equal(previewUrl('http://127.0.0.1:{port}/pr/{number}', { number: 7, port: 4100 }), 'http://127.0.0.1:4100/pr/7');
    assert.equal(previewUrl('https://pr-{number}.hello.example.com', { number: 7 }), 'https://pr-7.hello.example.com');
    assert.equal(previewUrl('http://127.0.0.1:{port}/', { number: 7 }), undefined);
  });

  it('reads environments and port ranges', () => {
    const table: [string, number | undefined][] = [['pr-1', 1], ['pr-42', 42], ['pr-01', undefined], ['pr-', undefined], ['production', undefined], ['pr-4-x', undefined]];
    for (const [environment, number] of table) assert.equal(previewNumber(environment), number, environment);
    assert.deepEqual(portRange('4100-4199'), { first: 4100, last: 4199 });
    assert.deepEqual(portRange('80-80'), { first: 80, last: 80 });
    for (const bad of ['4100', '0-10', '10-70000', '20-10', 'a-b']) assert.equal(portRange(bad), undefined, bad);
  });
});
