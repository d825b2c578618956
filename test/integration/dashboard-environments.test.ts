import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import type { Build } from '../../src/core/build.ts';
import { accessibilityViolations, overflowingElements, screenshot, startBrowser, type TestBrowser } from '../support/browser.ts';
import { startDashboardServer, type DashboardServer } from '../support/dashboard-server.ts';
import { removeTempDirs } from '../support/temp-dir.ts';

after(removeTempDirs);

/** Pipelines as JSON (YAML reads it): web goes to staging, then to production once approved; api to production. */
const deployTo = (environment: string, port: number, more: object = {}) => ({ branch: 'main', environment, scheduler: 'docker', ...more, docker: { port } });
const WEB = JSON.stringify({ service: 'web', repository: 'acme/web', deploy: [deployTo('staging', 18090), deployTo('production', 18091, { approval: 'required', url: 'https://web.example.com' })] });
const API = JSON.stringify({ service: 'api', repository: 'acme/api', deploy: [deployTo('production', 18092)] });

/**
 * The Environments and Releases pages on seeded records (what the jobs write), in headless
 * Chromium: layout, accessibility, keyboard, and who sees the actions. The whole flow with real
 * pushes and a real approval is test/e2e/environments-page.test.ts.
 */
describe('the Environments and Releases pages in headless Chromium (seeded records)', () => {
  let s: DashboardServer;
  let browser: TestBrowser;
  const b: Record<string, Build> = {};
  before(async () => {
    [s, browser] = await Promise.all([startDashboardServer({ 'web.yml': WEB, 'api.yml': API }), startBrowser()]);
    b.web1 = await s.seed.build('web', { message: 'Add the pricing page' });
    await s.seed.release(b.web1, 'staging');
    await s.seed.release(b.web1, 'production', { requested: 'promote', from: 'staging' });
    b.web2 = await s.seed.build('web', { message: 'Faster search', author: 'grace' });
    await s.seed.release(b.web2, 'staging');
    await s.seed.hold(b.web2, 'production');
    b.api0 = await s.seed.build('api', { message: 'First api' });
    b.api1 = await s.seed.build('api', { message: 'Rate limits' });
    b.api2 = await s.seed.build('api', { message: 'New cache' });
    for (const x of [b.api0, b.api1, b.api2]) await s.seed.release(x, 'production');
    // `slipway rollback` took production from api2 back to api1: its release names what it replaced
    const back = await s.seed.release(b.api1, 'production', { rollback: true });
    await s.store.recordRelease({ ...back, replaced: b.api2.id, deployedAt: back.deployedAt + 1 });
  });
  after(async () => {
    await browser?.close();
    await s?.close();
  });

  const card = (page: Page, service: string, env: string) =>
    page.locator(`section[aria-label="${service} in ${env}"]`);
  const sha7 = (x: Build) => x.event.sha.slice(0, 7);

  it('shows each service × environment: what runs, how it came, and what waits for approval', async () => {
    const page = await s.signedInPage(browser, '/environments');
    await card(page, 'api', 'production').waitFor();
    const prod = await card(page, 'web', 'production').innerText();
    for (const part of ['approval required', `#${b.web1!.id}`, sha7(b.web1!), 'by promotion from staging', 'Waiting for approval since', `#${b.web2!.id}`, 'Faster search', 'grace', b.web2!.image!.digest!]) assert.ok(prod.includes(part), `web production shows ${part}: ${prod}`);
    assert.match(await card(page, 'web', 'staging').innerText(), new RegExp(`#${b.web2!.id}[\\s\\S]*by push`));
    assert.match(await card(page, 'api', 'production').innerText(), new RegExp(`#${b.api1!.id}[\\s\\S]*by rollback`));
    const link = card(page, 'web', 'production').getByRole('link', { name: sha7(b.web1!) });
    assert.equal(await link.getAttribute('href'), `${s.github.url}/acme/web/commit/${b.web1!.event.sha}`);
    assert.deepEqual(await card(page, 'web', 'production').getByRole('button').allInnerTexts(), ['Approve', 'Deploy…', 'Promote…', 'Roll back…']);
    assert.deepEqual(await accessibilityViolations(page), []);
    await screenshot(page, 'environments', { fullPage: true });
    browser.assertNoErrors();
  });

  it('fits a phone: one column, nothing wider than the screen', async () => {
    const page = await s.signedInPage(browser, '/environments', { phone: true });
    await card(page, 'api', 'production').waitFor();
    assert.deepEqual(await overflowingElements(page), []);
    const [staging, production] = await Promise.all(['staging', 'production'].map((e) => card(page, 'web', e).boundingBox()));
    assert.ok(staging && production && production.y > staging.y, 'the environments stack');
    browser.assertNoErrors();
  });

  it('works from the keyboard: Approve asks with the safe answer focused, Escape takes it back and changes nothing', async () => {
    const page = await s.signedInPage(browser, '/environments');
    const approve = card(page, 'web', 'production').getByRole('button', { name: 'Approve' });
    await approve.focus();
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog');
    await dialog.waitFor();
    assert.match(await dialog.innerText(), new RegExp(`web in production will run build #${b.web2!.id}, commit ${sha7(b.web2!)}, image ${b.web2!.image!.digest}`));
    assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'Keep it as it is');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    assert.equal((await s.store.get(b.web2!.id))!.deploys.find((d) => d.environment === 'production')?.state, 'held');
    browser.assertNoErrors();
  });

  it('roll back offers what slipway rollback may put back (not the release a rollback took away), preselecting its choice', async () => {
    const page = await s.signedInPage(browser, '/environments');
    await card(page, 'api', 'production').getByRole('button', { name: 'Roll back…' }).click();
    const list = page.getByLabel('Put back the release of');
    assert.equal(await list.inputValue(), b.api0!.id);
    assert.deepEqual(await list.locator('option').evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value)), [b.api0!.id]);
    await page.getByRole('button', { name: 'Continue' }).click();
    assert.match(await page.getByRole('dialog').innerText(), new RegExp(`api in production will run build #${b.api0!.id}, commit ${sha7(b.api0!)}`));
    await page.getByRole('button', { name: 'Keep it as it is' }).click();
    browser.assertNoErrors();
  });

  it('lets a phone see the Releases page as cards, nothing past the edge', async () => {
    const page = await s.signedInPage(browser, '/services/web/environments/production/releases', { phone: true });
    await page.locator('#releases tbody tr').first().waitFor();
    assert.deepEqual(await overflowingElements(page), []);
    browser.assertNoErrors();
  });

  it('offers no action to someone not signed in, only sign-in', async () => {
    const page = await browser.newPage();
    await page.goto(`${s.url}/environments`);
    await page.locator('#signin').waitFor();
    assert.equal(await page.getByRole('button', { name: /Approve|Deploy|Promote|Roll back/ }).count(), 0);
    browser.assertNoErrors();
  });

  it('lists the releases of one service and environment, newest first, as slipway releases does', async () => {
    const page = await s.signedInPage(browser, '/services/api/environments/production/releases');
    const rows = page.locator('#releases tbody tr');
    await rows.first().waitFor();
    const texts = await rows.allInnerTexts();
    assert.equal(texts.length, 5);
    assert.match(texts[0]!, new RegExp(`#${b.api1!.id}[\\s\\S]*${sha7(b.api1!)}[\\s\\S]*rollback[\\s\\S]*current`));
    assert.match(texts[2]!, new RegExp(`#${b.api2!.id}[\\s\\S]*push`));
    assert.equal(await page.title(), 'api in production · Releases · Slipway');
    assert.deepEqual(await accessibilityViolations(page), []);
    browser.assertNoErrors();
  });
});
