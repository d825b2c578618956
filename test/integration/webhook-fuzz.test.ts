/**
 * Seeded random input against the real HTTP route, the real receiver and real Redis. Every case is
 * invalid by construction (a wrong type or hostile value in a field Slipway reads, broken UTF-8,
 * deep nesting, a missing or wrong signature, a body too large, ...), so the checks are: no answer
 * is a 5xx (503 only where the in-flight cap is the point), every answer says why, the process
 * keeps serving, and nothing is queued or recorded. A valid delivery at the end proves the check
 * sees builds when there are some. Reproduce a failure with SLIPWAY_FUZZ_SEED=<seed printed>.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { loadConfig } from '../../src/config/load-config.ts';
import { signBody } from '../../src/webhook/verify-signature.ts';
import { startSlipway, type Running } from '../../workers/slipway.ts';
import { testEnv } from '../support/env.ts';
import { freePort } from '../support/free-port.ts';

const SEED = Number(process.env.SLIPWAY_FUZZ_SEED ?? 0x5eed_2024);
const CASES = 600;
const SECRET = 'fuzz-secret';
const examples = createRequire(import.meta.url)('@octokit/webhooks-examples/api.github.com/index.json') as { name: string; examples: any[] }[];
const starts = (event: string) => examples.find((e) => e.name === event)?.examples ?? [];

/** mulberry32: small, fast, and the same sequence for the same seed everywhere */
function generator(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  const pick = <T>(items: readonly T[]): T => items[int(items.length)]!;
  return { next, int, pick };
}
type Random = ReturnType<typeof generator>;

type Kind = 'string' | 'object' | 'boolean' | 'number';
/** Every field normalize reads: its path, the type GitHub sends, and whether GitHub may send null. */
const READ: Record<string, [string, Kind, boolean?][]> = {
  push: [
    ['ref', 'string'], ['after', 'string'], ['deleted', 'boolean'], ['repository', 'object'], ['repository.full_name', 'string'],
    ['repository.clone_url', 'string'], ['head_commit', 'object', true], ['head_commit.message', 'string'], ['head_commit.author', 'object'],
    ['head_commit.author.name', 'string'], ['head_commit.author.username', 'string'], ['pusher', 'object'], ['pusher.name', 'string'],
  ],
  pull_request: [
    ['action', 'string'], ['number', 'number'], ['repository', 'object'], ['repository.full_name', 'string'], ['repository.clone_url', 'string'],
    ['sender', 'object'], ['sender.login', 'string'], ['pull_request', 'object'], ['pull_request.title', 'string'], ['pull_request.user', 'object', true],
    ['pull_request.user.login', 'string'], ['pull_request.head', 'object'], ['pull_request.head.ref', 'string'], ['pull_request.head.sha', 'string'],
    ['pull_request.head.repo', 'object', true], ['pull_request.head.repo.full_name', 'string'], ['pull_request.head.repo.clone_url', 'string'],
    ['pull_request.base', 'object'], ['pull_request.base.ref', 'string'], ['pull_request.base.repo', 'object'], ['pull_request.base.repo.full_name', 'string'],
  ],
};

const HOSTILE_BRANCHES = ['--upload-pack=touch /tmp/pwned', '-', 'a..b', 'x\u0000y', 'x\ny', 'x\u001b[31m', '.hidden', 'a.lock/b', 'a b', '@{-1}', 'x'.repeat(300), 'a\\b', 'a:b', 'a~1'];
const HOSTILE_URLS = [
  'ext::sh -c touch% /tmp/pwned', '--config=core.sshCommand=touch /tmp/pwned', 'file:///etc', 'file:///', '-oProxyCommand=touch /tmp/pwned',
  'ssh://-oProxyCommand=touch@x/y', 'ssh://git@-oProxyCommand=touch/x.git', 'fd::3', 'https://github.com/a/b.git\u0001', 'file:///srv/git/../../etc/x.git',
  '', 'git@host:-x', 'https://a b/c.git', `https://${'a'.repeat(3000)}.com/x.git`,
];
const HOSTILE_SHAS = ['--output=/tmp/pwned', 'HEAD', 'a'.repeat(39), 'A'.repeat(40), `${'a'.repeat(40)}\n`, '-'.repeat(40), ''];
const HOSTILE: Record<string, string[]> = {
  ref: HOSTILE_BRANCHES.map((b) => `refs/heads/${b}`),
  after: HOSTILE_SHAS,
  'repository.clone_url': HOSTILE_URLS,
  'pull_request.head.ref': HOSTILE_BRANCHES,
  'pull_request.base.ref': HOSTILE_BRANCHES,
  'pull_request.head.sha': HOSTILE_SHAS,
  'pull_request.head.repo.clone_url': HOSTILE_URLS,
};

