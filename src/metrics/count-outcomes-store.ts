import { isFinal } from '../core/build.ts';
import type { BuildStore } from '../core/ports/build-store.ts';
import type { OutcomeCounts } from './outcome-counts.ts';

/**
 * The store, counting every build and deploy it writes into an outcome (see outcome-counts.ts for
 * why in Redis). Counting never fails a write: a count that could not be made is lost, the
 * record is not.
 */
export function withOutcomeCounts(store: BuildStore, counts: OutcomeCounts, onError: (err: unknown, about: { build: string; deploy?: string }) => void): BuildStore {
  const quietly = (p: Promise<void>, about: { build: string; deploy?: string }) => p.catch((err: unknown) => onError(err, about));
  return {
    ...store,
    create: (...a) => store.create(...a),
    get: (...a) => store.get(...a),
    list: (...a) => store.list(...a),
    addDeploy: (...a) => store.addDeploy(...a),
    unsettled: (...a) => store.unsettled(...a),
    log: (...a) => store.log(...a),
    readLog: (...a) => store.readLog(...a),
    release: (...a) => store.release(...a),
    recordRelease: (...a) => store.recordRelease(...a),
    releases: (...a) => store.releases(...a),
    async update(id, mutate) {
      const build = await store.update(id, mutate);
      if (isFinal(build.state) && build.finishedAt !== undefined) await quietly(counts.build(build), { build: build.id });
      return build;
    },
    async setDeploy(id, deploy) {
      const build = await store.setDeploy(id, deploy);
      if (isFinal(deploy.state)) await quietly(counts.deploy(build.service, deploy), { build: build.id, deploy: deploy.id });
      return build;
    },
  };
}
