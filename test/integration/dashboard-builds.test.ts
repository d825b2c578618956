import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Build } from '../../src/core/build.ts';
import { accessibilityViolations, overflowingElements, screenshot, startBrowser, type TestBrowser } from '../support/browser.ts';
import { startDashboardServer, type DashboardServer } from '../support/dashboard-server.ts';
import { removeTempDirs } from '../support/temp-dir.ts';

after(removeTempDirs);

const HOSTILE = 'Fix <script>window.__injected = "script"</script><img src=x onerror="window.__injected = \'img\'"> & more';

describe('the Builds page (/) in headless Chromium', () => {
  let s: DashboardServer;
  let browser: TestBrowser;
  const builds: Build[] = [];
  before(async () => {
    [s, browser] = await Promise.all([startDashboardServer(), startBrowser()]);
    // 30 builds, oldest first: a second page, and something for every filter.
    for (let i = 0; i < 30; i++) {
      const service = i % 3 === 0 ? 'api' : 'web';
      const state = i % 5 === 0 ? 'failed' : 'passed';
      builds.push(await s.seed.build(service, { branch: i % 2 ? 'main' : `feature/${i}`, author: i % 4 === 0 ? 'grace' : 'ada', state, message: `Change number ${i}\n\nBody text that is not shown in the list` }));
    }
    const newest = await s.seed.build('web', { branch: 'main', author: 'ada', state: 'passed', message: HOSTILE });
    await s.seed.release(newest, 'production');
    builds.push((await s.store.get(newest.id))!);
  });
  after(async () => {
    await browser?.close();
    await s?.close();
  });

  const rowIds = (page: import('playwright-core').Page) => page.locator('#rows tr').evaluateAll((rows) => rows.map((r) => r.id.replace('build-', '')));

  it('lists the newest first, each row with its service, branch, commit link, first message line, author, state and deploys', async () => {
    const page = await s.signedInPage(browser, '/');
    const newest = builds.at(-1)!;
    await page.locator(`#build-${newest.id}`).waitFor();
    const ids = await rowIds(page);
    assert.equal(ids.length, 25);
    assert.deepEqual(ids, builds.slice(-25).reverse().map((b) => b.id));
    const row = page.locator(`#build-${newest.id}`);
    assert.equal(await row.locator('td[data-label=Message]').textContent(), HOSTILE);
    const sha = row.locator('td[data-label=Commit] a');
    assert.equal(await sha.textContent(), newest.event.sha.slice(0, 7));
    assert.equal(await sha.getAttribute('href'), `${s.github.url}/acme/web/commit/${newest.event.sha}`);
    assert.match((await row.locator('td[data-label=State]').textContent())!, /^passed · \d+ s$/);
    assert.equal(await row.locator('td[data-label=Deploys]').textContent(), 'production succeeded');
    const first = builds[29]!;
    assert.equal(await page.locator(`#build-${first.id} td[data-label=Message]`).textContent(), 'Change number 29');
    assert.equal(await page.evaluate(() => (window as { __injected?: unknown }).__injected), undefined, 'nothing in a commit message runs');
    await screenshot(page, 'builds');
    assert.deepEqual(await accessibilityViolations(page), []);
    browser.assertNoErrors();
  });

  it('filters by service, state and author through labelled fields, with the filters in the URL', async () => {
    const page = await s.signedInPage(browser, '/');
    await page.getByLabel('Service').fill('api');
    await page.getByLabel('State').selectOption('failed');
    await page.getByLabel('Author').fill('grace');
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.waitForURL(/\/\?service=api&state=failed&author=grace$/);
    const want = builds.filter((b) => b.service === 'api' && b.state === 'failed' && b.event.author === 'grace').reverse().map((b) => b.id);
    assert.ok(want.length > 0);
    await page.waitForFunction((n) => document.querySelectorAll('#rows tr').length === n, want.length);
    assert.deepEqual(await rowIds(page), want);
    assert.equal(await page.getByLabel('Service').inputValue(), 'api');
    browser.assertNoErrors();
  });

  it('filters by branch from a link, and pages to older builds', async () => {
    const page = await s.signedInPage(browser, '/?branch=main');
    const want = builds.filter((b) => b.event.branch === 'main').reverse().map((b) => b.id);
    await page.waitForFunction((n) => document.querySelectorAll('#rows tr').length === n, want.length);
    assert.deepEqual(await rowIds(page), want);
    assert.equal(await page.getByLabel('Branch').inputValue(), 'main');

    await page.goto(`${s.url}/`);
    await page.getByRole('link', { name: 'Older →' }).click();
    await page.waitForURL(/before=/);
    await page.waitForFunction(() => document.querySelectorAll('#rows tr').length === 6);
    assert.deepEqual(await rowIds(page), builds.slice(0, 6).reverse().map((b) => b.id));
    assert.equal(await page.getByRole('link', { name: 'Older →' }).count(), 0);
    browser.assertNoErrors();
  });

  it('shows new builds and state changes as they happen, without reloading', async () => {
    const page = await s.signedInPage(browser, '/?service=web');
    await page.locator('#rows tr').first().waitFor();
    await page.evaluate(() => ((window as { __sameDocument?: boolean }).__sameDocument = true));
    const fresh = await s.seed.build('web', { branch: 'main', state: 'running', message: 'Arrives while you look' });
    const row = page.locator(`#build-${fresh.id}`);
    await row.waitFor();
    assert.equal(await row.locator('td[data-label=Message]').textContent(), 'Arrives while you look');
    assert.match((await row.locator('td[data-label=State]').textContent())!, /^running/);
    await s.store.update(fresh.id, (b) => Object.assign(b, { state: 'failed', finishedAt: b.startedAt! + 42_000 }));
    await row.locator('td[data-label=State] .state.failed').waitFor();
    assert.equal(await page.evaluate(() => (window as { __sameDocument?: boolean }).__sameDocument), true, 'the page was not reloaded');
    browser.assertNoErrors();
  });

  it('asks anonymous people to sign in instead of showing builds', async () => {
    const page = await browser.newPage();
    await page.goto(`${s.url}/?service=web`);
    const link = page.locator('#signin');
    await link.waitFor();
    assert.equal(await link.getAttribute('href'), '/auth/github/login?next=%2F%3Fservice%3Dweb');
    assert.equal(await page.locator('#rows tr').count(), 0);
    browser.assertNoErrors();
  });

  it('fits a phone: no sideways scrolling', async () => {
    const page = await s.signedInPage(browser, '/', { phone: true });
    await page.locator('#rows tr').first().waitFor();
    assert.deepEqual(await overflowingElements(page), [], 'nothing is wider than the phone');
    await screenshot(page, 'builds-phone');
    assert.deepEqual(await accessibilityViolations(page), []);
    browser.assertNoErrors();
  });
});
