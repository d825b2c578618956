import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { lazyLoad } from '../../src/core/lazy-load.ts';

/** A loader that fails its first `failures` calls (as an import does on EMFILE), then answers its call number. */
function flakyLoader(failures: number): { load: () => Promise<number>; readonly calls: number } {
  const state = {
    calls: 0,
    load: async () => {
      state.calls += 1;
      if (state.calls <= failures) throw Object.assign(new Error('EMFILE: too many open files'), { code: 'EMFILE' });
      return state.calls;
    },
  };
  return state;
}

describe('lazyLoad: a module loaded at its first use', () => {
  it('loads once, and every call while it loads or after shares that one load', async () => {
    const loader = flakyLoader(0);
    const lazy = lazyLoad(loader.load);
    assert.equal(lazy.started(), undefined, 'nothing is loaded before the first use');
    const both = await Promise.all([lazy.get(), lazy.get()]);
    assert.deepEqual([...both, await lazy.get()], [1, 1, 1]);
    assert.equal(loader.calls, 1);
    assert.equal(await lazy.started(), 1);
  });

  it('loads again after a failed load instead of answering its failure for good', async () => {
    const loader = flakyLoader(1);
    const lazy = lazyLoad(loader.load);
    await assert.rejects(lazy.get(), { code: 'EMFILE' });
    assert.equal(lazy.started(), undefined, 'the failed load is forgotten');
    assert.equal(await lazy.get(), 2);
    assert.equal(await lazy.get(), 2, 'the load that worked is kept');
    assert.equal(loader.calls, 2);
  });

  it('gives every caller waiting on a failing load its failure, and the next caller a fresh load', async () => {
    const loader = flakyLoader(1);
    const lazy = lazyLoad(loader.load);
    const waiting = [lazy.get(), lazy.get()];
    for (const w of waiting) await assert.rejects(w, /EMFILE/);
    assert.equal(loader.calls, 1, 'callers during one load share it, failure included');
    assert.equal(await lazy.get(), 2);
  });

  it('turns a loader that throws at once into a failed load, forgotten like any other', async () => {
    let calls = 0;
    const lazy = lazyLoad((): Promise<string> => {
      calls += 1;
      if (calls === 1) throw new Error('thrown before any promise');
      return Promise.resolve('loaded');
    });
    await assert.rejects(lazy.get(), /thrown before any promise/);
    assert.equal(await lazy.get(), 'loaded');
  });
});
