import { performance } from 'node:perf_hooks';
import { getHeapStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** How often the process looks at itself. */
const CHECK_MS = 5_000;
/** Idle: the event loop was busy less than this share of the last CHECK_MS. */
const IDLE_UTILIZATION = 0.02;
/** Heap grown by this much since the last collection is worth giving back. */
const GROWN_BYTES = 4 * 1024 ** 2;

/**
 * Gives the memory a busy spell left back to the system once the process has been idle for a few
 * seconds: one full garbage collection, which then shrinks V8's young generation (grown to 2 × 16 MB
 * by any burst of short-lived objects, such as a few thousand webhook deliveries) because it sees
 * the allocation rate is low, and frees the old generation's empty pages.
 *
 * V8 would do the same by itself through its memory reducer, but it arms that only after a full
 * collection, which a burst of garbage that dies young never causes: without this, RSS stays where
 * the burst left it (measured with `npm run bench:webhook`, README "How fast"). Costs a check every
 * 5 s and, after each busy spell, one collection of a few milliseconds while nothing else runs.
 */
export function giveBackMemoryWhenIdle(): { stop(): void } {
  const collect = fullCollection();
  let heapAfterLast = 0; // the first idle spell gives back what start-up left
  let before = performance.eventLoopUtilization();
  const timer = setInterval(() => {
    const now = performance.eventLoopUtilization();
    const idle = performance.eventLoopUtilization(now, before).utilization < IDLE_UTILIZATION;
    before = now;
    if (!idle || getHeapStatistics().total_heap_size < heapAfterLast + GROWN_BYTES) return;
    collect();
    heapAfterLast = getHeapStatistics().total_heap_size;
    before = performance.eventLoopUtilization(); // the collection itself is not activity
  }, CHECK_MS).unref();
  return { stop: () => clearInterval(timer) };
}

/** V8's `gc()`, which `--expose-gc` defines in contexts made after it is set (Node's documented way to get it at run time). */
function fullCollection(): () => void {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}