function nested(depth: number, r: Random): unknown {
  let value: unknown = 'bottom';
  for (let i = 0; i < depth; i++) value = r.next() < 0.5 ? [value] : { n: value };
  return value;
}

function nestedText(depth: number, r: Random): string {
  const opens: string[] = [];
  for (let i = 0; i < depth; i++) opens.push(r.next() < 0.5 ? '[' : '{"n":');
  return opens.join('') + '"bottom"' + opens.reverse().map((o) => (o === '[' ? ']' : '}')).join('');
}

/** A JSON value of any type but `kind` (and not null where GitHub may send null). */
function wrongValue(kind: Kind, nullable: boolean, r: Random): unknown {
  const all: [Kind | 'null' | 'array', () => unknown][] = [
    ['string', () => r.pick(['', 'x', '0', 'true', '{}', '\u0000', 'é'.repeat(r.int(50))])],
    ['number', () => r.pick([0, -1, 1.5, 2 ** 53 + 2, -0, 1e308, r.int(1000)])],
    ['boolean', () => r.next() < 0.5],
    ['null', () => null],
    ['array', () => r.pick([[], ['x'], [1, 2], [{}]])],
    ['object', () => r.pick([{}, { x: 1 }, { full_name: 5 }, nested(1 + r.int(20), r)])],
  ];
  const wrong = all.filter(([k]) => k !== kind && !(nullable && k === 'null'));
  const extra = kind === 'number' ? [() => r.pick([0, -3, 1.5])] : []; // right type, impossible value
  const makers = [...wrong.map(([, make]) => make), ...extra];
  return r.pick(makers)();
}

function setPath(target: any, path: string, value: unknown): void {
  const keys = path.split('.');
  let at = target;
  for (const key of keys.slice(0, -1)) {
    if (at[key] === null || typeof at[key] !== 'object' || Array.isArray(at[key])) at[key] = {};
    at = at[key];
  }
  at[keys.at(-1)!] = value;
}

interface Case {
  readonly what: string;
  readonly body: Buffer;
  readonly headers: Record<string, string>;
}

function headersFor(event: string, body: Buffer, extra: Record<string, string> = {}): Record<string, string> {
  return { 'content-type': 'application/json', 'x-github-event': event, 'x-github-delivery': randomUUID(), 'x-hub-signature-256': signBody(SECRET, body), ...extra };
}

/** Bytes that are never valid UTF-8: a lone continuation, a cut sequence, a surrogate, an overlong, a 5-byte lead. */
const BAD_UTF8 = [[0xff], [0x80], [0xc3], [0xe2, 0x82], [0xed, 0xa0, 0x80], [0xc0, 0xaf], [0xf8, 0x88, 0x80, 0x80, 0x80]];

