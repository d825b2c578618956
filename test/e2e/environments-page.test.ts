import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import Docker from 'dockerode';
import type { Page } from 'playwright-core';
import type { Build, DeployRecord } from '../../src/core/build.ts';
import { startGitHubOAuthEmulator, type GitHubOAuthEmulator } from '../emulators/github-oauth.ts';
import { screenshot, startBrowser, type TestBrowser } from '../support/browser.ts';
import { testEnv } from '../support/env.ts';
import { freePort } from '../support/free-port.ts';
import { startGitHubFront, type GitHubFront } from '../support/github-front.ts';
import { signIn } from '../support/sign-in-flow.ts';
import { helloApp, stagingThenApprovedProduction, startHarness, type Harness } from './harness.ts';

const OAUTH = { clientId: 'Iv1.environments', clientSecret: 'environments-oauth-secret-0123456789' };
const FINAL = new Set(['succeeded', 'failed', 'rolled_back', 'skipped', 'error']);
/** What a commit message and a branch name try to run; none of it may. */
const MESSAGE = 'Ship it <img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>';
const BRANCH = 'x"><svg/onload=window.__pwned=3>';

/**
 * The Environments, Releases and Queues pages in a real headless Chromium, on the whole product
 * (real Redis, Docker, registry and git; GitHub emulated, sign-in included): main deploys to
 * staging at once and waits for approval in production; a signed-in person approves from the page.
 */
