import express, { type Request, type Router } from 'express';
import { BUILD_LOG_SCRIPT } from './assets/build-log-script.ts';
import { BUILD_MAIN, BUILD_SCRIPT } from './assets/build-script.ts';
import { BUILDS_MAIN, BUILDS_SCRIPT } from './assets/builds-script.ts';
import { COMMON_SCRIPT } from './assets/common-script.ts';
import { ENVIRONMENTS_MAIN, ENVIRONMENTS_SCRIPT } from './assets/environments-script.ts';
import { ENVIRONMENTS_CSS } from './assets/environments-styles.ts';
import { RELEASES_MAIN, RELEASES_SCRIPT } from './assets/releases-script.ts';
import { DASHBOARD_CSS } from './dashboard-styles.ts';
import { DASHBOARD_POLICY, dashboardHtml, type DashboardPage, type PageContext } from './dashboard-layout.ts';

export interface DashboardOptions {
  /** where commits link to: `https://github.com`, or a GitHub Enterprise host */
  readonly githubWebUrl: string;
  /** whether cancel and rerun are served (their buttons show for signed-in people) */
  readonly buildActions: boolean;
  /** GitHub sign-in, when set up: who is signed in on a request */
  readonly signIn?: { readonly path: string; session(req: Request): { login: string; csrf: string } | undefined };
}

/** `/assets/<name>`: the scripts and the stylesheet, one file each, cached briefly. */
const ASSETS: Record<string, { type: string; body: string }> = {
  'common.js': { type: 'text/javascript', body: COMMON_SCRIPT },
  'builds.js': { type: 'text/javascript', body: BUILDS_SCRIPT },
  'build.js': { type: 'text/javascript', body: BUILD_SCRIPT },
  'build-log.js': { type: 'text/javascript', body: BUILD_LOG_SCRIPT },
  'environments.js': { type: 'text/javascript', body: ENVIRONMENTS_SCRIPT },
  'releases.js': { type: 'text/javascript', body: RELEASES_SCRIPT },
  'dashboard.css': { type: 'text/css', body: DASHBOARD_CSS + ENVIRONMENTS_CSS },
};

const PAGES: Record<string, DashboardPage> = {
  '/': { title: 'Builds', nav: 'Builds', main: BUILDS_MAIN, scripts: ['builds'] },
  '/builds/:id': { title: 'Build', nav: 'Builds', main: BUILD_MAIN, scripts: ['build-log', 'build'] },
  '/environments': { title: 'Environments', nav: 'Environments', main: ENVIRONMENTS_MAIN, scripts: ['environments'] },
  '/services/:service/environments/:environment/releases': { title: 'Releases', nav: 'Environments', main: RELEASES_MAIN, scripts: ['releases'] },
};

/**
 * The dashboard: `/` lists builds (filters in the query, paged, live), `/builds/:id` shows one
 * build with its stages, deploys and live log. Static shells and scripts; the data comes from
 * the API (`/api/builds…`, behind its guard) and its Server-Sent Events.
 */
export function dashboardRoutes(options: DashboardOptions): Router {
  const router = express.Router();
  for (const [path, page] of Object.entries(PAGES)) {
    router.get(path, (req, res) => {
      const context: PageContext = { githubWebUrl: options.githubWebUrl, buildActions: options.buildActions, signIn: options.signIn?.path, session: options.signIn?.session(req) };
      res.set({ 'Content-Security-Policy': DASHBOARD_POLICY, 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff', 'Referrer-Policy': 'same-origin' });
      res.type('html').send(dashboardHtml(page, context));
    });
  }
  router.get('/assets/:name', (req, res, next) => {
    const asset = Object.hasOwn(ASSETS, req.params.name) ? ASSETS[req.params.name] : undefined;
    if (!asset) return next();
    res.set({ 'Cache-Control': 'public, max-age=300', 'X-Content-Type-Options': 'nosniff' });
    res.type(asset.type).send(asset.body);
  });
  return router;
}
