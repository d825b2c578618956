import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { describe, it } from 'node:test';
import { z } from 'zod';
import { normalize } from '../../src/webhook/normalize.ts';
import { PushFields, type FitsGitHub, type PushEvent } from '../../src/webhook/payload-schema.ts';
import { reasonOf, valid, withField } from '../support/normalize-payloads.ts';

const examplesByEvent = createRequire(import.meta.url)('@octokit/webhooks-examples/api.github.com/index.json') as { name: string; examples: unknown[] }[];
const examples = (eventName: string) => examplesByEvent.find((e) => e.name === eventName)?.examples ?? [];

const NOT_A_STRING = [5, true, {}, [], null];
const NOT_AN_OBJECT = ['x', 5, true, []];

/** Every field normalize reads, with values of a type GitHub never sends there. */
const wrongTypes: Record<string, [string, unknown[]][]> = {
  push: [
    ['ref', NOT_A_STRING],
    ['after', NOT_A_STRING],
    ['deleted', ['true', 1, null, {}]],
    ['repository', [...NOT_AN_OBJECT, null]],
    ['repository.full_name', NOT_A_STRING],
    ['repository.clone_url', NOT_A_STRING],
    ['head_commit', NOT_AN_OBJECT],
    ['head_commit.message', NOT_A_STRING],
    ['head_commit.author', [...NOT_AN_OBJECT, null]],
    ['head_commit.author.name', NOT_A_STRING],
    ['head_commit.author.username', NOT_A_STRING],
    ['pusher', [...NOT_AN_OBJECT, null]],
    ['pusher.name', NOT_A_STRING],
  ],
  pull_request: [
    ['action', NOT_A_STRING],
    ['number', ['2', null, {}, 1.5, -1]],
    ['repository', [...NOT_AN_OBJECT, null]],
    ['repository.full_name', NOT_A_STRING],
    ['repository.clone_url', NOT_A_STRING],
    ['sender', [...NOT_AN_OBJECT, null]],
    ['sender.login', NOT_A_STRING],
    ['pull_request', [...NOT_AN_OBJECT, null]],
    ['pull_request.title', NOT_A_STRING],
    ['pull_request.user', NOT_AN_OBJECT],
    ['pull_request.user.login', NOT_A_STRING],
    ['pull_request.head', [...NOT_AN_OBJECT, null]],
    ['pull_request.head.ref', NOT_A_STRING],
    ['pull_request.head.sha', NOT_A_STRING],
    ['pull_request.head.repo', NOT_AN_OBJECT],
    ['pull_request.head.repo.full_name', NOT_A_STRING],
    ['pull_request.head.repo.clone_url', NOT_A_STRING],
    ['pull_request.base', [...NOT_AN_OBJECT, null]],
    ['pull_request.base.ref', NOT_A_STRING],
    ['pull_request.base.repo', [...NOT_AN_OBJECT, null]],
    ['pull_request.base.repo.full_name', NOT_A_STRING],
  ],
};

describe('normalize: a field of the wrong type is a skip naming the field, never a throw', () => {
  for (const [eventName, fields] of Object.entries(wrongTypes)) {
    it(`builds the untouched ${eventName} payload the table starts from`, () => {
      assert.equal(normalize(eventName, 'd', valid[eventName]!()).action, 'build');
    });
    for (const [field, values] of fields) {
      for (const value of values) {
        it(`${eventName}: ${field} = ${JSON.stringify(value)}`, () => {
          const reason = reasonOf(eventName, withField(valid[eventName]!(), field, value));
          assert.match(reason, new RegExp(`\\b${field.replace(/\./g, '\\.')}\\b`));
          assert.match(reason, /where GitHub sends|has no/);
        });
      }
    }
  }

  const missing: [string, string][] = [
    ['push', 'ref'],
    ['push', 'after'],
    ['push', 'repository.clone_url'],
    ['pull_request', 'action'],
    ['pull_request', 'pull_request.head.sha'],
    ['pull_request', 'pull_request.base.ref'],
  ];
  for (const [eventName, field] of missing) {
    it(`${eventName}: a missing ${field} is named`, () => {
      assert.match(reasonOf(eventName, withField(valid[eventName]!(), field, undefined)), new RegExp(`has no ${field.replace(/\./g, '\\.')}`));
    });
  }

  it('names the field, not its value, so the reason stays short', () => {
    const reason = reasonOf('push', withField(valid.push!(), 'head_commit.message', { huge: 'x'.repeat(1_000_000) }));
    assert.ok(reason.length < 200, reason.slice(0, 300));
  });

  it('refuses a payload that is a JSON array', () => assert.match(reasonOf('push', [valid.push!()]), /not a JSON object/));

  it('still builds when a field it does not read is odd or deeply nested', () => {
    let deep: unknown = 'bottom';
    for (let i = 0; i < 10_000; i++) deep = { deep };
    const p = withField(withField(valid.push!(), 'compare', 5), 'head_commit.tree_id', deep);
    assert.equal(normalize('push', 'd', p).action, 'build');
  });

  it('treats a missing optional field as absent: no author or message, still a build', () => {
    const p = withField(withField(valid.push!(), 'head_commit', null), 'pusher', undefined);
    const v = normalize('push', 'd', p);
    assert.equal(v.action, 'build');
    assert.equal(v.action === 'build' && v.event.message, undefined);
    assert.equal(v.action === 'build' && v.event.author, undefined);
  });
});

describe('normalize: every GitHub example of the events it reads fits the schema', () => {
  for (const eventName of ['push', 'pull_request']) {
    const all = examples(eventName);
    it(`accepts the types of all ${all.length} ${eventName} examples`, () => {
      for (const payload of all) {
        const v = normalize(eventName, 'd', payload);
        if (v.action === 'skip') assert.doesNotMatch(v.reason, /where GitHub sends|has no/, `${(payload as any).action ?? (payload as any).ref}: ${v.reason}`);
      }
    });
  }
});

describe('payload schema: kept a subset of GitHub\'s payload types at compile time', () => {
  it('refuses a field GitHub does not send and a type it does not send there (tsc fails otherwise)', () => {
    const stray = PushFields.extend({ bogus: z.string().optional() });
    const retyped = PushFields.extend({ after: z.number() });
    const strayFits: FitsGitHub<typeof stray, PushEvent> = false;
    const retypedFits: FitsGitHub<typeof retyped, PushEvent> = false;
    const realFits: FitsGitHub<typeof PushFields, PushEvent> = true;
    assert.deepEqual([strayFits, retypedFits, realFits], [false, false, true]);
  });
});
