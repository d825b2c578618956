import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Pipeline } from '../../src/core/pipeline.ts';
import type { ReleaseRecord } from '../../src/core/ports/build-store.ts';
import { environmentsOverview } from '../../src/pipeline/environments-overview.ts';
import { releaseHistory } from '../../src/pipeline/release-history.ts';

/** A service with a staging entry and previews: what the environments page and its Releases links read. */
const web: Pipeline = {
  service: 'web',
  repository: 'acme/web',
  dockerfile: 'Dockerfile',
  deploy: [{ branch: 'main', environment: 'staging', scheduler: 'docker', settings: {} }],
  preview: { scheduler: 'docker', settings: {} },
  file: 'web.yml',
};

function release(environment: string, deployedAt: number): ReleaseRecord {
  return { service: 'web', environment, sha: 'a'.repeat(40), image: `r/web@sha256:${'b'.repeat(64)}`, buildId: '1', deployedAt, cause: 'push' };
}

/** What the environments page, `GET /api/environments` and `slipway environments` list. */
describe('environmentsOverview: previews', () => {
  const releases: Record<string, ReleaseRecord> = {
    staging: release('staging', 50),
    'pr-7': release('pr-7', 100), // its pull request closed at 200: removed
    'pr-8': release('pr-8', 300), // closed at 200, reopened, deployed again at 300: runs
    'pr-9': release('pr-9', 400), // never closed: runs
  };
  const closedAt: Record<string, number> = { 'pr-7': 200, 'pr-8': 200 };
  const deps = {
    pipelines: [web],
    store: {
      get: async () => undefined,
      release: async (_service: string, environment: string) => releases[environment],
      releaseTargets: async () => Object.keys(releases).map((environment) => ({ service: 'web', environment })),
    },
    held: { peek: async () => undefined },
    closings: { closedAt: async (_service: string, environment: string) => closedAt[environment] },
  };

  it('leaves out a preview whose pull request closed after its last release, and keeps the open ones', async () => {
    const { environments } = await environmentsOverview(deps);
    assert.deepEqual(environments.map((e) => [e.environment, e.running?.since]), [['staging', 50], ['pr-8', 300], ['pr-9', 400]]);
  });

  it('lists every recorded preview when it is not told of closings', async () => {
    const { environments } = await environmentsOverview({ ...deps, closings: undefined });
    assert.deepEqual(environments.map((e) => e.environment), ['staging', 'pr-7', 'pr-8', 'pr-9']);
  });
});

const recorded: Record<string, ReleaseRecord[]> = { 'pr-7': [release('pr-7', 1)] };
const historyDeps = { pipelines: [web], store: { releases: async (_s: string, environment: string) => recorded[environment] ?? [] } };

/** `slipway releases` and `GET …/releases`, which the environments page links from every cell it shows. */
describe('releaseHistory', () => {
  it('shows the history of a preview, which no deploy entry names but the overview lists', async () => {
    assert.deepEqual(await releaseHistory(historyDeps, 'web', 'pr-7', 10), { releases: recorded['pr-7'], repository: 'acme/web' });
  });

  it('shows an empty history for an environment a deploy entry names', async () => {
    assert.deepEqual(await releaseHistory(historyDeps, 'web', 'staging', 10), { releases: [], repository: 'acme/web' });
  });

  it('refuses a name nothing was ever released to, naming the environments there are', async () => {
    const found = await releaseHistory(historyDeps, 'web', 'stagign', 10);
    assert.ok('refused' in found);
    assert.match(found.refused, /web does not deploy to "stagign" \(environments: staging\)/);
  });
});
