import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Release } from '../../src/core/ports/scheduler.ts';
import { containerName, releaseContainer, settingsFingerprint } from '../../src/schedulers/docker/release-container.ts';
import { DockerSettingsSchema } from '../../src/schedulers/docker/settings.ts';

const DIGEST = `sha256:${'4f1c'.repeat(16)}`;
const release: Release = {
  service: 'hello',
  environment: 'production',
  image: { repository: 'registry.example.com/hello', tag: 'git-59b20b8', digest: DIGEST },
  sha: '59b20b8d5c5ff8f9ffb59cb2a1b8a1c0a0e3d7f1',
  buildId: '981',
  settings: { port: 18780, health_path: '/index.html', env: { LOG_LEVEL: 'debug', PORT: '1' } },
};

describe('releaseContainer', () => {
  it('names the container after service and environment', () => {
    assert.equal(containerName('hello', 'production'), 'slipway-hello-production');
  });

  it('runs the pinned image on the host network with env, PORT, restart policy and labels', () => {
    const settings = DockerSettingsSchema.parse(release.settings);
    assert.deepEqual(releaseContainer(release, settings, 'slipway-hello-production-next'), {
      name: 'slipway-hello-production-next',
      Image: `registry.example.com/hello@${DIGEST}`,
      Env: ['LOG_LEVEL=debug', 'PORT=18780'],
      Labels: {
        'slipway.service': 'hello',
        'slipway.environment': 'production',
        'slipway.image': 'registry.example.com/hello:git-59b20b8',
        'slipway.sha': '59b20b8d5c5ff8f9ffb59cb2a1b8a1c0a0e3d7f1',
        'slipway.build': '981',
        'slipway.settings': settingsFingerprint(settings),
      },
      HostConfig: { NetworkMode: 'host', RestartPolicy: { Name: 'unless-stopped' }, Init: true },
    });
  });

  it('fingerprints the settings: same block, same print; any change, another', () => {
    const settings = DockerSettingsSchema.parse(release.settings);
    assert.match(settingsFingerprint(settings), /^[0-9a-f]{12}$/);
    assert.equal(settingsFingerprint(settings), settingsFingerprint(DockerSettingsSchema.parse(release.settings)));
    for (const change of [{ port: 18781 }, { env: { LOG_LEVEL: 'info' } }, { memory: '512m' }, { health_path: '/health' }]) {
      assert.notEqual(settingsFingerprint(DockerSettingsSchema.parse({ ...release.settings, ...change })), settingsFingerprint(settings), JSON.stringify(change));
    }
  });
});
