import { z } from 'zod';

const FORMS = 'unix:///path/to/docker.sock, tcp://host:port, http://host:port or https://host:port (TLS from DOCKER_TLS_VERIFY and DOCKER_CERT_PATH)';

/**
 * Why `value` is not one of the Docker engine URL forms `createDockerClient` speaks, or undefined
 * when it is one. No credentials in the URL (Docker has none there, and it is written in logs):
 * a remote engine is secured with TLS client certificates.
 */
export function dockerHostProblem(value: string): string | undefined {
  if (value.startsWith('unix://')) {
    return value.slice('unix://'.length).startsWith('/') ? undefined : `must name the socket by its absolute path (unix:///var/run/docker.sock)`;
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return `must be a Docker engine URL: ${FORMS}`;
  }
  if (!['tcp:', 'http:', 'https:'].includes(url.protocol)) {
    return value.includes('://') ? `${url.protocol}// is not supported: use ${FORMS}` : `must be a Docker engine URL: ${FORMS}`;
  }
  if (url.hostname === '') return `must name the engine's host: ${FORMS}`;
  if (url.username || url.password) return 'must not hold credentials: secure a remote engine with TLS (DOCKER_TLS_VERIFY, DOCKER_CERT_PATH)';
  if (url.search || url.hash) return `must not have a query or fragment: ${FORMS}`;
  return undefined;
}

/** A Docker engine URL in a pipeline file (`docker.host`), in one of the forms `dockerHostProblem` accepts. */
export const DockerHostUrl = z.string().superRefine((value, ctx) => {
  const problem = dockerHostProblem(value);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});
