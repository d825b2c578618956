import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parsePipeline } from '../../src/config/load-pipelines.ts';
import { branchMatches } from '../../src/core/branch-pattern.ts';
import { compileGlob } from '../../src/core/glob.ts';
import { touchesPaths } from '../../src/core/paths-filter.ts';
import { targetFor, targetsFor, type Pipeline } from '../../src/core/pipeline.ts';
import { skipWordIn } from '../../src/core/skip-words.ts';
import { normalize } from '../../src/webhook/normalize.ts';
import { schedulerSettings } from '../../src/schedulers/settings.ts';
import { pullRequestPayload, pushPayload } from '../fixtures/payloads.ts';

const SHA = 'b'.repeat(40);

describe('skip words', () => {
  const cases: [string, string | undefined][] = [
    ['Fix login [skip ci]', '[skip ci]'],
    ['[CI SKIP] docs only', '[ci skip]'],
    ['Bump deps\n\nRelease notes follow.\n[No Ci]', '[no ci]'],
    ['typo [Skip Actions]', '[skip actions]'],
    ['[actions skip]', '[actions skip]'],
    ['Fix login', undefined],
    ['skip ci without brackets', undefined],
    ['[skip  ci] two spaces', undefined],
    ['[skip-ci]', undefined],
    ['', undefined],
  ];
  for (const [message, word] of cases) {
    it(`${JSON.stringify(message)} → ${word ?? 'none'}`, () => assert.equal(skipWordIn(message), word));
  }

  it('a push whose head commit says one anywhere in its message is skipped with the reason', () => {
    const v = normalize('push', 'd', pushPayload({ sha: SHA, message: 'Update README\n\nNo code here. [SKIP CI]' }));
    assert.deepEqual(v, { action: 'skip', reason: `commit ${SHA.slice(0, 7)} says [skip ci] in its message; nothing built` });
  });

  it('a push without one builds', () => {
    assert.equal(normalize('push', 'd', pushPayload({ sha: SHA, message: 'Update README [skip' })).action, 'build');
  });

  it('a pull request is not skipped by the server: its payload has no commit message (its title is not one)', () => {
    const payload = pullRequestPayload({ sha: SHA });
    payload.pull_request.title = 'WIP [skip ci]';
    assert.equal(normalize('pull_request', 'd', payload).action, 'build');
  });
});

describe('globs', () => {
  const cases: [string, string, boolean][] = [
    ['main', 'main', true],
    ['main', 'main2', false],
    ['main', 'mai', false],
    ['release/*', 'release/1.2', true],
    ['release/*', 'release/', true],
    ['release/*', 'release/1.2/hotfix', false],
    ['release/*', 'release', false],
    ['release/**', 'release/1.2/hotfix', true],
    ['release/**', 'releases/1', false],
    ['*', 'feature/x', false],
    ['**', 'feature/x', true],
    ['v?.*', 'v1.0', true],
    ['v?.*', 'v10.0', false],
    ['feat(ure)+{x}', 'feat(ure)+{x}', true],
    ['feat(ure)+{x}', 'featureeee{x}', false],
    ['a.b', 'axb', false],
    ['**/Dockerfile', 'Dockerfile', true],
    ['**/Dockerfile', 'services/hello/Dockerfile', true],
    ['**/Dockerfile', 'services/hello/Dockerfile.dev', false],
    ['services/hello/**', 'services/hello/src/.env', true],
    ['services/hello/**', 'services/hello-world/x', false],
    ['services/*/package.json', 'services/hello/package.json', true],
    ['services/*/package.json', 'services/a/b/package.json', false],
    ['*.md', 'docs/a.md', false],
    ['**.md', 'docs/a.md', true],
  ];
  for (const [pattern, text, expected] of cases) {
    it(`${pattern} ${expected ? 'matches' : 'does not match'} ${text}`, () => assert.equal(compileGlob(pattern)(text), expected));
  }
});