function makeCase(r: Random): Case {
  const event = r.pick(['push', 'pull_request'] as const);
  const payload = structuredClone(r.pick(starts(event)));
  const json = () => Buffer.from(JSON.stringify(payload));
  switch (r.int(10)) {
    case 0:
    case 1:
    case 2: {
      const [path, kind, nullable] = r.pick(READ[event]!);
      const value = wrongValue(kind, nullable ?? false, r);
      setPath(payload, path, value);
      const body = json();
      return { what: `${event}: ${path} = ${JSON.stringify(value)?.slice(0, 80)}`, body, headers: headersFor(event, body) };
    }
    case 3: {
      const path = r.pick(Object.keys(HOSTILE).filter((p) => READ[event]!.some(([read]) => read === p)));
      const value = r.pick(HOSTILE[path]!);
      setPath(payload, path, value);
      const body = json();
      return { what: `${event}: hostile ${path} = ${JSON.stringify(value).slice(0, 80)}`, body, headers: headersFor(event, body) };
    }
    case 4: {
      const text = JSON.stringify(payload);
      const quotes = [...text.matchAll(/":"/g)].map((m) => m.index! + 3);
      const at = r.pick(quotes);
      const bad = r.pick(BAD_UTF8);
      const body = Buffer.concat([Buffer.from(text.slice(0, at)), Buffer.from(bad), Buffer.from(text.slice(at))]);
      const form = r.next() < 0.3;
      if (form) {
        const encoded = Buffer.from(`payload=${encodeURIComponent(text.slice(0, at))}${bad.map((b) => `%${b.toString(16).toUpperCase()}`).join('')}${encodeURIComponent(text.slice(at))}`);
        return { what: `${event}: form payload with bytes ${bad} at ${at}`, body: encoded, headers: headersFor(event, encoded, { 'content-type': 'application/x-www-form-urlencoded' }) };
      }
      return { what: `${event}: bytes ${bad} at ${at}`, body, headers: headersFor(event, body) };
    }
    case 5: {
      // built as text: JSON.stringify itself overflows the stack on values this deep
      const depth = 65 + r.int(r.next() < 0.2 ? 20_000 : 200);
      const [path] = r.pick([...READ[event]!, ['compare', 'string'] as [string, Kind], ['zz', 'string'] as [string, Kind]]);
      const marker = `deep-${randomUUID()}`;
      setPath(payload, path, marker);
      const body = Buffer.from(JSON.stringify(payload).replace(`"${marker}"`, nestedText(depth, r)));
      return { what: `${event}: ${path} nested ${depth} deep`, body, headers: headersFor(event, body) };
    }
    case 6: {
      const body = json();
      const variants: [string, () => Record<string, string>][] = [
        ['no signature', () => { const h = headersFor(event, body); delete h['x-hub-signature-256']; return h; }],
        ['signature of another body', () => headersFor(event, body, { 'x-hub-signature-256': signBody(SECRET, body.subarray(1)) })],
        ['signature with another secret', () => headersFor(event, body, { 'x-hub-signature-256': signBody('not-the-secret', body) })],
        ['sha1 signature', () => headersFor(event, body, { 'x-hub-signature-256': `sha1=${'a'.repeat(40)}` })],
        ['short signature', () => headersFor(event, body, { 'x-hub-signature-256': signBody(SECRET, body).slice(0, -1) })],
        ['junk signature', () => headersFor(event, body, { 'x-hub-signature-256': 'sha256=' + 'g'.repeat(64) })],
      ];
      const [name, make] = r.pick(variants);
      return { what: `${event}: valid payload, ${name}`, body, headers: make() };
    }
    case 7: {
      const body = json();
      const variants: [string, Record<string, string>][] = [
        ['event header of the other event', { 'x-github-event': event === 'push' ? 'pull_request' : 'push' }],
        ['unknown event', { 'x-github-event': r.pick(['issues', 'PUSH', 'pull_request_review', 'x'.repeat(2000), '../../push']) }],
        ['gzip content encoding', { 'content-encoding': 'gzip' }],
        ['empty delivery id', { 'x-github-delivery': '' }],
      ];
      const [name, extra] = r.pick(variants);
      return { what: `${event}: valid payload, ${name}`, body, headers: headersFor(event, body, extra) };
    }
    case 8: {
      const text = JSON.stringify(payload);
      const choices: [string, () => Buffer][] = [
        ['truncated JSON', () => Buffer.from(text.slice(0, r.int(text.length)))],
        ['random bytes', () => Buffer.from(Array.from({ length: 1 + r.int(2000) }, () => r.int(256)))],
        ['a JSON array of the payload', () => Buffer.from(`[${text}]`)],
        ['a JSON scalar', () => Buffer.from(r.pick(['5', '"push"', 'null', 'true', '""']))],
        ['an empty body', () => Buffer.alloc(0)],
      ];
      const [name, make] = r.pick(choices);
      const body = make();
      return { what: `${event}: ${name}`, body, headers: headersFor(event, body) };
    }
    default: {
      // several read fields wrong at once
      const fields = READ[event]!;
      const count = 2 + r.int(4);
      const changed: string[] = [];
      for (let i = 0; i < count; i++) {
        const [path, kind, nullable] = r.pick(fields);
        setPath(payload, path, wrongValue(kind, nullable ?? false, r));
        changed.push(path);
      }
      const body = json();
      return { what: `${event}: ${changed.join(', ')} all wrong`, body, headers: headersFor(event, body) };
    }
  }
}

async function send(url: string, c: Case): Promise<{ status: number; retryAfter: string | null; body: any }> {
  const res = await fetch(`${url}/webhooks/github`, { method: 'POST', headers: c.headers, body: new Uint8Array(c.body) });
  const text = await res.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = text;
  }
  return { status: res.status, retryAfter: res.headers.get('retry-after'), body };
}

/** Keys that would mean a build, a delivery or a job was recorded (BullMQ writes a queue's `meta` when it opens it). */
async function recordedKeys(redis: Redis, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, batch] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
    cursor = next;
    keys.push(...batch);
  } while (cursor !== '0');
  return keys.filter((k) => /build|deliver|queue|release/.test(k.slice(prefix.length)) && !/:queue:[^:]+:meta$/.test(k)).sort();
}

