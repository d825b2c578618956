import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pino } from 'pino';
import { loadConfig } from '../../src/config/load-config.ts';
import type { Build } from '../../src/core/build.ts';
import type { EnvironmentsOverview } from '../../src/pipeline/environments-overview.ts';
import { startSlipway, type Running } from '../../workers/slipway.ts';
import { testEnv } from '../support/env.ts';
import { freePort } from '../support/free-port.ts';
import { seeder, type Seeder } from '../support/seed-builds.ts';
import { makeTempDir, removeTempDirs } from '../support/temp-dir.ts';

const TOKEN = 'environments-api-token';
const WEB = `service: web
repository: acme/web
deploy:
  - branch: main
    environment: staging
    scheduler: docker
    docker: { port: 18080 }
  - branch: release/*
    environment: production
    scheduler: docker
    approval: required
    url: https://web.example.com
    docker: { port: 18081 }
  - branch: main
    environment: production
    scheduler: docker
    docker: { port: 18081 }
`;
const API = 'service: api\nrepository: acme/api\ndeploy:\n  - branch: main\n    environment: production\n    scheduler: docker\n    docker: { port: 18082 }\n';

/** The read API the dashboard and `slipway --server` build on, over a server-only Slipway and real Redis. */
describe('GET /api/environments and GET /api/builds filters (server only, real Redis)', () => {
  let s: Running & { url: string };
  let seed: Seeder;
  const b: Record<string, Build> = {};
  const get = async (path: string, token: string | null = TOKEN) => fetch(`${s.url}${path}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });

  before(async () => {
    const dir = makeTempDir('slipway-pipelines-');
    writeFileSync(join(dir, 'web.yml'), WEB);
    writeFileSync(join(dir, 'api.yml'), API);
    const prefix = `envapi-${randomUUID()}`;
    const config = loadConfig({ PORT: String(await freePort()), REDIS_URL: testEnv().redisUrl, GITHUB_WEBHOOK_SECRET: 's', SLIPWAY_REGISTRY: '127.0.0.1:5000', SLIPWAY_PIPELINES_DIR: dir, SLIPWAY_REDIS_PREFIX: prefix, SLIPWAY_API_TOKEN: TOKEN });
    s = (await startSlipway(config, ['server'], pino({ level: 'silent' }))) as Running & { url: string };
    seed = seeder(testEnv().redisUrl, prefix);
    b.web1 = await seed.build('web', { message: 'First web' });
    b.web2 = await seed.build('web', { branch: 'release/2', author: 'Grace', message: 'Second web' });
    b.apiOld = await seed.build('api', {});
    b.apiNew = await seed.build('api', { author: 'grace' });
    b.webFailed = await seed.build('web', { state: 'failed', author: 'grace' });
    b.webPr = await seed.build('web', { branch: 'feature/x' });
    await seed.release(b.web1!, 'staging');
    await seed.release(b.web1!, 'production', { requested: 'promote', from: 'staging' });
    await seed.hold(b.web2!, 'production');
    await seed.release(b.apiNew!, 'production');
    await seed.release(b.apiOld!, 'production', { rollback: true });
    await seed.release(b.webPr!, 'pr-7');
  });
  after(async () => {
    await seed?.close();
    await s?.close();
    removeTempDirs();
  });

  it('needs the API token, like the rest of /api', async () => {
    assert.equal((await get('/api/environments', null)).status, 401);
    assert.equal((await get('/api/builds?service=web', 'wrong')).status, 401);
  });

  it('lists every service × environment from the pipelines and the recorded releases, with what runs and what waits', async () => {
    const { environments } = (await (await get('/api/environments')).json()) as EnvironmentsOverview;
    assert.deepEqual(environments.map((e) => [e.service, e.environment, e.defined]), [
      ['api', 'production', true],
      ['web', 'staging', true],
      ['web', 'production', true],
      ['web', 'pr-7', false],
    ]);
    const [api, staging, production, preview] = environments;
    assert.deepEqual(production?.branches, ['release/*', 'main']);
    assert.equal(production?.approval, 'required');
    assert.equal(production?.url, 'https://web.example.com');
    assert.deepEqual(
      { ...production?.running, since: typeof production?.running?.since },
      { buildId: b.web1!.id, sha: b.web1!.event.sha, repository: b.web1!.event.repository, branch: 'main', message: 'First web', author: 'ada', image: `127.0.0.1:5000/web@${b.web1!.image!.digest}`, digest: b.web1!.image!.digest, since: 'number', cause: 'promotion', from: 'staging' },
    );
    assert.deepEqual([production?.waiting?.buildId, production?.waiting?.branch, production?.waiting?.author], [b.web2!.id, 'release/2', 'Grace']);
    assert.equal(staging?.running?.cause, 'push');
    assert.equal(staging?.waiting, undefined);
    assert.deepEqual([api?.running?.buildId, api?.running?.cause], [b.apiOld!.id, 'rollback']);
    assert.deepEqual([preview?.running?.buildId, preview?.running?.branch, preview?.branches], [b.webPr!.id, 'feature/x', []]);
  });

  it('filters builds by service, branch, state and author (case-insensitive), newest first', async () => {
    const ids = async (query: string) => ((await (await get(`/api/builds?${query}`)).json()) as { builds: Build[] }).builds.map((x) => x.id);
    assert.deepEqual(await ids('service=api'), [b.apiNew!.id, b.apiOld!.id]);
    assert.deepEqual(await ids('service=web&branch=main'), [b.webFailed!.id, b.web1!.id]);
    assert.deepEqual(await ids('state=failed'), [b.webFailed!.id]);
    assert.deepEqual(await ids('author=GRACE'), [b.webFailed!.id, b.apiNew!.id, b.web2!.id]);
    assert.deepEqual(await ids('service=web&author=grace&state=passed'), [b.web2!.id]);
    assert.deepEqual(await ids('service=nothing'), []);
  });

  it('pages with next until the last page, which has none', async () => {
    const seen: string[] = [];
    let query = 'service=web&limit=2';
    for (let pages = 0; pages < 5; pages += 1) {
      const page = (await (await get(`/api/builds?${query}`)).json()) as { builds: Build[]; next?: string };
      seen.push(...page.builds.map((x) => x.id));
      if (!page.next) break;
      assert.equal(page.next, page.builds.at(-1)?.id);
      query = `service=web&limit=2&before=${page.next}`;
    }
    assert.deepEqual(seen, [b.webPr!.id, b.webFailed!.id, b.web2!.id, b.web1!.id]);
    const filtered = (await (await get('/api/builds?author=grace&limit=1')).json()) as { builds: Build[]; next?: string };
    assert.deepEqual([filtered.builds.map((x) => x.id), filtered.next], [[b.webFailed!.id], b.webFailed!.id]);
  });

  it('refuses an unknown state with 400 naming the known ones', async () => {
    const res = await get('/api/builds?state=green');
    assert.equal(res.status, 400);
    assert.match(((await res.json()) as { error: string }).error, /state is one of queued, running, passed, failed, error, cancelled, skipped, not "green"/);
  });
});
