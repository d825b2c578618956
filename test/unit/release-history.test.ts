import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Pipeline } from '../../src/core/pipeline.ts';
import type { ReleaseRecord } from '../../src/core/ports/build-store.ts';
import { releaseHistory } from '../../src/pipeline/release-history.ts';

const web: Pipeline = {
  service: 'web',
  repository: 'acme/web',
  dockerfile: 'Dockerfile',
  deploy: [{ branch: 'main', environment: 'staging', scheduler: 'docker', settings: {} }],
  preview: { scheduler: 'docker', settings: {} },
  file: 'web.yml',
};

const recorded: Record<string, ReleaseRecord[]> = {
  'pr-7': [{ service: 'web', environment: 'pr-7', sha: 'a'.repeat(40), image: `r/web@sha256:${'b'.repeat(64)}`, buildId: '4', deployedAt: 1, cause: 'push' }],
};
const deps = { pipelines: [web], store: { releases: async (_s: string, environment: string) => recorded[environment] ?? [] } };

/** `slipway releases` and `GET …/releases`, which the environments page links from every cell it shows. */
describe('releaseHistory', () => {
  it('shows the history of a preview, which no deploy entry names but the overview lists', async () => {
    assert.deepEqual(await releaseHistory(deps, 'web', 'pr-7', 10), { releases: recorded['pr-7'], repository: 'acme/web' });
  });

  it('shows an empty history for an environment a deploy entry names', async () => {
    assert.deepEqual(await releaseHistory(deps, 'web', 'staging', 10), { releases: [], repository: 'acme/web' });
  });

  it('refuses a name nothing was ever released to, naming the environments there are', async () => {
    const found = await releaseHistory(deps, 'web', 'stagign', 10);
    assert.ok('refused' in found);
    assert.match(found.refused, /web does not deploy to "stagign" \(environments: staging\)/);
  });
});