describe(`webhook fuzz: ${CASES} seeded invalid deliveries against the real route (seed ${SEED})`, () => {
  const repository = 'Codertocat/Hello-World'; // the examples' repository: a valid delivery would build
  const prefix = `fuzz-${randomUUID()}`;
  const pipelines = mkdtempSync(join(tmpdir(), 'slipway-pipelines-'));
  let s: Running & { url: string };
  let redis: Redis;
  before(async () => {
    writeFileSync(join(pipelines, 'hello.yml'), `service: hello\nrepository: ${repository}\n`);
    const config = loadConfig({
      PORT: String(await freePort()),
      REDIS_URL: testEnv().redisUrl,
      GITHUB_WEBHOOK_SECRET: SECRET,
      SLIPWAY_REGISTRY: '127.0.0.1:5000',
      SLIPWAY_PIPELINES_DIR: pipelines,
      SLIPWAY_REDIS_PREFIX: prefix,
    });
    s = (await startSlipway(config, ['server'], pino({ level: 'silent' }))) as Running & { url: string };
    redis = new Redis(testEnv().redisUrl, { maxRetriesPerRequest: 3 });
    for (const deadline = Date.now() + 10_000; (await fetch(`${s.url}/healthz`)).status !== 200; await new Promise((r) => setTimeout(r, 50))) {
      if (Date.now() > deadline) throw new Error('Redis did not come up within 10 s');
    }
  });
  after(async () => {
    await s?.close();
    redis?.disconnect();
    rmSync(pipelines, { recursive: true, force: true });
  });

  it('answers every case 4xx, 202 or (ping) 200 with a reason, and records nothing', async () => {
    const r = generator(SEED);
    const seen = new Map<number, number>();
    const started = Date.now();
    for (let i = 0; i < CASES; i++) {
      const c = makeCase(r);
      const answer = await send(s.url, c);
      const where = `case ${i} (seed ${SEED}): ${c.what} -> ${answer.status} ${JSON.stringify(answer.body).slice(0, 200)}`;
      seen.set(answer.status, (seen.get(answer.status) ?? 0) + 1);
      assert.ok([200, 202, 400, 401, 413, 415].includes(answer.status), where);
      if (answer.status === 200) assert.equal(c.headers['x-github-event'], 'ping', where);
      if (answer.status === 202) assert.equal(typeof answer.body?.skipped, 'string', where);
      if (answer.status >= 400) assert.equal(typeof answer.body?.error, 'string', where);
      assert.equal(answer.body?.queued, undefined, where);
    }
    assert.deepEqual(await recordedKeys(redis, prefix), [], `seed ${SEED}`);
    // Each family of answers was reached, so the run exercised every layer.
    for (const status of [202, 400, 401, 415]) assert.ok((seen.get(status) ?? 0) > 0, `no ${status} in ${JSON.stringify([...seen])}`);
    assert.ok(Date.now() - started < 20_000, `took ${Date.now() - started} ms`);
  });

  it('answers bodies over 25 MB 413 and a burst of large wrongly signed bodies 401 or 503, keeping nothing', async () => {
    const r = generator(SEED + 1);
    const big = Buffer.alloc(25 * 1024 ** 2 + 1 + r.int(1024), 0x20);
    assert.equal((await send(s.url, { what: 'over 25 MB', body: big, headers: headersFor('push', big) })).status, 413);
    const burst = Array.from({ length: 4 }, () => Buffer.alloc(20 * 1024 ** 2, 0x20 + r.int(90)));
    const answers = await Promise.all(burst.map((body) => send(s.url, { what: 'burst', body, headers: headersFor('push', body, { 'x-hub-signature-256': signBody('wrong', body) }) })));
    for (const a of answers) {
      assert.ok(a.status === 401 || (a.status === 503 && Number(a.retryAfter) > 0), `${a.status} ${JSON.stringify(a.body)}`);
    }
    assert.deepEqual(await recordedKeys(redis, prefix), []);
  });

  it('still serves, and records a valid delivery (so the checks above can see one)', async () => {
    assert.equal((await fetch(`${s.url}/healthz`)).status, 200);
    const payload = structuredClone(starts('push').find((p) => p.ref.startsWith('refs/heads/') && !p.deleted));
    const body = Buffer.from(JSON.stringify(payload));
    const answer = await send(s.url, { what: 'valid push', body, headers: headersFor('push', body) });
    assert.equal(answer.status, 202, JSON.stringify(answer.body));
    assert.equal(answer.body.queued.length, 1);
    assert.notDeepEqual(await recordedKeys(redis, prefix), []);
  });
});
