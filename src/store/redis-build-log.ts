import type { Redis } from 'ioredis';
import type { BuildLog, LogPage } from '../core/ports/build-log.ts';

const MAX_LINE = 8_192;
/** lines per EVAL: keeps each command (and Lua's unpack) small however chatty a tick was */
const CHUNK = 1_000;
/** SLIPWAY_LOG_MAX_LINES' default */
export const DEFAULT_LOG_MAX_LINES = 50_000;

/**
 * The Redis keys of one build log: `head` (the log's own key, `<p>:build:<id>:log`) holds the
 * first lines; `tail` the last ones, trimmed from its front once the log passes its cap; `cut`
 * counts the lines trimmed. Line n of the log is head[n], then tail[n - head - cut].
 */
export function logKeys(key: string): { readonly head: string; readonly tail: string; readonly cut: string } {
  return { head: key, tail: `${key}:tail`, cut: `${key}:cut` };
}

// KEYS: head, tail, cut. ARGV: head size, tail size, lines… The head fills first; then the tail
// takes the rest and drops its oldest lines past its size, counting them. Atomic, so concurrent
// writers (the build job, deploy jobs) and readers never see a half-cut log.
const APPEND = `
local headMax, tailMax, n = tonumber(ARGV[1]), tonumber(ARGV[2]), #ARGV
local i = 3
local room = headMax - redis.call('LLEN', KEYS[1])
while i <= n and room > 0 do
  local last = math.min(n, i + room - 1)
  redis.call('RPUSH', KEYS[1], unpack(ARGV, i, last))
  room = room - (last - i + 1)
  i = last + 1
end
if i <= n then
  redis.call('RPUSH', KEYS[2], unpack(ARGV, i, n))
  local over = redis.call('LLEN', KEYS[2]) - tailMax
  if over > 0 then
    redis.call('LTRIM', KEYS[2], over, -1)
    redis.call('INCRBY', KEYS[3], over)
  end
end
return 0`;

// KEYS: head, tail, cut. ARGV: from. One consistent view: sizes and the lines from `from` on.
const READ = `
local from = tonumber(ARGV[1])
local headLen = redis.call('LLEN', KEYS[1])
local cut = tonumber(redis.call('GET', KEYS[3]) or '0')
local head = {}
if from < headLen then head = redis.call('LRANGE', KEYS[1], from, -1) end
local tail = redis.call('LRANGE', KEYS[2], math.max(0, from - headLen - cut), -1)
return {headLen, cut, redis.call('LLEN', KEYS[2]), head, tail}`;

/**
 * A build log in Redis, capped at `maxLines`: past it, the first half and the last half are
 * kept and the lines between are counted (see `readRedisBuildLog`). `line` buffers and
 * schedules one append per tick, so a chatty build costs few round trips; writes stay in order
 * because each batch waits for the one before it.
 */
export function createRedisBuildLog(redis: Redis, key: string, maxLines = DEFAULT_LOG_MAX_LINES): BuildLog {
  const keys = logKeys(key);
  const headMax = Math.ceil(maxLines / 2);
  const tailMax = maxLines - headMax;
  let pending: string[] = [];
  let chain: Promise<void> = Promise.resolve();
  let scheduled = false;

  function append(lines: string[]): Promise<void> {
    return redis.eval(APPEND, 3, keys.head, keys.tail, keys.cut, headMax, tailMax, ...lines).then(() => undefined);
  }

  function drain(): void {
    scheduled = false;
    const batch = pending;
    pending = [];
    for (let i = 0; i < batch.length; i += CHUNK) {
      const chunk = batch.slice(i, i + CHUNK);
      chain = chain.then(() => append(chunk)).catch(() => undefined);
    }
  }

  return {
    line(text) {
      for (const l of text.split('\n')) pending.push(l.length > MAX_LINE ? `${l.slice(0, MAX_LINE)}…` : l);
      if (!scheduled) {
        scheduled = true;
        setImmediate(drain);
      }
    },
    async flush() {
      drain();
      await chain;
    },
  };
}

/**
 * The log from line `from` on, numbered as written. A reader that has not seen some lines that
 * were cut gets one line `… <n> lines cut …` in their place, then the kept last lines; `next`
 * is the number of lines ever written (or `from`, if beyond), so a reader following a live log
 * resumes exactly where the log stands, across any cut.
 */
export async function readRedisBuildLog(redis: Redis, key: string, from = 0): Promise<LogPage> {
  const keys = logKeys(key);
  const [headLen, cut, tailLen, head, tail] = (await redis.eval(READ, 3, keys.head, keys.tail, keys.cut, from)) as [number, number, number, string[], string[]];
  const tailStart = headLen + cut;
  const missed = tailStart - Math.max(from, headLen);
  const lines = missed > 0 ? [...head, cutMarker(missed), ...tail] : [...head, ...tail];
  return { lines, next: Math.max(from, tailStart + tailLen) };
}

/** The line that stands for the lines cut from the middle of a log. */
export function cutMarker(lines: number): string {
  return `… ${lines} lines cut …`;
}
