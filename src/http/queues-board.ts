import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import { Queue } from 'bullmq';
import type { RequestHandler } from 'express';
import type { Redis } from 'ioredis';
import { BUILD_QUEUE, DEPLOY_QUEUE, PREVIEW_QUEUE } from '../queue/jobs.ts';

/** Bull Board's UI links Google's fonts; the page falls back to system fonts, and no browser reaches off-site. */
const OFFSITE_FONTS = /<link href="https:\/\/fonts\.googleapis\.com\/[^"]*" rel="stylesheet">/g;

const DESCRIPTIONS: Readonly<Record<string, string>> = {
  [BUILD_QUEUE]: 'builds: clone, build, test, push',
  [DEPLOY_QUEUE]: 'deploys, rollbacks and promotions',
  [PREVIEW_QUEUE]: 'removals of closed pull requests\' previews',
};

export interface QueuesBoard {
  readonly handler: RequestHandler;
  close(): Promise<void>;
}

/**
 * Bull Board (a kept library: its UI and API know every BullMQ job state, which a hand-written page
 * would have to follow release by release) over Slipway's build, deploy and preview queues, read-only: a
 * job is retried, promoted or removed by Slipway's own rules (`slipway rerun`, `cancel`), never
 * from the board. Loaded on first use only (see queues-route.ts), so the server does not pay for it
 * at start. Mount it at `basePath`.
 */
export function createQueuesBoard(deps: { redis: Redis; queuePrefix: string; basePath: string }): QueuesBoard {
  const queues = [BUILD_QUEUE, DEPLOY_QUEUE, PREVIEW_QUEUE].map((name) => new Queue(name, { connection: deps.redis, prefix: deps.queuePrefix }));
  const serverAdapter = new ExpressAdapter().setBasePath(deps.basePath);
  createBullBoard({
    queues: queues.map((q) => new BullMQAdapter(q, { readOnlyMode: true, description: DESCRIPTIONS[q.name] ?? q.name })),
    serverAdapter,
    options: { uiConfig: { boardTitle: 'Slipway queues', hideDocsLink: true, miscLinks: [{ text: 'Builds', url: '/' }, { text: 'Environments', url: '/environments' }] } },
  });
  const board = serverAdapter.getRouter() as RequestHandler;
  const handler: RequestHandler = (req, res, next) => {
    const send = res.send.bind(res);
    res.send = (body?: unknown) => send(typeof body === 'string' && body.startsWith('<!DOCTYPE html>') ? body.replace(OFFSITE_FONTS, '') : body);
    board(req, res, next);
  };
  return { handler, close: async () => void (await Promise.all(queues.map((q) => q.close()))) };
}
