import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Webhooks } from '@octokit/webhooks';
import { signBody, verifySignature } from '../../src/webhook/verify-signature.ts';

// GitHub's documented test vector: secret "It's a Secret to Everybody", payload "Hello, World!".
const SECRET = "It's a Secret to Everybody";
const DOC_SIGNATURE = 'sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17';

describe('verifySignature', () => {
  it('accepts GitHub documentation test vector', async () => {
    assert.equal(await verifySignature(SECRET, Buffer.from('Hello, World!'), DOC_SIGNATURE), true);
    assert.equal(signBody(SECRET, 'Hello, World!'), DOC_SIGNATURE);
  });
  const rejects: [string, string | undefined, Buffer][] = [
    ['missing header', undefined, Buffer.from('Hello, World!')],
    ['sha1 header', 'sha1=' + 'a'.repeat(40), Buffer.from('Hello, World!')],
    ['wrong secret', signBody('other', 'Hello, World!'), Buffer.from('Hello, World!')],
    ['one byte changed', DOC_SIGNATURE, Buffer.from('Hello, World?')],
    ['re-serialized JSON', signBody(SECRET, '{"a": 1}'), Buffer.from(JSON.stringify({ a: 1 }))],
    ['truncated hex', DOC_SIGNATURE.slice(0, -2), Buffer.from('Hello, World!')],
    // added with the move to @octokit/webhooks
    ['an empty header', '', Buffer.from('Hello, World!')],
    ['hex that is not hex', 'sha256=' + 'z'.repeat(64), Buffer.from('Hello, World!')],
    ['extra text after the hex', DOC_SIGNATURE + ' ', Buffer.from('Hello, World!')],
    ['a signature of the body without its BOM', signBody(SECRET, '{}'), Buffer.from('\ufeff{}')],
    ['a signature of the text that invalid bytes decode to', signBody(SECRET, Buffer.from([0x7b, 0xff, 0x7d]).toString('utf8')), Buffer.from([0x7b, 0xff, 0x7d])],
    ['a wrong signature of an empty body', signBody('other', ''), Buffer.alloc(0)],
  ];
  for (const [name, header, body] of rejects) {
    it(`rejects ${name}`, async () => assert.equal(await verifySignature(SECRET, body, header), false));
  }
  it('verifies raw bytes that are not valid UTF-8', async () => {
    const body = Buffer.from([0x7b, 0xff, 0xfe, 0x7d]);
    assert.equal(await verifySignature(SECRET, body, signBody(SECRET, body)), true);
  });

  const exact: [string, Buffer][] = [
    ['multi-byte UTF-8', Buffer.from('{"message":"café ✓ 🚀"}')],
    ['a leading BOM', Buffer.from('\ufeff{"a":1}')],
    ['an empty body', Buffer.alloc(0)],
    ['a NUL byte', Buffer.from('{"a":"\u0000"}')],
  ];
  for (const [name, body] of exact) {
    it(`verifies the exact bytes of a body with ${name}`, async () => assert.equal(await verifySignature(SECRET, body, signBody(SECRET, body)), true));
  }

  it('takes an upper-case hex signature', async () => {
    assert.equal(await verifySignature(SECRET, Buffer.from('Hello, World!'), DOC_SIGNATURE.replace(/[a-f]/g, (c) => c.toUpperCase()).replace('SHA', 'sha')), true);
  });

  it('signs as @octokit/webhooks signs', async () => {
    const text = JSON.stringify({ zen: 'Keep it logically awesome. ✓' });
    assert.equal(signBody(SECRET, text), await new Webhooks({ secret: SECRET }).sign(text));
  });

  it('follows a change of secret', async () => {
    const body = Buffer.from('{"a":1}');
    assert.equal(await verifySignature('one', body, signBody('one', body)), true);
    assert.equal(await verifySignature('two', body, signBody('one', body)), false);
    assert.equal(await verifySignature('two', body, signBody('two', body)), true);
  });
});