describe('Environments page: what runs where, and approving from the browser', { timeout: 600_000 }, () => {
  let h: Harness;
  let oauth: GitHubOAuthEmulator;
  let front: GitHubFront;
  let browser: TestBrowser;
  let session: { name: string; value: string; url: string };
  let stagingPort: number;
  let main: Build;
  let branch: Build;

  before(async () => {
    oauth = await startGitHubOAuthEmulator({ ...OAUTH, members: { acme: ['ada'] }, signedInAs: 'ada' });
    front = await startGitHubFront(oauth.url);
    const [port, staging] = [await freePort(), await freePort()];
    stagingPort = staging;
    h = await startHarness({
      env: {
        PORT: String(port), SLIPWAY_PUBLIC_URL: `http://127.0.0.1:${port}`, GITHUB_API_URL: front.url,
        SLIPWAY_GITHUB_OAUTH_CLIENT_ID: OAUTH.clientId, SLIPWAY_GITHUB_OAUTH_CLIENT_SECRET: OAUTH.clientSecret, SLIPWAY_GITHUB_ORG: 'acme',
      },
      pipeline: stagingThenApprovedProduction(staging),
    });
    front.api = h.github.url;
    const cookie = (await signIn(h.slipway.url, '/environments')).session!;
    session = { name: 'slipway_session', value: cookie.slice(cookie.indexOf('=') + 1), url: h.slipway.url };
    browser = await startBrowser();
  });
  after(async () => {
    await browser?.close();
    await h?.close();
    await Promise.all([front?.close(), oauth?.close()]);
    const docker = new Docker({ socketPath: testEnv().dockerHost.replace(/^unix:\/\//, '') });
    for (const name of [`slipway-${h?.service}-staging`, `slipway-${h?.service}-staging-previous`]) await docker.getContainer(name).remove({ force: true }).catch(() => undefined);
  });

  /** the API as the signed-in person (GitHub sign-in closes it to anonymous requests) */
  const getBuild = async (id: string) => (await (await fetch(`${h.slipway.url}/api/builds/${id}`, { headers: { cookie: `${session.name}=${session.value}` } })).json()) as Build;
  const until = async <T>(what: string, read: () => Promise<T | undefined>, seen: () => Promise<unknown>, timeoutMs = 180_000): Promise<T> => {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const value = await read();
      if (value !== undefined) return value;
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(await seen())}\n${h.operatorLog.slice(-15).join('')}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  };
  const deploy = (b: Build, env: string, ready: (d: DeployRecord) => boolean) =>
    until(`build ${b.id}'s deploy to ${env}`, async () => {
      const build = await getBuild(b.id);
      if (['failed', 'error', 'cancelled', 'skipped'].includes(build.state)) throw new Error(`build ${b.id} ended ${build.state}: ${build.detail}`);
      return build.deploys.filter((d) => d.environment === env).find(ready);
    }, () => getBuild(b.id));
  const pushed = async (sha: string, message: string, onBranch?: string) => {
    const res = await h.push(sha, message, onBranch);
    assert.equal(res.status, 202, JSON.stringify(res.body));
    return getBuild(String(res.body.queued[0].id));
  };
  const sha7 = (b: Build) => b.event.sha.slice(0, 7);
  const card = (page: Page, env: string) => page.locator('section.env', { has: page.locator('h3', { hasText: new RegExp(`^${env}`) }) });
  const open = async (path: string) => {
    const page = await browser.newPage({ cookies: [session] });
    await page.goto(`${h.slipway.url}${path}`);
    return page;
  };

  it('shows what runs in each environment after a push deploys, and what waits for approval', async () => {
    main = await pushed(h.repo.commit(helloApp('Hello, version one'), MESSAGE), MESSAGE);
    branch = await pushed(h.repo.commit(helloApp('Hello from a branch'), 'On a branch', BRANCH), 'On a branch', BRANCH);
    assert.equal((await deploy(main, 'staging', (d) => FINAL.has(d.state))).state, 'succeeded');
    await deploy(main, 'production', (d) => d.state === 'held');
    main = await getBuild(main.id);
    const page = await open('/environments');
    const staging = card(page, 'staging');
    await staging.getByText(sha7(main)).waitFor({ timeout: 30_000 });
    const text = await staging.innerText();
    for (const part of [`#${main.id}`, sha7(main), main.image!.digest!, 'by push', 'main']) assert.ok(text.includes(part), `staging card shows ${part}: ${text}`);
    assert.ok(text.includes(MESSAGE), 'the message is shown as text, as written');
    assert.equal(await staging.getByRole('link', { name: sha7(main) }).getAttribute('href'), `${front.url}/${h.repository}/commit/${main.event.sha}`);
    const production = await card(page, 'production').innerText();
    assert.match(production, /Nothing released here yet/);
    assert.match(production, /Waiting for approval since/);
    assert.ok(production.includes(`#${main.id}`) && production.includes(main.image!.digest!));
    assert.equal(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned), undefined);
    assert.equal(await page.locator('main img, main script, main svg').count(), 0, 'nothing from the message became markup');
    browser.assertNoErrors();
  });

  it('approve asks first, naming exactly what will run; the held deploy then goes out without a reload', async () => {
    const page = await open('/environments');
    const production = card(page, 'production');
    await production.getByRole('button', { name: 'Approve' }).click();
    const dialog = page.getByRole('dialog');
    const question = await dialog.innerText();
    for (const part of [h.service, 'production', `build #${main.id}`, `commit ${sha7(main)}`, main.image!.digest!]) assert.ok(question.includes(part), `the question names ${part}: ${question}`);
    await dialog.getByRole('button', { name: 'Keep it as it is' }).click();
    assert.equal((await getBuild(main.id)).deploys.find((d) => d.environment === 'production')?.state, 'held', 'saying no changes nothing');

    await page.evaluate(() => void ((window as unknown as { __same?: boolean }).__same = true));
    await production.getByRole('button', { name: 'Approve' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Approve' }).click();
    await page.getByRole('status').getByText(`of build #${main.id} to production is queued`).waitFor({ timeout: 30_000 });
    await production.getByText('by approval').waitFor({ timeout: 180_000 });
    assert.match(await production.innerText(), new RegExp(`Running[\\s\\S]*#${main.id}[\\s\\S]*${sha7(main)}`));
    assert.doesNotMatch(await production.innerText(), /Waiting for approval/);
    assert.equal(await page.evaluate(() => (window as unknown as { __same?: boolean }).__same), true, 'the page was not reloaded');
    assert.equal((await deploy(main, 'production', (d) => FINAL.has(d.state))).state, 'succeeded');
    browser.assertNoErrors();
  });

  it('deploy offers pushed builds of any branch by their names as text, and names what will run before it runs', async () => {
    branch = await until(`build ${branch.id} pushed`, async () => ((b) => (b.image?.digest ? b : undefined))(await getBuild(branch.id)), () => getBuild(branch.id));
    const page = await open('/environments');
    await card(page, 'staging').getByRole('button', { name: 'Deploy…' }).click();
    const list = page.getByLabel(`Pushed build of ${h.service}`);
    await list.waitFor(); // the dialog opens once the pushed builds are fetched
    const options = await list.locator('option').allInnerTexts();
    assert.ok(options.some((o) => o.includes(BRANCH)), `the branch is listed as written: ${options.join(' | ')}`);
    await list.selectOption(branch.id);
    await page.getByRole('button', { name: 'Continue' }).click();
    const question = await page.getByRole('dialog').innerText();
    for (const part of [`build #${branch.id}`, `commit ${sha7(branch)}`, branch.image!.digest!, 'staging']) assert.ok(question.includes(part), `the question names ${part}: ${question}`);
    await page.getByRole('button', { name: 'Keep it as it is' }).click();
    assert.equal(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned), undefined);
    assert.match((await fetch(`http://127.0.0.1:${stagingPort}/index.html`).then((r) => r.text())), /version one/, 'staging still runs what it ran');
    browser.assertNoErrors();
  });

  it('lists the releases of production, and shows the queues behind sign-in', async () => {
    const page = await open(`/services/${h.service}/environments/production/releases`);
    const row = page.locator('#releases tbody tr').first();
    await row.waitFor({ timeout: 30_000 });
    const text = await row.innerText();
    for (const part of [`#${main.id}`, sha7(main), main.image!.digest!, 'approval', 'current']) assert.ok(text.includes(part), `the release row shows ${part}: ${text}`);
    const queues = await open('/queues');
    await queues.getByText('build', { exact: true }).first().waitFor({ timeout: 30_000 });
    await queues.getByText(/^\d+ Jobs?$/).first().waitFor({ timeout: 30_000 }); // the queues' cards, not the board's "Loading…"
    await queues.getByText('Loading...').waitFor({ state: 'detached', timeout: 30_000 });
    await screenshot(queues, 'queues');
    const anonymous = await browser.newPage();
    const landed = await anonymous.goto(`${h.slipway.url}/queues`);
    const hops: string[] = [];
    for (let r = landed?.request().redirectedFrom(); r; r = r.redirectedFrom()) hops.unshift(new URL(r.url()).pathname);
    assert.deepEqual(hops.slice(0, 3), ['/queues', '/auth/github/login', '/login/oauth/authorize'], 'a browser not signed in is sent to sign in first');
    browser.assertNoErrors();
  });
});
