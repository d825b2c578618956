import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { loadPipelines, parsePipeline } from '../../src/config/load-pipelines.ts';
import { isSlipwayError } from '../../src/core/errors.ts';
import { schedulerSettings } from '../../src/schedulers/settings.ts';

const VALID = `
service: hello
repository: acme/hello
clone_url: file:///srv/git/hello.git
dockerfile: Dockerfile
test:
  command: ["sh", "/check.sh"]
deploy:
  - branch: main
    environment: production
    scheduler: docker
    docker:
      port: 18780
      health_path: /index.html
`;

function problemsOf(text: string): string {
  const r = parsePipeline('pipelines/hello.yml', text, schedulerSettings);
  assert.ok('problems' in r, 'expected problems');
  return r.problems.join('\n');
}

describe('parsePipeline', () => {
  it('reads the documented example', () => {
    const r = parsePipeline('pipelines/hello.yml', VALID, schedulerSettings);
    assert.ok('pipeline' in r);
    const p = r.pipeline;
    assert.equal(p.service, 'hello');
    assert.equal(p.cloneUrl, 'file:///srv/git/hello.git');
    assert.deepEqual(p.test, { command: ['sh', '/check.sh'], timeout: 600, memory: 1024 ** 3, cpus: 1 });
    assert.deepEqual(p.deploy, [{ branch: 'main', environment: 'production', scheduler: 'docker', settings: { port: 18780, health_path: '/index.html', env: {} } }]);
  });

  it('reads test.image, exactly as written', () => {
    const r = parsePipeline('pipelines/hello.yml', VALID.replace('test:\n', 'test:\n  image: local/busybox\n'), schedulerSettings);
    assert.ok('pipeline' in r);
    assert.equal(r.pipeline.test?.image, 'local/busybox');
  });

  const bad: [string, string, RegExp][] = [
    ['test image that is not an image name', VALID.replace('test:\n', 'test:\n  image: "Node 20"\n'), /test\.image: must be an image name/],
    ['bad YAML', 'service: [', /pipelines\/hello.yml: not valid YAML/],
    ['missing repository', 'service: hello', /pipelines\/hello.yml: repository: /],
    ['upper-case service', VALID.replace('service: hello', 'service: Hello'), /service: must be a lower-case image name/],
    ['unknown key', `${VALID}\nbuild_args: {}`, /: build_args: unknown key 'build_args' \(known keys: service, repository, clone_url, dockerfile, test, deploy, paths, preview\)/],
    ['misspelled key', VALID.replace('repository:', 'reposiotry:'), /: reposiotry: unknown key 'reposiotry' \(did you mean 'repository'\?\)/],
    ['misspelled test key', VALID.replace('  command:', '  comand:'), /: test\.comand: unknown key 'comand' \(did you mean 'command'\?\)/],
    ['misspelled scheduler key', VALID.replace('port: 18780', 'prot: 18780'), /: deploy\.0\.docker\.prot: unknown key 'prot' \(did you mean 'port'\?\)/],
    ['a deploy key no close to any', VALID.replace('branch: main', 'branch: main\n    colour: blue'), /deploy\.0\.colour: unknown key 'colour' \(known keys: branch, environment, scheduler, url, approval, docker, /],
    ['port as text', VALID.replace('port: 18780', 'port: "web"'), /deploy\.0\.docker\.port: Invalid input: expected number/],
    ['unknown scheduler', VALID.replace('scheduler: docker', 'scheduler: borg'), /deploy\.0\.scheduler: unknown scheduler "borg"; one of: docker/],
    ['block of another scheduler', VALID.replace('    docker:\n', '    nomad: {}\n    docker:\n'), /deploy\.0\.nomad: unexpected key/],
    ['branch that is an option', VALID.replace('branch: main', 'branch: "--upload-pack=x"'), /deploy\.0\.branch: is not a valid git branch name/],
    ['dockerfile outside the repo', VALID.replace('dockerfile: Dockerfile', 'dockerfile: ../x'), /dockerfile: must be a path inside the repository/],
    ['clone URL that is an option', VALID.replace('file:///srv/git/hello.git', '"-oProxyCommand=x"'), /clone_url: must be/],
    ['empty test command', VALID.replace('["sh", "/check.sh"]', '[]'), /test\.command: must name a program/],
    ['bad memory', VALID.replace('command: ["sh", "/check.sh"]', 'command: [true]\n  memory: lots'), /test\.(command|memory)/],
    ['same branch to same environment twice', VALID + VALID.slice(VALID.indexOf('  - branch')), /deploys to "production" twice/],
  ];
  for (const [name, text, problem] of bad) {
    it(`rejects ${name}, naming file and key`, () => assert.match(problemsOf(text), problem));
  }

  it('names a misspelled deploy key with the closest known one, and only that', () => {
    assert.equal(problemsOf(VALID.replace('environment:', 'enviroment:')), "pipelines/hello.yml: deploy.0.enviroment: unknown key 'enviroment' (did you mean 'environment'?)");
    assert.equal(problemsOf(VALID.replace('    docker:\n', '    dokcer:\n')), "pipelines/hello.yml: deploy.0.dokcer: unknown key 'dokcer' (did you mean 'docker'?)");
  });

  it('reads memory sizes', () => {
    const r = parsePipeline('f', VALID.replace('command: ["sh", "/check.sh"]', 'command: [sh]\n  memory: 512m\n  cpus: 0.5\n  timeout: 30'), schedulerSettings);
    assert.ok('pipeline' in r);
    assert.deepEqual(r.pipeline.test, { command: ['sh'], memory: 512 * 1024 ** 2, cpus: 0.5, timeout: 30 });
  });
});

describe('loadPipelines', () => {
  it('loads every YAML file and refuses duplicate services, naming both files', (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'pipelines-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    writeFileSync(join(dir, 'a.yml'), VALID);
    writeFileSync(join(dir, 'b.yaml'), VALID);
    writeFileSync(join(dir, 'notes.txt'), 'ignored');
    assert.throws(() => loadPipelines(dir, schedulerSettings), (err) => isSlipwayError(err, 'PIPELINE_INVALID') && /b\.yaml: service: "hello" is already defined in .*a\.yml/.test(err.message));
  });
  it('reports every broken file at once', (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'pipelines-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    writeFileSync(join(dir, 'a.yml'), 'service: [');
    writeFileSync(join(dir, 'b.yml'), VALID.replace('port: 18780', 'port: 0'));
    assert.throws(() => loadPipelines(dir, schedulerSettings), (err) => isSlipwayError(err) && /a\.yml: not valid YAML/.test(err.message) && /b\.yml: deploy\.0\.docker\.port/.test(err.message));
  });
  it('refuses services and environments whose scheduler names collide, naming both', (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'pipelines-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const pipeline = (service: string, environment: string) =>
      VALID.replace('service: hello', `service: ${service}`).replace('environment: production', `environment: ${environment}`);
    writeFileSync(join(dir, 'a.yml'), pipeline('shop-eu', 'prod'));
    writeFileSync(join(dir, 'b.yml'), pipeline('shop', 'eu-prod'));
    assert.throws(
      () => loadPipelines(dir, schedulerSettings),
      (err) => isSlipwayError(err, 'PIPELINE_INVALID') && /b\.yml: service "shop" in environment "eu-prod" and service "shop-eu" in environment "prod" \(.*a\.yml\) would both be named "shop-eu-prod"/.test(err.message),
    );
    writeFileSync(join(dir, 'b.yml'), pipeline('shop', 'prod'));
    assert.equal(loadPipelines(dir, schedulerSettings).length, 2);
  });
  it('says which folder is missing', () => {
    assert.throws(() => loadPipelines('/nonexistent/pipelines', schedulerSettings), /Cannot read the pipelines folder \/nonexistent\/pipelines.*SLIPWAY_PIPELINES_DIR/);
  });
  it('loads the repository example pipelines', () => {
    const pipelines = loadPipelines('pipelines', schedulerSettings);
    assert.ok(pipelines.some((p) => p.service === 'hello'));
  });
});