describe('paths: touchesPaths', () => {
  const patterns = ['services/hello/**', 'lib/shared/*.ts'];
  it('true when one file is under one of the paths', () => assert.equal(touchesPaths(patterns, ['README.md', 'lib/shared/log.ts']), true));
  it('false when none is', () => assert.equal(touchesPaths(patterns, ['README.md', 'lib/shared/deep/log.ts', 'services/web/app.ts']), false));
  it('false for no files at all', () => assert.equal(touchesPaths(patterns, []), false));
});

function pipeline(deploy: { branch: string; environment: string }[]): Pipeline {
  return { service: 'hello', repository: 'acme/hello', dockerfile: 'Dockerfile', file: 'x.yml', deploy: deploy.map((d) => ({ ...d, scheduler: 'docker', settings: {} })) };
}

describe('deploy entries with branch globs', () => {
  const p = pipeline([
    { branch: 'main', environment: 'production' },
    { branch: 'release/*', environment: 'production' },
    { branch: 'release/**', environment: 'staging' },
    { branch: '*', environment: 'preview' },
  ]);
  const environments = (branch: string) => targetsFor(p, branch).map((t) => `${t.branch} → ${t.environment}`);

  it('"main" means exactly main', () => {
    assert.deepEqual(environments('main'), ['main → production', '* → preview']);
    assert.deepEqual(environments('main-old'), ['* → preview']);
  });
  it('release/* deploys release/1.2, and release/** its sub-branches too', () => {
    assert.deepEqual(environments('release/1.2'), ['release/* → production', 'release/** → staging']);
    assert.deepEqual(environments('release/1.2/rc'), ['release/** → staging']);
  });
  it('one entry per environment: the first that matches', () => {
    const twice = pipeline([{ branch: 'release/*', environment: 'production' }, { branch: 'release/1.*', environment: 'production' }]);
    assert.deepEqual(targetsFor(twice, 'release/1.2').map((t) => t.branch), ['release/*']);
  });
  it('targetFor matches globs too', () => {
    assert.equal(targetFor(p, 'production', 'release/2.0')?.branch, 'release/*');
    assert.equal(targetFor(p, 'production', 'feature/x'), undefined);
  });
  it('branchMatches', () => {
    assert.equal(branchMatches('release/*', 'release/7'), true);
    assert.equal(branchMatches('release/*', 'hotfix/7'), false);
  });
});

describe('pipeline files: branch globs and paths are validated at load', () => {
  const file = (extra: string, branch = 'main') => `
service: hello
repository: acme/hello
deploy:
  - branch: ${JSON.stringify(branch)}
    environment: production
    scheduler: docker
    docker: { port: 18780 }
${extra}`;
  const parse = (text: string) => parsePipeline('pipelines/hello.yml', text, schedulerSettings);

  it('reads paths and a glob branch', () => {
    const r = parse(file('paths: [services/hello/**, "**/Dockerfile"]', 'release/*'));
    assert.ok('pipeline' in r, JSON.stringify(r));
    assert.deepEqual(r.pipeline.paths, ['services/hello/**', '**/Dockerfile']);
    assert.equal(r.pipeline.deploy[0]?.branch, 'release/*');
  });
  it('no paths: the key is absent', () => {
    const r = parse(file(''));
    assert.ok('pipeline' in r);
    assert.equal('paths' in r.pipeline, false);
  });
  const bad: [string, string, RegExp][] = [
    ['paths: []', 'main', /paths: must name at least one path glob/],
    ['paths: [/abs/**]', 'main', /paths\.0: must be relative to the repository root/],
    ['paths: ["../x/**"]', 'main', /paths\.0: must stay inside the repository/],
    ['paths: ["!docs/**"]', 'main', /paths\.0: cannot negate/],
    ['paths: services/hello', 'main', /paths/],
    ['', 'release/*..x', /deploy\.0\.branch: is not a valid git branch name or glob/],
    ['', '-*', /deploy\.0\.branch: is not a valid git branch name or glob/],
    ['', 'release/[0-9]', /deploy\.0\.branch: is not a valid git branch name or glob/],
  ];
  for (const [extra, branch, problem] of bad) {
    it(`refuses ${extra || `branch ${branch}`}`, () => {
      const r = parse(file(extra, branch));
      assert.ok('problems' in r, 'expected problems');
      assert.match(r.problems.join('\n'), problem);
    });
  }
});
