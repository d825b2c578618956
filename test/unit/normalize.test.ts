import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { describe, it } from 'node:test';
import { z } from 'zod';
import { normalize } from '../../src/webhook/normalize.ts';
import { PushFields, type FitsGitHub, type PushEvent } from '../../src/webhook/payload-schema.ts';
import { example, pullRequestPayload, pushPayload } from '../fixtures/payloads.ts';

const SHA = 'a'.repeat(40);
const examplesByEvent = createRequire(import.meta.url)('@octokit/webhooks-examples/api.github.com/index.json') as { name: string; examples: unknown[] }[];
const examples = (eventName: string) => examplesByEvent.find((e) => e.name === eventName)?.examples ?? [];

describe('normalize: push', () => {
  it('turns a branch push into a build of the pushed sha', () => {
    const v = normalize('push', 'd1', pushPayload({ repository: 'acme/hello', branch: 'main', sha: SHA, message: 'Fix login\n\nbody', author: 'ada' }));
    assert.equal(v.action, 'build');
    assert.deepEqual(v.action === 'build' && v.event, {
      kind: 'push',
      deliveryId: 'd1',
      repository: 'acme/hello',
      cloneUrl: 'https://github.com/Codertocat/Hello-World.git',
      sha: SHA,
      branch: 'main',
      message: 'Fix login',
      author: 'ada',
      installationId: 1, // GitHub's example was delivered to an App
      defaultBranch: 'master', // GitHub's example creates the branch: no `before`
    });
  });

  const skips: [string, unknown, RegExp][] = [
    ['tag push (GitHub example)', example('push', (p) => p.ref.startsWith('refs/tags/') && !p.deleted), /tag push refs\/tags\/simple-tag/],
    ['deletion (GitHub example)', example('push', (p) => p.deleted), /deleted/],
    ['deletion by forty zeros', pushPayload({ sha: '0'.repeat(40) }), /deleted/],
    ['non-branch ref', pushPayload({ ref: 'refs/notes/x' }), /not a branch/],
    ['branch that could be an option', pushPayload({ ref: 'refs/heads/-x', sha: SHA }), /not a valid git branch name/],
    ['branch with ..', pushPayload({ ref: 'refs/heads/a..b', sha: SHA }), /not a valid git branch name/],
    ['short sha', pushPayload({ sha: 'abc123' }), /no valid "after"/],
    ['no repository', { ...pushPayload({ sha: SHA }), repository: undefined }, /no repository/],
    ['not an object', 'hello', /not a JSON object/],
  ];
  for (const [name, payload, reason] of skips) {
    it(`skips ${name}`, () => {
      const v = normalize('push', 'd', payload);
      assert.equal(v.action, 'skip');
      assert.match(v.action === 'skip' ? v.reason : '', reason);
    });
  }
});

describe('normalize: pull_request', () => {
  for (const action of ['opened', 'synchronize', 'reopened']) {
    it(`builds the head sha on ${action}`, () => {
      const v = normalize('pull_request', 'd', pullRequestPayload({ action, sha: SHA, branch: 'feature-x' }));
      assert.equal(v.action, 'build');
      if (v.action !== 'build') return;
      assert.equal(v.event.kind, 'pull_request');
      assert.equal(v.event.sha, SHA);
      assert.equal(v.event.branch, 'feature-x');
      assert.equal(v.event.pullRequest?.fork, false);
      assert.equal(v.event.pullRequest?.baseBranch, 'master');
    });
  }

  for (const action of ['labeled', 'assigned', 'converted_to_draft']) {
    it(`skips ${action} with the reason`, () => {
      const v = normalize('pull_request', 'd', pullRequestPayload({ action }));
      assert.equal(v.action, 'skip');
      assert.match(v.action === 'skip' ? v.reason : '', new RegExp(`"${action}" is not built`));
    });
  }

  it('marks a pull request from another repository as a fork', () => {
    const v = normalize('pull_request', 'd', pullRequestPayload({ sha: SHA, headRepository: 'mallory/Hello-World' }));
    assert.equal(v.action === 'build' && v.event.pullRequest?.fork, true);
  });

  it('treats a deleted head repository (null) as a fork', () => {
    const v = normalize('pull_request', 'd', pullRequestPayload({ sha: SHA, headRepository: null }));
    assert.equal(v.action === 'build' && v.event.pullRequest?.fork, true);
  });

  it('treats a head repo that is itself a fork but the same repo as not a fork', () => {
    const p = pullRequestPayload({ sha: SHA });
    p.pull_request.head.repo.fork = true;
    const v = normalize('pull_request', 'd', p);
    assert.equal(v.action === 'build' && v.event.pullRequest?.fork, false);
  });
});

describe('normalize: other events', () => {
  it('answers ping', () => assert.deepEqual(normalize('ping', 'd', example('ping')), { action: 'ping' }));
  it('skips events it does not build', () => {
    const v = normalize('issues', 'd', example('issues'));
    assert.equal(v.action, 'skip');
    assert.match(v.action === 'skip' ? v.reason : '', /"issues" is not one Slipway builds/);
  });
});

