/**
 * `npm run demo`: plays GitHub against a Slipway started by `npm run up`. Makes a git repository
 * from test/fixtures/hello-app (under .slipway/demo), commits a change, sends the signed `push`
 * webhook GitHub would send for `acme/hello`, then follows the build until it is deployed.
 *
 *   npm run demo                 # push a new commit to main and deploy it
 *   npm run demo -- --fail       # push a commit whose tests fail
 */
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { join, resolve } from 'node:path';
import { signBody } from '../src/webhook/verify-signature.ts';
import { pushPayload } from '../test/fixtures/payloads.ts';

const repo = resolve(new URL('..', import.meta.url).pathname);
const demoDir = join(repo, '.slipway', 'demo');
const settings = readSettings();
const base = `http://127.0.0.1:${settings.PORT ?? 3000}`;

function readSettings(): Record<string, string> {
  const file = join(repo, '.slipway', 'local.env');
  if (!existsSync(file)) throw new Error('no .slipway/local.env: start Slipway with `npm run up` first');
  return Object.fromEntries(readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => l.split(/=(.*)/s).slice(0, 2) as [string, string]));
}

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, encoding: 'utf8' }).trim();
}

function commit(fail: boolean): { sha: string; url: string; message: string } {
  const bare = join(demoDir, 'hello.git');
  const work = join(demoDir, 'work');
  if (!existsSync(bare)) {
    execFileSync('git', ['init', '--quiet', '--bare', '--initial-branch=main', bare]);
    execFileSync('git', ['init', '--quiet', '--initial-branch=main', work]);
    git(work, 'remote', 'add', 'origin', bare);
  }
  cpSync(join(repo, 'test/fixtures/hello-app'), work, { recursive: true });
  const message = fail ? 'Break the page (demo)' : `Update the page (demo ${new Date().toISOString()})`;
  writeFileSync(join(work, 'www/index.html'), fail ? '<h1>Goodbye</h1>\n' : `<!doctype html><h1>Hello from Slipway</h1><p>${message}</p>\n`);
  git(work, 'add', '--all');
  git(work, '-c', 'user.name=Demo', '-c', 'user.email=demo@example.com', 'commit', '--quiet', '-m', message);
  git(work, 'push', '--quiet', 'origin', 'main');
  return { sha: git(work, 'rev-parse', 'HEAD'), url: `file://${bare}`, message };
}

async function main(): Promise<void> {
  const { sha, url, message } = commit(process.argv.includes('--fail'));
  const body = JSON.stringify(pushPayload({ repository: 'acme/hello', cloneUrl: url, branch: 'main', sha, message, author: 'demo' }));
  const res = await fetch(`${base}/webhooks/github`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-github-event': 'push',
      'x-github-delivery': randomUUID(),
      'x-hub-signature-256': signBody(settings.GITHUB_WEBHOOK_SECRET ?? '', body),
    },
    body,
  });
  const reply = (await res.json()) as { queued?: { id: string }[] };
  console.log(`push ${sha.slice(0, 7)} → ${res.status} ${JSON.stringify(reply)}`);
  const id = reply.queued?.[0]?.id;
  if (!id) process.exit(1);
  console.log(`Build page: ${base}/builds/${id}`);
  let from = 0;
  for (;;) {
    const log = (await (await fetch(`${base}/api/builds/${id}/logs?format=json&from=${from}`)).json()) as { lines: string[]; next: number; finished: boolean };
    for (const line of log.lines) console.log(`  ${line}`);
    from = log.next;
    if (log.finished) break;
    await new Promise((r) => setTimeout(r, 500));
  }
  const build = (await (await fetch(`${base}/api/builds/${id}`)).json()) as { state: string; deploys: { environment: string; state: string }[] };
  console.log(`Build ${build.state}; deploys: ${build.deploys.map((d) => `${d.environment} ${d.state}`).join(', ') || 'none'}`);
  if (build.deploys.some((d) => d.state === 'succeeded')) console.log('The service answers at http://127.0.0.1:18780/index.html');
}

main().catch((err) => {
  console.error(`demo: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
