import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { signBody, verifySignature } from '../../src/webhook/verify-signature.ts';

// GitHub's documented test vector: secret "It's a Secret to Everybody", payload "Hello, World!".
const SECRET = "It's a Secret to Everybody";
const DOC_SIGNATURE = 'sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17';

describe('verifySignature', () => {
  it('accepts GitHub documentation test vector', () => {
    assert.equal(verifySignature(SECRET, Buffer.from('Hello, World!'), DOC_SIGNATURE), true);
    assert.equal(signBody(SECRET, 'Hello, World!'), DOC_SIGNATURE);
  });
  const rejects: [string, string | undefined, Buffer][] = [
    ['missing header', undefined, Buffer.from('Hello, World!')],
    ['sha1 header', 'sha1=' + 'a'.repeat(40), Buffer.from('Hello, World!')],
    ['wrong secret', signBody('other', 'Hello, World!'), Buffer.from('Hello, World!')],
    ['one byte changed', DOC_SIGNATURE, Buffer.from('Hello, World?')],
    ['re-serialized JSON', signBody(SECRET, '{"a": 1}'), Buffer.from(JSON.stringify({ a: 1 }))],
    ['truncated hex', DOC_SIGNATURE.slice(0, -2), Buffer.from('Hello, World!')],
  ];
  for (const [name, header, body] of rejects) {
    it(`rejects ${name}`, () => assert.equal(verifySignature(SECRET, body, header), false));
  }
  it('verifies raw bytes that are not valid UTF-8', () => {
    const body = Buffer.from([0x7b, 0xff, 0xfe, 0x7d]);
    assert.equal(verifySignature(SECRET, body, signBody(SECRET, body)), true);
  });
});
