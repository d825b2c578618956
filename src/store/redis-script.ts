import type { Redis } from 'ioredis';

type Arg = string | number | Buffer;
export type ScriptCall = (...keysThenArgs: Arg[]) => Promise<unknown>;

/**
 * A Lua script that Redis runs by its SHA1 (EVALSHA) once the connection has sent it: ioredis's
 * `defineCommand`, which sends the whole text (EVAL) the first time on each connection and again
 * whenever Redis answers NOSCRIPT (after a restart or SCRIPT FLUSH). A plain EVAL sends the text
 * every time, and Redis hashes it every time: on the webhook's path, bytes and CPU on both sides
 * per delivery for nothing. `on(redis)` defines it on that client; call it when the adapter is
 * made, not on first use, because a pipeline ioredis has already opened (auto-pipelining) knows
 * only the commands defined before it.
 */
export function redisScript(name: string, numberOfKeys: number, lua: string): { on(redis: Redis): ScriptCall } {
  const command = `slipway_${name}`;
  return {
    on(redis) {
      const client = redis as unknown as Record<string, ScriptCall | undefined>;
      if (client[command] === undefined) redis.defineCommand(command, { numberOfKeys, lua });
      return (...keysThenArgs) => client[command]!(...keysThenArgs);
    },
  };
}
