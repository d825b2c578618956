import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseImageReference } from '../../src/core/image-reference.ts';
import { stageOrder } from '../../src/core/pipeline.ts';

describe('parseImageReference', () => {
  const good: [string, ReturnType<typeof parseImageReference>][] = [
    ['local/busybox', { registry: undefined, repository: 'local/busybox', tag: undefined, digest: undefined }],
    ['node:20.11', { registry: undefined, repository: 'node', tag: '20.11', digest: undefined }],
    ['127.0.0.1:5000/ci/tools:3', { registry: '127.0.0.1:5000', repository: '127.0.0.1:5000/ci/tools', tag: '3', digest: undefined }],
    ['localhost/tools', { registry: 'localhost', repository: 'localhost/tools', tag: undefined, digest: undefined }],
    ['registry.example.com/team/app-test_x:v1.2-rc', { registry: 'registry.example.com', repository: 'registry.example.com/team/app-test_x', tag: 'v1.2-rc', digest: undefined }],
    [`tools@sha256:${'a'.repeat(64)}`, { registry: undefined, repository: 'tools', tag: undefined, digest: `sha256:${'a'.repeat(64)}` }],
    [`tools:1@sha256:${'b'.repeat(64)}`, { registry: undefined, repository: 'tools', tag: '1', digest: `sha256:${'b'.repeat(64)}` }],
  ];
  for (const [text, expected] of good) it(`reads ${text}`, () => assert.deepEqual(parseImageReference(text), expected));

  for (const text of ['', 'Node', 'node:', ':1', 'a//b', 'node:-x', 'node@sha256:abc', 'http://registry/x', 'x y', '-rf']) {
    it(`refuses ${JSON.stringify(text)}`, () => assert.equal(parseImageReference(text), undefined));
  }
});

describe('stageOrder', () => {
  const test = { command: ['true'], timeout: 1, memory: 0, cpus: 0 };
  it('tests after the build by default', () => assert.deepEqual(stageOrder({ test }), ['clone', 'build', 'test', 'push']));
  it('tests before the build with test.image', () => assert.deepEqual(stageOrder({ test: { ...test, image: 'local/busybox' } }), ['clone', 'test', 'build', 'push']));
  it('keeps the default order without tests', () => assert.deepEqual(stageOrder({}), ['clone', 'build', 'test', 'push']));
});
