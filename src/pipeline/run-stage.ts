import type { Build, StageName, StageRecord } from '../core/build.ts';
import type { BuildLog } from '../core/ports/build-log.ts';
import type { BuildDeps } from './deps.ts';
import { publishBuild } from './publish.ts';

/** A stage's verdict when it did not throw: done, or the user's code failed with a reason. */
export type StageOutcome<T> = { ok: true; value: T; detail?: string } | { ok: false; detail: string };

/**
 * Runs one stage: marks it running (record + commit status), runs `work`, and records how it
 * ended. Exceptions are recorded as `error` on the stage and rethrown for the runner to classify.
 */
export async function runStage<T>(
  deps: BuildDeps,
  buildId: string,
  name: StageName,
  log: BuildLog,
  work: () => Promise<StageOutcome<T>>,
): Promise<StageOutcome<T>> {
  log.line(`── ${name} ──`);
  const running = await deps.store.update(buildId, (b) => setStage(b, name, { state: 'running', startedAt: Date.now() }));
  await publishBuild(deps, running);
  try {
    const outcome = await work();
    await deps.store.update(buildId, (b) =>
      setStage(b, name, { state: outcome.ok ? 'passed' : 'failed', finishedAt: Date.now(), detail: outcome.detail }),
    );
    return outcome;
  } catch (err) {
    await deps.store.update(buildId, (b) => setStage(b, name, { state: 'error', finishedAt: Date.now(), detail: (err as Error).message }));
    throw err;
  }
}

export function setStage(build: Build, name: StageName, change: Partial<StageRecord>): void {
  const stage = build.stages.find((s) => s.name === name);
  if (stage) Object.assign(stage, change);
}