/** Sets `path` (dot-separated) in a copy of `payload` to `value`, creating objects on the way. */
function withField(payload: any, path: string, value: unknown): any {
  const copy = structuredClone(payload);
  const keys = path.split('.');
  let at = copy;
  for (const key of keys.slice(0, -1)) {
    if (at[key] === null || typeof at[key] !== 'object') at[key] = {};
    at = at[key];
  }
  at[keys.at(-1)!] = value;
  return copy;
}

function reasonOf(eventName: string, payload: unknown): string {
  const v = normalize(eventName, 'd', payload);
  assert.equal(v.action, 'skip', `expected a skip, got ${JSON.stringify(v).slice(0, 200)}`);
  return v.action === 'skip' ? v.reason : '';
}

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
const valid: Record<string, () => unknown> = {
  push: () => pushPayload({ repository: 'acme/hello', branch: 'main', sha: SHA }),
  pull_request: () => pullRequestPayload({ action: 'opened', sha: SHA, branch: 'feature-x' }),
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

describe('normalize: hostile refs and clone URLs are refused with the reason', () => {
  const hostile: [string, string, string, unknown, RegExp][] = [
    ['an option as branch', 'push', 'ref', 'refs/heads/--upload-pack=touch /tmp/x', /not a valid git branch name/],
    ['.. in the branch', 'push', 'ref', 'refs/heads/main/../../x', /not a valid git branch name/],
    ['a control character in the branch', 'push', 'ref', 'refs/heads/ma\x01in', /not a valid git branch name/],
    ['a newline in the branch', 'push', 'ref', 'refs/heads/main\nx', /not a valid git branch name/],
    ['a .lock component', 'push', 'ref', 'refs/heads/x.lock/y', /not a valid git branch name/],
    ['an ext:: clone URL', 'push', 'repository.clone_url', 'ext::sh -c touch% /tmp/pwned', /clone URL/],
    ['an option as clone URL', 'push', 'repository.clone_url', '--config=core.sshCommand=touch /tmp/x', /clone URL/],
    ['file:///etc as clone URL', 'push', 'repository.clone_url', 'file:///etc', /clone URL/],
    ['an ssh host that is an option', 'push', 'repository.clone_url', 'ssh://git@-oProxyCommand=touch/x.git', /clone URL/],
    ['a control character in the clone URL', 'push', 'repository.clone_url', 'https://github.com/a/b.git\x00', /clone URL/],
    ['an option as PR head branch', 'pull_request', 'pull_request.head.ref', '-x', /not a valid git branch name/],
    ['an option as PR base branch', 'pull_request', 'pull_request.base.ref', '--upload-pack=x', /base branch/],
    ['an ext:: head clone URL', 'pull_request', 'pull_request.head.repo.clone_url', 'ext::sh -c x', /clone URL/],
    ['an ext:: base clone URL', 'pull_request', 'repository.clone_url', 'ext::sh -c x', /clone URL/],
    ['a PR head sha that is an option', 'pull_request', 'pull_request.head.sha', '--output=/tmp/x', /head sha/],
  ];
  for (const [name, eventName, field, value, reason] of hostile) {
    it(`refuses ${name}`, () => assert.match(reasonOf(eventName, withField(valid[eventName]!(), field, value)), reason));
  }

  it('keeps an echoed branch name short', () => {
    const reason = reasonOf('push', withField(valid.push!(), 'ref', `refs/heads/-${'x'.repeat(100_000)}`));
    assert.ok(reason.length < 300, `${reason.length} characters`);
  });

  it('keeps an echoed event name short', () => {
    const v = normalize('x'.repeat(10_000), 'd', {});
    assert.ok(v.action === 'skip' && v.reason.length < 300);
  });
});

describe('normalize: free text is bounded', () => {
  it('cuts a commit subject to 1000 characters and an author to 200', () => {
    const p = withField(withField(valid.push!(), 'head_commit.message', 'y'.repeat(50_000)), 'head_commit.author.username', 'z'.repeat(5_000));
    const v = normalize('push', 'd', p);
    assert.equal(v.action, 'build');
    assert.equal(v.action === 'build' && v.event.message?.length, 1000);
    assert.equal(v.action === 'build' && v.event.author?.length, 200);
  });
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

describe('normalize: deliveries to a GitHub App', () => {
  it('carries the installation id of a push and of a pull request', () => {
    const push = { ...pushPayload({ sha: SHA }), installation: { id: 4242, node_id: 'MDIzOkluc3RhbGxhdGlvbjQyNDI=' } };
    const pr = { ...pullRequestPayload({ sha: SHA }), installation: { id: 77, node_id: 'x' } };
    const p = normalize('push', 'd1', push);
    const r = normalize('pull_request', 'd2', pr);
    assert.equal(p.action === 'build' && p.event.installationId, 4242);
    assert.equal(r.action === 'build' && r.event.installationId, 77);
  });

  it('leaves it out when no App received the delivery, and skips one of another type', () => {
    const plain = pushPayload({ sha: SHA });
    delete plain.installation;
    const v = normalize('push', 'd1', plain);
    assert.equal(v.action === 'build' && 'installationId' in v.event, false);
    assert.deepEqual(normalize('push', 'd1', { ...plain, installation: { id: '4242' } }), { action: 'skip', reason: 'payload field installation.id is a string where GitHub sends a number' });
  });
});
