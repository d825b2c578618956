import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseBody } from '../../src/webhook/parse-body.ts';
import { pushPayload } from '../fixtures/payloads.ts';

const nested = (depth: number, inner = '') => '['.repeat(depth) + inner + ']'.repeat(depth);
const JSON_TYPE = 'application/json';

describe('parseBody: nesting is counted outside strings only', () => {
  const cases: [string, string, boolean][] = [
    ['64 levels', nested(64), true],
    ['65 levels', nested(65), false],
    ['65 levels inside an object field', `{"a":1,"b":${nested(64)}}`, false],
    ['brackets inside a string', `{"a":"${'['.repeat(100)}"}`, true],
    ['brackets after an escaped quote, still inside the string', `{"a":"\\"${'{'.repeat(100)}"}`, true],
    ['brackets after an escaped backslash, outside the string', `{"a":"\\\\","b":${nested(65)}}`, false],
    ['a string ending in an escaped backslash and quote', `{"a":"x\\\\\\"[[[[","b":[]}`, true],
    ['an unterminated string', `"open ${'['.repeat(100)}`, false],
  ];
  for (const [name, text, parsed] of cases) {
    it(`${parsed ? 'parses' : 'refuses'} ${name}`, () => {
      const result = parseBody(JSON_TYPE, Buffer.from(text));
      assert.equal(result !== undefined, parsed, String(result));
      if (parsed) assert.deepEqual(result, JSON.parse(text));
    });
  }

  it('parses GitHub\'s push example as JSON.parse does', () => {
    const text = JSON.stringify(pushPayload());
    assert.deepEqual(parseBody(JSON_TYPE, Buffer.from(text)), JSON.parse(text));
  });

  it('counts the nesting of a form-encoded payload too', () => {
    const form = (text: string) => Buffer.from(`payload=${encodeURIComponent(text)}`);
    assert.deepEqual(parseBody('application/x-www-form-urlencoded', form(nested(64))), JSON.parse(nested(64)));
    assert.equal(parseBody('application/x-www-form-urlencoded', form(nested(65))), undefined);
  });
});
