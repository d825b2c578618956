import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Pipeline } from '../../src/core/pipeline.ts';
import type { ReleaseRecord } from '../../src/core/ports/build-store.ts';
import { environmentsOverview } from '../../src/pipeline/environments-overview.ts';

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
