import express, { type Router } from 'express';
import { DASHBOARD_HTML } from './dashboard-page.ts';

/** The dashboard: `/` lists builds, `/builds/:id` shows one build with its live log. One page, client-rendered. */
export function dashboardRoutes(): Router {
  const router = express.Router();
  const page: express.RequestHandler = (_req, res) => {
    res.set('Content-Security-Policy', "default-src 'self'; script-src 'unsafe-inline'; style-src 'unsafe-inline'");
    res.type('html').send(DASHBOARD_HTML);
  };
  router.get('/', page);
  router.get('/builds/:id', page);
  return router;
}
