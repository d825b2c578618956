import { setTimeout as sleep } from 'node:timers/promises';
import { type Build, isFinal, type DeployRecord } from '../core/build.ts';
import type { BuildStore } from '../core/ports/build-store.ts';
import type { CommandIo } from './cli-runtime.ts';

const POLL_MS = 300;

/** What following a rollout reads: the build record and its log, from Redis or from a server's API. */
export interface DeployReads {
  build(id: string): Promise<Build | undefined>;
  log(id: string, from: number): Promise<{ readonly lines: readonly string[]; readonly next: number }>;
}

/** The reads of a rollout straight from the store. */
export function storeReads(store: BuildStore): DeployReads {
  return { build: (id) => store.get(id), log: (id, from) => store.readLog(id, from) };
}

export interface Followed {
  readonly buildId: string;
  readonly deployId: string;
  readonly environment: string;
  /** the log line to print from (the build log's length before the deploy was queued) */
  readonly fromLine: number;
}

/**
 * Prints the deploy's progress (its environment's lines of the build log) until it ends, then
 * returns its final record; undefined when it has not ended within `timeoutMs` (or its build
 * record is gone). Polls `reads`: the store (Redis only, no server needed) or, with --server, the API.
 */
export async function followDeploy(reads: DeployReads, io: CommandIo, followed: Followed, timeoutMs: number): Promise<DeployRecord | undefined> {
  const until = Date.now() + timeoutMs;
  const prefix = `[${followed.environment}] `;
  let next = followed.fromLine;
  for (;;) {
    const build = await reads.build(followed.buildId);
    const deploy = build?.deploys.find((d) => d.id === followed.deployId);
    const page = await reads.log(followed.buildId, next);
    next = page.next;
    for (const line of page.lines) if (line.startsWith(prefix)) io.out(`  ${line}\n`);
    if (!deploy) return undefined;
    if (isFinal(deploy.state)) return deploy;
    if (Date.now() > until) return undefined;
    await sleep(POLL_MS);
  }
}

/** Where the build log ends now: following starts there. */
export async function logEnd(reads: DeployReads, buildId: string): Promise<number> {
  return (await reads.log(buildId, 0)).next;
}
