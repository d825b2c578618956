/**
 * The raw floor for `npm run bench:webhook`: node:http, HMAC-SHA256 over the raw body compared in
 * constant time, one XADD of the delivery to a Redis stream, 202. No dedupe, no records, no
 * statuses: what the least a receiver that keeps a delivery can do costs.
 * Usage: node --import tsx scripts/bench/raw-receiver.ts (env REDIS_URL, SECRET, PORT).
 */
import { Redis } from 'ioredis';
import { serveSignedDeliveries } from './signed-receiver.ts';

const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');

serveSignedDeliveries((d) => redis.xadd('bench:deliveries', '*', 'delivery', d.id, 'event', d.event, 'body', d.body));
