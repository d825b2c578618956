import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { classifyPushError, type RegistryProblem } from '../../src/docker/push-errors.ts';

/** Messages as Docker puts them in the `error` frame of a push or pull. */
const cases: [message: string, expected: RegistryProblem][] = [
  ['unauthorized: authentication required', 'REGISTRY_DENIED'],
  ['denied: requested access to the resource is denied', 'REGISTRY_DENIED'],
  ['no basic auth credentials', 'REGISTRY_DENIED'],
  ["name unknown: The repository with name 'web' does not exist in the registry with id '123456789012'", 'REGISTRY_DENIED'],
  ["tag invalid: The image tag 'git-59b20b8' already exists in the 'web' repository and cannot be overwritten because the repository is immutable.", 'REGISTRY_DENIED'],
  ['manifest for 127.0.0.1:5000/web@sha256:0000 not found: manifest unknown: manifest unknown', 'REGISTRY_DENIED'],
  ['Get "http://127.0.0.1:1/v2/": dial tcp 127.0.0.1:1: connect: connection refused', 'REGISTRY_UNREACHABLE'],
  ['Get "https://registry.invalid/v2/": dial tcp: lookup registry.invalid on 127.0.0.53:53: no such host', 'REGISTRY_UNREACHABLE'],
  ['Put "https://r.example.com/v2/web/blobs/uploads/x": net/http: TLS handshake timeout', 'REGISTRY_UNREACHABLE'],
  ['read tcp 10.0.0.2:51234->10.0.0.9:443: i/o timeout', 'REGISTRY_UNREACHABLE'],
  ['Patch "http://r:5000/v2/web/blobs/uploads/u": read: connection reset by peer', 'REGISTRY_UNREACHABLE'],
  ['received unexpected HTTP status: 503 Service Unavailable', 'REGISTRY_UNREACHABLE'],
  ['toomanyrequests: You have reached your pull rate limit', 'REGISTRY_UNREACHABLE'],
  ['EOF', 'REGISTRY_UNREACHABLE'],
  ['something Docker never said before', 'REGISTRY_UNREACHABLE'],
];

describe('classifyPushError', () => {
  for (const [message, expected] of cases) {
    it(`${expected} ← ${message}`, () => {
      assert.equal(classifyPushError(message), expected);
    });
  }
});
