/**
 * The library floor for `npm run bench:webhook`: the raw receiver with BullMQ's `Queue.add` (job id
 * = delivery id, the delivery as the job's data) in place of the XADD. What any BullMQ-based
 * receiver pays at least.
 * Usage: node --import tsx scripts/bench/bullmq-receiver.ts (env REDIS_URL, SECRET, PORT).
 */
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { serveSignedDeliveries } from './signed-receiver.ts';

const connection = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { maxRetriesPerRequest: null });
const queue = new Queue('deliveries', { connection, prefix: 'bench' });

serveSignedDeliveries(
  (d) => queue.add('delivery', { delivery: d.id, event: d.event, body: d.body.toString('utf8') }, { jobId: d.id }),
  queue.waitUntilReady(),
);
