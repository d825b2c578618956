import { performance } from 'node:perf_hooks';
import { getHeapStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/**
 * How often the process looks at itself: a little over the 5 s over which V8 judges the allocation
 * rate, so that the collection after an idle look sees only that quiet time, and shrinks.
 */
const CHECK_MS = 6_000;
/** Idle: the event loop was busy less than this share of the last CHECK_MS. */
const IDLE_UTILIZATION = 0.02;
/** Heap grown by this much since the last idle spell left it is worth giving back. */
const GROWN_BYTES = 4 * 1024 ** 2;
/** Collections per idle spell at most (V8's own memory reducer also stops after three). */
const MAX_COLLECTIONS = 3;

/**
 * Gives the memory a busy spell left back to the system once the process is idle: full garbage
 * collections, CHECK_MS apart, until one gives back less than GROWN_BYTES (after at least two),
 * whenever the heap has grown GROWN_BYTES past the least it held while idle.
 * The first finds the garbage; V8 shrinks its young generation (grown to 2 × 16 MB by any burst of
 * short-lived objects, such as a few thousand webhook deliveries, or start-up) only in one that
 * comes after a few seconds of low allocation, which is the second. The old generation's emptied
 * pages go back too.
 *
 * V8's memory reducer does the same by itself, but it arms only after a full collection, which a
 * burst of garbage that dies young may never cause: RSS then stays where the burst left it (one
 * run in four in `npm run bench:webhook`, README "How fast"). Costs a look every 6 s and, after
 * each busy spell, two or three collections of a few milliseconds while nothing else runs.
 */
export function giveBackMemoryWhenIdle(checkMs = CHECK_MS): { stop(): void } {
  const collect = fullCollection();
  let restingHeap = 0; // the least the heap held while idle; 0 until the first spell ends, so start-up's garbage is given back too
  let collections = 0; // in this idle spell; MAX_COLLECTIONS once it is over
  let before = performance.eventLoopUtilization();
  const timer = setInterval(() => {
    const now = performance.eventLoopUtilization();
    const idle = performance.eventLoopUtilization(now, before).utilization < IDLE_UTILIZATION;
    before = now;
    if (!idle) collections = 0;
    const heap = getHeapStatistics().total_heap_size;
    if (idle) restingHeap = Math.min(restingHeap, heap); // V8 gave some back by itself
    if (!idle || collections >= MAX_COLLECTIONS || (collections === 0 && heap < restingHeap + GROWN_BYTES)) return;
    collect();
    collections++;
    const after = getHeapStatistics().total_heap_size;
    if (collections === MAX_COLLECTIONS || (collections >= 2 && heap - after < GROWN_BYTES)) [restingHeap, collections] = [after, MAX_COLLECTIONS];
    before = performance.eventLoopUtilization(); // the collection itself is not activity
  }, checkMs).unref();
  return { stop: () => clearInterval(timer) };
}

/** V8's `gc()`, which `--expose-gc` defines in contexts made after it is set (Node's documented way to get it at run time). */
function fullCollection(): () => void {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}
