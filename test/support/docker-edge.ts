/**
 * What the Docker-edge tests share (docker-image-builder, docker-test-runner, docker-image-pusher): the
 * test engine's client, a random run id and commit, and image names in a test registry.
 */
import { randomBytes } from 'node:crypto';
import { imageTag, type ImageRef } from '../../src/core/image.ts';
import { createDockerClient } from '../../src/docker/docker-client.ts';
import { testEnv } from './env.ts';

export const env = testEnv();
export const docker = createDockerClient(env.dockerHost);
export const run = randomBytes(3).toString('hex');
export const sha = randomBytes(20).toString('hex');

export const seconds = (since: number) => `${((Date.now() - since) / 1000).toFixed(2)}s`;
export const image = (registry: string, name: string): ImageRef => ({ repository: `${registry}/slipway-test-${name}-${run}`, tag: imageTag(sha) });
