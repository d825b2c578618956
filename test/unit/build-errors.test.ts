import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isEngineTrouble } from '../../src/docker/build-errors.ts';

/** Messages as the engine puts them in the `error` frame of a build. */
const cases: [message: string, engine: boolean][] = [
  ['failed to update the store state of sandbox: failed to update store for object type *libnetwork.sbState: open : no such file or directory', true],
  ['failed to create shim task: OCI runtime create failed: ttrpc: closed: unknown', true],
  ['failed to start shim: start failed: io.containerd.runc.v2: failed to adjust OOM score for shim: context canceled', true],
  ['failed to register layer: write /var/lib/docker/overlay2/x/diff/usr/lib/libLLVM.so: no space left on device', true],
  ['error creating overlay mount to /var/lib/docker/overlay2/abc/merged: device or resource busy', true],
  ["The command '/bin/sh -c exit 3' returned a non-zero code: 3", false],
  ["The command '/bin/sh -c npm ci' returned a non-zero code: 137", false],
  ['COPY failed: file not found in build context or excluded by .dockerignore: stat app.js: file does not exist', false],
  ['dockerfile parse error line 3: unknown instruction: RUNN', false],
  ['failed to process "${FOO": missing \'}\'', false],
  ['something the engine never said before', false],
];

describe('isEngineTrouble: the engine failing a build, not the Dockerfile', () => {
  for (const [message, engine] of cases) {
    it(`${engine ? 'engine' : 'user'} ← ${message}`, () => assert.equal(isEngineTrouble(message), engine));
  }
});
