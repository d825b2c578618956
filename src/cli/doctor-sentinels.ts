import { Redis } from 'ioredis';
import type { SentinelAddress } from '../config/config.ts';

/** What the sentinels of REDIS_SENTINELS say about the primary named REDIS_SENTINEL_NAME. */
export interface SentinelAnswers {
  /** host:port most of the answering sentinels name, if any names one */
  readonly primary?: string;
  /** sentinels that name that primary */
  readonly agreeing: number;
  /** one sentence per sentinel that did not answer, knows no such primary, or names another */
  readonly problems: readonly string[];
}

const address = (s: SentinelAddress) => (s.host.includes(':') ? `[${s.host}]:${s.port}` : `${s.host}:${s.port}`);

/** Asks every sentinel at once (one connection attempt each) which primary it knows by `name`. */
export async function askSentinels(sentinels: readonly SentinelAddress[], name: string, timeoutMs: number): Promise<SentinelAnswers> {
  const answers = await Promise.all(sentinels.map(async (s) => ({ sentinel: address(s), ...(await askOne(s, name, timeoutMs)) })));
  const votes = new Map<string, number>();
  for (const a of answers) if (a.primary) votes.set(a.primary, (votes.get(a.primary) ?? 0) + 1);
  const [primary, agreeing] = [...votes].sort((x, y) => y[1] - x[1])[0] ?? [undefined, 0];
  const problems = answers.flatMap((a) => {
    if (a.problem) return [`sentinel ${a.sentinel}: ${a.problem}`];
    if (a.primary !== primary) return [`sentinel ${a.sentinel} names ${a.primary} (a failover under way?)`];
    return [];
  });
  return { primary, agreeing, problems };
}

async function askOne(s: SentinelAddress, name: string, timeoutMs: number): Promise<{ primary?: string; problem?: string }> {
  const client = new Redis({ host: s.host, port: s.port, lazyConnect: true, connectTimeout: timeoutMs, commandTimeout: timeoutMs, maxRetriesPerRequest: 0, enableOfflineQueue: false, retryStrategy: () => null });
  let cause: string | undefined;
  client.on('error', (err: Error) => void (cause ??= err.message));
  try {
    await client.connect();
    const reply = (await client.call('SENTINEL', 'GET-MASTER-ADDR-BY-NAME', name)) as [string, string] | null;
    if (!reply) return { problem: `knows no primary named "${name}" (REDIS_SENTINEL_NAME; its \`sentinel monitor\` lines say which it watches)` };
    return { primary: `${reply[0]}:${reply[1]}` };
  } catch (err) {
    return { problem: `no answer: ${cause ?? ((err as Error).message || String(err))}` };
  } finally {
    client.disconnect();
  }
}
