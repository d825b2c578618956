import { z } from 'zod';
import type { SentinelAddress } from './config.ts';

// host:port, the host a name or IPv4 address, or an IPv6 address in brackets ([::1]:26379)
const ENTRY = /^(?:\[([0-9A-Fa-f:.]+)\]|([A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?)):(\d{1,5})$/;

/**
 * REDIS_SENTINELS: `host:port,host:port`, spaces around entries allowed. Each entry that is not
 * host:port is named in the problem, so an operator sees which one to fix.
 */
export const SentinelList = z.string().transform((text, ctx): SentinelAddress[] => {
  const entries = text.split(',').map((e) => e.trim()).filter(Boolean);
  const sentinels: SentinelAddress[] = [];
  for (const entry of entries) {
    const m = ENTRY.exec(entry);
    const port = m ? Number(m[3]) : 0;
    if (!m || port < 1 || port > 65535) {
      ctx.addIssue({ code: 'custom', message: `"${entry}" is not host:port (e.g. 10.0.0.5:26379); sentinels are listed as host:port,host:port` });
      continue;
    }
    sentinels.push({ host: m[1] ?? m[2]!, port });
  }
  if (entries.length === 0) ctx.addIssue({ code: 'custom', message: 'lists no sentinel: host:port,host:port' });
  return sentinels;
});
