/**
 * The Slipway image, built from the Dockerfile and started: not part of `npm test` (it takes two
 * to three minutes on a busy 2-core machine: a Node base made from this machine's files, `npm ci`
 * from the npm registry inside the build, `tsc`). Run it with `npm run test:image` after changing
 * the Dockerfile, package.json or the build.
 */
import assert from 'node:assert/strict';
import { chmodSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import type Docker from 'dockerode';
import { pack } from 'tar-fs';
import { createDockerClient } from '../../src/docker/docker-client.ts';
import { readJsonStream } from '../../src/docker/json-stream.ts';
import { testEnv } from '../support/env.ts';
import { freePort } from '../support/free-port.ts';
import { ensureNodeBaseImage } from '../support/node-base-image.ts';
import { makeTempDir, removeTempDirs } from '../support/temp-dir.ts';

const REPO = new URL('../../', import.meta.url).pathname;
/** What the Dockerfile copies (the rest is in .dockerignore). */
const CONTEXT = ['Dockerfile', 'package.json', 'package-lock.json', 'tsconfig.json', 'tsconfig.build.json', 'src', 'workers', 'bin'];
const IMAGE = `local/slipway-image-test:${process.pid}`;

describe('the Slipway image', { timeout: 300_000 }, () => {
  const services = testEnv();
  let docker: Docker;
  let container: Docker.Container | undefined;

  before(() => {
    docker = createDockerClient(services.dockerHost);
  });

  after(async () => {
    await container?.remove({ force: true }).catch(() => undefined);
    await docker.getImage(IMAGE).remove({ force: true }).catch(() => undefined);
    removeTempDirs();
  });

  it('builds from the Dockerfile on a NODE_IMAGE base, starts as user 1000 and answers /healthz', async () => {
    const base = await ensureNodeBaseImage(docker);
    const lines: string[] = [];
    const build = await docker.buildImage(pack(REPO, { entries: CONTEXT }) as unknown as NodeJS.ReadableStream, {
      t: IMAGE,
      buildargs: { NODE_IMAGE: base },
      networkmode: 'host', // npm ci fetches from the npm registry
      rm: true,
      forcerm: true,
    });
    await readJsonStream(build as unknown as AsyncIterable<Buffer>, (f) => void (f.stream && lines.push(f.stream))).catch((err: Error) => {
      throw new Error(`docker build failed: ${err.message}\n${lines.join('').slice(-3000)}`);
    });

    const info = await docker.getImage(IMAGE).inspect();
    assert.equal(info.Config.User, '1000:1000');
    assert.deepEqual(info.Config.Entrypoint, ['node', '/app/bin/slipway.mjs']);

    const pipelines = makeTempDir('slipway-image-pipelines-');
    chmodSync(pipelines, 0o755); // readable by user 1000
    const port = await freePort();
    container = await docker.createContainer({
      Image: IMAGE,
      Cmd: ['server'],
      Env: [`REDIS_URL=${services.redisUrl}`, `SLIPWAY_REGISTRY=${services.registry}`, 'GITHUB_WEBHOOK_SECRET=image-test', `PORT=${port}`, 'SLIPWAY_HOST=127.0.0.1', 'SLIPWAY_REDIS_PREFIX=image-test'],
      HostConfig: { NetworkMode: 'host', Binds: [`${pipelines}:/app/pipelines:ro`] },
    });
    await container.start();

    const until = Date.now() + 60_000;
    let last = 'no answer yet';
    for (;;) {
      const state: Docker.ContainerInspectInfo['State'] = (await container!.inspect()).State;
      if (!state.Running) {
        const logs = (await container.logs({ stdout: true, stderr: true })).toString();
        assert.fail(`the container exited (${state.ExitCode}) before /healthz answered:\n${logs}`);
      }
      const res = await fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(2_000) }).catch((e: Error) => e);
      if (!(res instanceof Error) && res.status === 200) break;
      last = res instanceof Error ? res.message : `HTTP ${res.status}`;
      if (Date.now() > until) assert.fail(`/healthz did not answer 200 within 60 s: ${last}`);
      await sleep(250);
    }

    // compiled JavaScript, no TypeScript or tsx in the runtime image
    const exec = await container.exec({ Cmd: ['sh', '-c', 'id -u; ls /app; ls /app/node_modules | grep -cx -e tsx -e typescript; git --version'], AttachStdout: true, AttachStderr: true });
    const stream = await exec.start({});
    const out = await new Promise<string>((resolve) => {
      let text = '';
      stream.on('data', (d: Buffer) => (text += d.toString('latin1')));
      stream.on('end', () => resolve(text));
    });
    assert.match(out, /^\W*1000$/m);
    assert.match(out, /\bdist\b/);
    assert.doesNotMatch(out, /\bsrc\b/);
    assert.match(out, /^\W*0$/m, out);
    assert.match(out, /git version/);
  });
});
