/**
 * Seeded invalid webhook deliveries for the fuzz test (test/integration/webhook-fuzz.test.ts): a small
 * seeded generator and makeCase, which turns one of @octokit/webhooks-examples' push or pull_request
 * payloads into a delivery that is wrong by construction (a field Slipway reads given the wrong type or a
 * hostile value, broken UTF-8, deep nesting, a missing or wrong signature, ...), signed with FUZZ_SECRET.
 */
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { signBody } from '../../src/webhook/verify-signature.ts';

/** the webhook secret the fuzzed server is configured with */
export const FUZZ_SECRET = 'fuzz-secret';
const examples = createRequire(import.meta.url)('@octokit/webhooks-examples/api.github.com/index.json') as { name: string; examples: any[] }[];
export const starts = (event: string) => examples.find((e) => e.name === event)?.examples ?? [];

/** mulberry32: small, fast, and the same sequence for the same seed everywhere */
export function generator(seed: number) {
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

export interface Case {
  readonly what: string;
  readonly body: Buffer;
  readonly headers: Record<string, string>;
}

export function headersFor(event: string, body: Buffer, extra: Record<string, string> = {}): Record<string, string> {
  return { 'content-type': 'application/json', 'x-github-event': event, 'x-github-delivery': randomUUID(), 'x-hub-signature-256': signBody(FUZZ_SECRET, body), ...extra };
}

/** Bytes that are never valid UTF-8: a lone continuation, a cut sequence, a surrogate, an overlong, a 5-byte lead. */
const BAD_UTF8 = [[0xff], [0x80], [0xc3], [0xe2, 0x82], [0xed, 0xa0, 0x80], [0xc0, 0xaf], [0xf8, 0x88, 0x80, 0x80, 0x80]];

export function makeCase(r: Random): Case {
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
        ['signature of another body', () => headersFor(event, body, { 'x-hub-signature-256': signBody(FUZZ_SECRET, body.subarray(1)) })],
        ['signature with another secret', () => headersFor(event, body, { 'x-hub-signature-256': signBody('not-the-secret', body) })],
        ['sha1 signature', () => headersFor(event, body, { 'x-hub-signature-256': `sha1=${'a'.repeat(40)}` })],
        ['short signature', () => headersFor(event, body, { 'x-hub-signature-256': signBody(FUZZ_SECRET, body).slice(0, -1) })],
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
