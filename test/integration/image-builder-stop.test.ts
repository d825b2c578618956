/**
 * A build stopped before the engine reads its context (SIGTERM to the worker while the build
 * looks up its cache sources): git archive's stream is destroyed with the stop error at that
 * moment. The build rejects with that stop error; the stream's error is never an unhandled
 * 'error' event, which would end the worker before it records "will retry" in the build log.
 */
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { describe, it } from 'node:test';
import { SlipwayError } from '../../src/core/errors.ts';
import { createDockerClient } from '../../src/docker/docker-client.ts';
import { createDockerImageBuilder } from '../../src/docker/image-builder.ts';
import { testEnv } from '../support/env.ts';
import { memoryLog } from '../support/memory-log.ts';

describe('ImageBuilder stopped before the engine reads the context', () => {
  it('rejects with the stop error, and the context\'s error is handled', async () => {
    const builder = createDockerImageBuilder(createDockerClient(testEnv().dockerHost));
    const context = new PassThrough();
    const stopping = new AbortController();
    const stop = new SlipwayError('WORKER_STOPPING', 'the worker building it was stopped; it is built again');
    const building = builder.build({ context, dockerfile: 'Dockerfile', image: { repository: '127.0.0.1:1/never-built', tag: 'stopped' }, labels: {} }, memoryLog(), stopping.signal);
    // What git archive does on the same signal: its stream ends with the stop error.
    stopping.abort(stop);
    context.destroy(stop);
    await assert.rejects(building, (err) => err === stop);
    assert.equal(context.destroyed, true);
  });
});
