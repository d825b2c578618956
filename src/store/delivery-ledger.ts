import type { Redis } from 'ioredis';

/** GitHub lets a delivery be redelivered for 3 days; remember ids a little longer. */
const TTL_SECONDS = 4 * 24 * 3600;
/** A claim whose work was never confirmed (the process died mid-way) lapses after this. */
const PENDING_SECONDS = 60;

/**
 * Remembers which webhook deliveries were taken, so a redelivery (same X-GitHub-Delivery) queues
 * nothing new. BullMQ forgets a job id once the job is removed; this record outlives that.
 */
export interface DeliveryLedger {
  /** true the first time an id is claimed, false for every later claim while remembered; lapses unless confirmed */
  claim(deliveryId: string): Promise<boolean>;
  /** the delivery's work is queued: remember the id for as long as GitHub may redeliver it */
  confirm(deliveryId: string): Promise<void>;
  /** forget a claim whose work could not be queued, so GitHub's redelivery is taken */
  release(deliveryId: string): Promise<void>;
}

export function createDeliveryLedger(redis: Redis, prefix: string): DeliveryLedger {
  const key = (id: string) => `${prefix}:delivery:${id}`;
  return {
    async claim(id) {
      return (await redis.set(key(id), String(Date.now()), 'EX', PENDING_SECONDS, 'NX')) === 'OK';
    },
    async confirm(id) {
      await redis.expire(key(id), TTL_SECONDS);
    },
    async release(id) {
      await redis.del(key(id));
    },
  };
}
